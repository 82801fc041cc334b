"""Train the small 1D CNN of ``sample_models/`` on ``sample_data/ecg_beats.npy``.

The model classifies one heartbeat (187 samples at 125 Hz, in mV) as
0 = "N" or 1 = "V" (the rule-derived labels of ``sample_data/extract_ecg.py``).
It ends in a separate ``Activation("softmax")`` layer on purpose, so that
explainers can take the logits from the layer before it.

Usage::

    python sample_models/train_ecg_cnn.py [--data-dir DIR] [--out-dir DIR] [--epochs N] [--seed S] [--name NAME]

Writes ``NAME.keras`` and ``NAME.h5`` (default ``ecg_cnn``; both with Keras 3 ``model.save``),
reloads both with ``keras.models.load_model(path, compile=False)`` and checks
that they predict what the trained model predicts.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import numpy.typing as npt

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import tensorflow as tf

HERE = Path(__file__).resolve().parent
SEED = 0
TEST_FRACTION = 0.3
BEAT_LEN = 187
CLASS_NAMES = ("N", "V")


def stratified_split(
    labels: npt.NDArray[np.int64], test_fraction: float, seed: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return sorted (train, test) indices with the same class mix in both."""
    rng = np.random.default_rng(seed)
    train: list[npt.NDArray[np.int64]] = []
    test: list[npt.NDArray[np.int64]] = []
    for cls in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == cls))
        n_test = round(test_fraction * idx.size)
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def build_model() -> keras.Sequential:
    """Input (187, 1) -> conv1 -> max-pool -> conv2 -> GAP -> logits -> probs."""
    return keras.Sequential(
        [
            keras.Input((BEAT_LEN, 1)),
            keras.layers.Conv1D(8, 7, padding="same", activation="relu", name="conv1"),
            keras.layers.MaxPooling1D(2, name="pool1"),
            keras.layers.Conv1D(16, 5, padding="same", activation="relu", name="conv2"),
            keras.layers.GlobalAveragePooling1D(name="gap"),
            keras.layers.Dense(2, name="logits"),
            keras.layers.Activation("softmax", name="probs"),
        ],
        name="ecg_cnn",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=HERE.parent / "sample_data")
    parser.add_argument("--out-dir", type=Path, default=HERE)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the weights and the batches")
    parser.add_argument("--name", default="ecg_cnn", help="file name stem of the saved model")
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()

    beats = np.load(args.data_dir / "ecg_beats.npy", allow_pickle=False)
    labels = np.load(args.data_dir / "ecg_labels.npy", allow_pickle=False)
    x = beats.astype(np.float32)[..., np.newaxis]  # (n, 187, 1), raw mV
    y = labels.astype(np.int64)
    train, test = stratified_split(y, TEST_FRACTION, SEED)
    print(f"data: {x.shape}; train {train.size} (V={int(y[train].sum())}), test {test.size} (V={int(y[test].sum())})")

    model = build_model()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
    model.fit(x[train], y[train], batch_size=32, epochs=args.epochs, shuffle=True, verbose=0)

    probs = model.predict(x[test], batch_size=256, verbose=0)
    pred = probs.argmax(axis=1)
    accuracy = float((pred == y[test]).mean())
    print(f"test accuracy: {accuracy:.3f} (n={test.size})")
    for cls, name in enumerate(CLASS_NAMES):
        row = [int(((y[test] == cls) & (pred == k)).sum()) for k in range(2)]
        print(f"  true {name}: predicted N={row[0]}, V={row[1]}")

    out: Path = args.out_dir
    out.mkdir(parents=True, exist_ok=True)
    for name in (f"{args.name}.keras", f"{args.name}.h5"):
        path = out / name
        model.save(path)
        reloaded = keras.models.load_model(path, compile=False)
        again = reloaded.predict(x[test], batch_size=256, verbose=0)
        np.testing.assert_allclose(again, probs, rtol=1e-5, atol=1e-6)
        print(f"saved {path} ({path.stat().st_size} bytes); reload predicts the same")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
