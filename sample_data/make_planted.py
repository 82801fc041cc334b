"""A sample with a known answer: signals with a planted discriminative pattern, its mask, and a model trained on them.

Every signal (128 samples, one channel) is smooth background noise with a large *distractor* bump at a random
place (in both classes, so it says nothing about the class) and one planted pattern at another random place:

* class 0 ("burst"): three cycles of a sine under a Hann window, 16 samples long;
* class 1 ("step"): a raised plateau of the same length with sloped edges;
* class 2 ("none"): no pattern (so "step" cannot be told from "burst" by the burst's absence alone).

The pattern is the only thing that tells the classes apart, so the ground truth of a burst or step signal is
the 16 samples where its pattern was planted (``planted_truth.npy``, bool ``(n, 128)``; empty for "none",
which the ground-truth scores leave out). A map that puts its relevance on the distractor is wrong, however
salient the bump.

Usage::

    python sample_data/make_planted.py [--out-dir DIR] [--model-dir DIR] [--epochs N] [--seed S]

Writes ``planted.npy`` (300 held-out signals, float32 ``(300, 128, 1)``), ``planted_truth.npy`` and
``planted_labels.npy`` to ``--out-dir`` (default ``sample_data/``), trains a small CNN on 1,500 other signals
drawn from the same generator and writes ``planted_cnn.keras`` and ``planted_cnn.h5`` to ``--model-dir``
(default ``sample_models/``), then checks that both files predict what the trained model predicts and prints
the held-out accuracy.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
LENGTH, WIDTH = 128, 16
CLASS_NAMES = ("burst", "step", "none")
SEED = 0


def pattern(kind: int) -> np.ndarray:
    """The planted shape of class ``kind``, ``WIDTH`` samples, peak amplitude 1."""
    t = np.arange(WIDTH)
    if kind == 0:
        return np.sin(2 * np.pi * 3 * t / WIDTH) * np.hanning(WIDTH)
    return np.clip(np.minimum(t + 1, WIDTH - t) / 4, 0, 1) * 0.8


def make_signals(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` signals ``(n, LENGTH, 1)``, their masks ``(n, LENGTH)`` and labels ``(n,)``, a third of each class."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % len(CLASS_NAMES)
    rng.shuffle(labels)
    t = np.arange(LENGTH)
    signals = np.empty((n, LENGTH, 1), np.float32)
    masks = np.zeros((n, LENGTH), bool)
    for i, label in enumerate(labels):
        frequencies = rng.uniform(0.5, 2.5, 3) / LENGTH
        waves = [rng.uniform(0.05, 0.15) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi)) for f in frequencies]
        background = np.sum(waves, axis=0)
        background = background + rng.normal(0, 0.05, LENGTH)
        # the pattern and the distractor never overlap: one in each half, halves drawn at random
        first = rng.integers(2) == 0
        start = rng.integers(4, LENGTH // 2 - WIDTH - 4) + (0 if first else LENGTH // 2)
        centre = rng.integers(16, LENGTH // 2 - 16) + (LENGTH // 2 if first else 0)
        distractor = 1.5 * np.exp(-0.5 * ((t - centre) / 4.0) ** 2)
        if label < 2:
            background[start : start + WIDTH] += pattern(int(label)) * rng.uniform(0.7, 1.0)
            masks[i, start : start + WIDTH] = True
        signals[i, :, 0] = background + distractor
    return signals, masks, labels.astype(np.int64)


def build_model():  # -> keras.Sequential (keras is imported inside)
    import keras

    return keras.Sequential(
        [
            keras.Input((LENGTH, 1)),
            keras.layers.Conv1D(8, 7, padding="same", activation="relu", name="conv1"),
            keras.layers.MaxPooling1D(2, name="pool1"),
            keras.layers.Conv1D(16, 5, padding="same", activation="relu", name="conv2"),
            keras.layers.GlobalMaxPooling1D(name="gmp"),
            keras.layers.Dense(len(CLASS_NAMES), name="logits"),
            keras.layers.Activation("softmax", name="probs"),
        ],
        name="planted_cnn",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=HERE)
    parser.add_argument("--model-dir", type=Path, default=HERE.parent / "sample_models")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    test, test_masks, test_labels = make_signals(300, args.seed)
    train, _, train_labels = make_signals(1500, args.seed + 1)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    np.save(args.out_dir / "planted.npy", test)
    np.save(args.out_dir / "planted_truth.npy", test_masks)
    np.save(args.out_dir / "planted_labels.npy", test_labels)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()
    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train, train_labels, epochs=args.epochs, batch_size=64, verbose=0, shuffle=True)
    predicted = model.predict(test, verbose=0)
    accuracy = float((predicted.argmax(axis=1) == test_labels).mean())
    args.model_dir.mkdir(parents=True, exist_ok=True)
    for suffix in (".keras", ".h5"):
        path = args.model_dir / f"planted_cnn{suffix}"
        model.save(path)
        again = keras.models.load_model(path, compile=False).predict(test, verbose=0)
        largest = float(np.abs(again - predicted).max())
        if largest > 1e-6:
            raise SystemExit(f"{path}: reloaded predictions differ by {largest}")
    print(f"held-out accuracy {accuracy:.4f} on {len(test)} signals; wrote {args.out_dir} and {args.model_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
