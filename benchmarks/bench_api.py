"""Warm ``Explainer`` calls beside their floor, and repeated one-shot ``explain(model, x)`` calls beside them.

For every method, 1,024 beats, medians of rounds in which each runs in turn (so a load that comes and goes on
a shared machine hits all alike): warm ``Explainer.explain`` calls (predictions, targets and the method's
arrays) against the same floor as ``bench_methods.py`` plus the forward pass for the predictions (none for
the methods whose own pass gives the predictions, ``pipeline/predictions.py``), and one-shot
``explain(model, x)`` calls on the same in-memory model (request, plan, cached adapter, in-memory sink,
manifest) against the warm calls; then the fixed cost of one call, from one signal's saliency against its
own floor.
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


def method_times(model: object, x: np.ndarray, name: str, repeats: int) -> tuple[float, float, float]:
    """(warm call, floor, one-shot call) seconds of method ``name`` on ``x``."""
    options = {"tolerance": float("inf")} if name == "integrated_gradients" else {}
    explainer = Explainer(model, [name], batch_size=512, **options)
    explainer.explain(x[:1])
    adapter, method = explainer.adapter, explainer.methods[0]
    targets = adapter.predict(x).argmax(axis=1).astype(np.int32)
    _, work, scale = floor_work(name, method, adapter, x, targets)
    times = interleaved_medians(
        repeats,
        {
            "predict": lambda: adapter.predict(x),
            "work": work,
            "warm": lambda: explainer.explain(x),
            "one-shot": lambda: explain(model, x, methods=(name,), batch_size=512, **options),
        },
    )
    fused = isinstance(method, (*GRADIENT_METHODS, *LAYER_MAP_METHODS)) and fusable(adapter)
    floor = times["work"] * scale + (0.0 if fused else times["predict"])  # a fused pass gives the predictions
    return times["warm"], floor, times["one-shot"]


def main() -> None:
    import keras

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=1024)
    parser.add_argument("--methods", default=",".join(available_methods()))
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    model = keras.saving.load_model(SAMPLE_MODEL, compile=False)
    x = beats(args.signals)
    print(
        f"{args.signals} signals, medians of {args.repeats} rounds in which the floor's passes, the warm Explainer "
        "call and the one-shot explain(model, x) call run in turn (a load that comes and goes hits all alike)"
    )
    print(f"{'method':<22} {'call s':>8} {'floor s':>8} {'ratio':>6} {'one-shot s':>11} {'/ warm':>7}")
    for name in args.methods.split(","):
        call, floor, once = method_times(model, x, name, args.repeats)
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
