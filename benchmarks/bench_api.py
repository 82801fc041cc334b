"""Warm ``Explainer`` calls beside their floor: the compiled model passes each method cannot avoid.

For every method, 1,024 beats: the median of 5 warm ``Explainer.explain`` calls (predictions, targets and the
method's arrays) against the best of the same floor as ``bench_methods.py`` plus the forward pass for the
predictions; then the fixed cost of one call, from one signal's saliency against its own floor.
"""

from __future__ import annotations

import argparse

import numpy as np
from bench_methods import floor_work
from common import SAMPLE_MODEL, beats, best_of, median_seconds

from signalscreen_cli import Explainer
from signalscreen_cli.methods import available_methods


def main() -> None:
    import keras

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=1024)
    parser.add_argument("--methods", default=",".join(available_methods()))
    args = parser.parse_args()
    model = keras.saving.load_model(SAMPLE_MODEL, compile=False)
    x = beats(args.signals)
    print(f"{args.signals} signals, warm Explainer calls (median of 5) against the floor (best of 3)")
    print(f"{'method':<22} {'call s':>8} {'floor s':>8} {'ratio':>6}")
    for name in args.methods.split(","):
        options = {"tolerance": float("inf")} if name == "integrated_gradients" else {}
        explainer = Explainer(model, [name], batch_size=512, **options)
        explainer.explain(x[:1])
        adapter, method = explainer.adapter, explainer.methods[0]
        targets = adapter.predict(x).argmax(axis=1).astype(np.int32)
        _, work, scale = floor_work(name, method, adapter, x, targets)
        floor = best_of(3, lambda adapter=adapter: adapter.predict(x)) + best_of(3, work) * scale
        call = median_seconds(5, lambda explainer=explainer: explainer.explain(x))
        print(f"{name:<22} {call:>8.3f} {floor:>8.3f} {call / floor:>6.2f}")
    explainer = Explainer(model, ["saliency"], batch_size=512)
    one = x[:1]
    explainer.explain(one)
    targets = np.zeros(1, np.int32)
    floor = best_of(20, lambda: (explainer.adapter.predict(one), explainer.adapter.gradients(one, targets)))
    call = median_seconds(20, lambda: explainer.explain(one))
    print(
        f"fixed cost of one call: {1000 * (call - floor):.1f} ms (one signal's saliency {1000 * call:.1f} ms, "
        f"floor {1000 * floor:.1f} ms)"
    )


if __name__ == "__main__":
    main()
