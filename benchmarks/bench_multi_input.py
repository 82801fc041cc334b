"""What the other inputs of a multi-input model cost: an ECG + age/sex model against its ECG-only twin.

Both models share the same Conv1D branch on the beat (the twin's head sees only that branch; the two-input
model's also sees a Dense branch on ``age_sex``), so the twin's warm ``Explainer`` call is the floor: the
ratio is what carrying each signal's other inputs through every model call (perturbed copies, path points,
noisy copies) and attributing them adds, per method. Median of 5 warm calls each, on the same beats.
Occlusion runs full passes on both (the incremental forward, several times faster on the twin, serves
one-input models only).
"""

from __future__ import annotations

import argparse

import numpy as np
from common import beats, median_seconds

from signalscreen_cli import Explainer

METHODS = ("saliency", "integrated_gradients", "occlusion", "gradcam", "scorecam", "smoothgrad")
OPTIONS = {
    "integrated_gradients": {"tolerance": float("inf"), "n_steps": 32},  # the same nodes for both, no refinement
    # full passes for both: the incremental forward serves one-input models only (README)
    "occlusion": {"incremental": False},
}


def models(length: int) -> tuple[object, object]:
    """The ECG + age/sex model and its ECG-only twin (same conv branch and weights where they overlap)."""
    import keras

    ecg = keras.Input((length, 1), name="ecg")
    age_sex = keras.Input((2,), name="age_sex")
    conv = keras.layers.Conv1D(16, 7, padding="same", activation="relu", name="conv")
    pooled = keras.layers.GlobalAveragePooling1D()(conv(ecg))
    meta = keras.layers.Dense(4, activation="relu")(age_sex)
    joined = keras.layers.Concatenate()([pooled, meta])
    both = keras.Model([ecg, age_sex], keras.layers.Dense(2, activation="softmax")(joined))
    alone = keras.Model(ecg, keras.layers.Dense(2, activation="softmax")(pooled))
    return both, alone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=256)
    parser.add_argument("--methods", default=",".join(METHODS))
    args = parser.parse_args()
    x = beats(args.signals)
    age_sex = np.random.default_rng(0).normal(size=(len(x), 2)).astype(np.float32)
    both, alone = models(x.shape[1])
    print(f"{len(x)} beats, warm Explainer calls (median of 5): two inputs against the ECG-only twin (the floor)")
    print(f"{'method':<22} {'2 inputs s':>10} {'floor s':>8} {'ratio':>6}")
    for name in args.methods.split(","):
        options = OPTIONS.get(name, {})
        two = Explainer(both, [name], batch_size=512, **options)
        one = Explainer(alone, [name], batch_size=512, **options)
        inputs = {"ecg": x, "age_sex": age_sex}
        two.explain({"ecg": x[:1], "age_sex": age_sex[:1]})
        one.explain(x[:1])
        call = median_seconds(5, lambda two=two, inputs=inputs: two.explain(inputs))
        floor = median_seconds(5, lambda one=one: one.explain(x))
        print(f"{name:<22} {call:>10.3f} {floor:>8.3f} {call / floor:>6.2f}")


if __name__ == "__main__":
    main()
