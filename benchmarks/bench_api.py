"""Warm ``Explainer`` calls beside their floor, and repeated one-shot ``explain(model, x)`` calls beside them.

For every method, 1,024 beats: the median of 5 warm ``Explainer.explain`` calls (predictions, targets and the
method's arrays) against the best of the same floor as ``bench_methods.py`` plus the forward pass for the
predictions (none for the methods whose own pass gives the predictions, ``pipeline/predictions.py``); the
median of 5 one-shot ``explain(model, x)`` calls on the same in-memory model (request, plan, cached adapter,
in-memory sink, manifest), interleaved with the warm calls so load hits both alike; then the fixed cost of
one call, from one signal's saliency against its own floor.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
from bench_methods import floor_work
from common import SAMPLE_MODEL, beats, best_of, median_seconds

from signalscreen_cli import Explainer, explain
from signalscreen_cli.methods import available_methods
from signalscreen_cli.model.fused import fusable
from signalscreen_cli.pipeline.predictions import GRADIENT_METHODS, LAYER_MAP_METHODS


def interleaved_medians(repeats: int, calls: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Median wall time of each call, run in turn ``repeats`` times after one warm-up run of each."""
    seconds: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():
        call()
    for _ in range(repeats):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            seconds[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in seconds.items()}


def main() -> None:
    import keras

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=1024)
    parser.add_argument("--methods", default=",".join(available_methods()))
    args = parser.parse_args()
    model = keras.saving.load_model(SAMPLE_MODEL, compile=False)
    x = beats(args.signals)
    print(
        f"{args.signals} signals: warm Explainer calls (median of 5) against the floor (best of 3), and one-shot "
        "explain(model, x) calls on the same model (median of 5, interleaved with the warm calls)"
    )
    print(f"{'method':<22} {'call s':>8} {'floor s':>8} {'ratio':>6} {'one-shot s':>11} {'/ warm':>7}")
    for name in args.methods.split(","):
        options = {"tolerance": float("inf")} if name == "integrated_gradients" else {}
        explainer = Explainer(model, [name], batch_size=512, **options)
        explainer.explain(x[:1])
        adapter, method = explainer.adapter, explainer.methods[0]
        targets = adapter.predict(x).argmax(axis=1).astype(np.int32)
        _, work, scale = floor_work(name, method, adapter, x, targets)
        floor = best_of(3, work) * scale
        if not (isinstance(method, (*GRADIENT_METHODS, *LAYER_MAP_METHODS)) and fusable(adapter)):
            floor += best_of(3, lambda adapter=adapter: adapter.predict(x))
        times = interleaved_medians(
            5,
            {
                "warm": lambda explainer=explainer: explainer.explain(x),
                "one-shot": lambda name=name, options=options: explain(
                    model, x, methods=(name,), batch_size=512, **options
                ),
            },
        )
        call, once = times["warm"], times["one-shot"]
        print(f"{name:<22} {call:>8.3f} {floor:>8.3f} {call / floor:>6.2f} {once:>11.3f} {once / call:>7.2f}")
    explainer = Explainer(model, ["saliency"], batch_size=512)
    one = x[:1]
    explainer.explain(one)
    targets = np.zeros(1, np.int32)
    floor = best_of(20, lambda: explainer.adapter.gradients(one, targets))  # its pass gives the predictions
    call = median_seconds(20, lambda: explainer.explain(one))
    print(
        f"fixed cost of one call: {1000 * (call - floor):.1f} ms (one signal's saliency {1000 * call:.1f} ms, "
        f"floor {1000 * floor:.1f} ms)"
    )


if __name__ == "__main__":
    main()
