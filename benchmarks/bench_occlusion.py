"""Occlusion beside its full-pass floor, measured in the same run: the incremental path and the full passes.

The floor is one compiled forward pass of the model over the same number of occluded copies (n × L), at the
best of several batch sizes, on copies that already exist: what occlusion cost before the incremental path.
``incremental`` is occlusion as it runs by default (the prefix recomputed over each window's reach only),
``full passes`` occlusion with ``incremental=False``; the three run interleaved, best of ``--repeats``.
``gain`` is floor / incremental in wall time, ``cpu`` the same in CPU time of all the process's threads
(steadier on a shared machine, where other jobs take the cores away at random). ``model``: the cost
model's gain, the sliding layers' multiply-adds per copy over those the incremental path keeps (each
layer's recomputed positions, printed beside it). Models: the sample ECG CNN and a deeper random residual
CNN (``tests/zoo.py``).

    python benchmarks/bench_occlusion.py [--signals 1024] [--widths 5,15,31] [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np
from common import ROOT, SAMPLE_MODEL, beats, best_of

sys.path.insert(0, str(ROOT))

from signalscreen_cli.incremental.forward import incremental_forward
from signalscreen_cli.methods.occlusion import Occlusion
from signalscreen_cli.model.adapter import ModelAdapter
from signalscreen_cli.model.files import load_model
from tests.zoo import deep_residual_cnn


def predicted_work(adapter: ModelAdapter, length: int, width: int) -> tuple[float, str]:
    """The sliding layers' multiply-adds per copy kept by the incremental path, and the positions per layer."""
    forward = incremental_forward(adapter, length)
    if isinstance(forward, str):
        return 1.0, forward
    shown = [f"{cost.layer} {cost.size}/{cost.length}" for cost in forward.cost(width)]
    return 1 / forward.predicted_gain(width), ", ".join(shown)


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds (all of this process's threads) of one run."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def runs_for(
    adapter: ModelAdapter, x: np.ndarray, targets: np.ndarray, copies: np.ndarray, size: int, width: int
) -> dict[str, Callable[[], object]]:
    """The floor, occlusion by full passes and incremental occlusion, at one window width."""
    full = Occlusion(sliding_window=(width,), incremental=False)
    incremental = Occlusion(sliding_window=(width,))
    return {
        "floor": lambda: adapter.predict(copies, batch_size=size),
        "full": lambda: full.attribute(adapter, x, targets),
        "incremental": lambda: incremental.attribute(adapter, x, targets),
    }


def bench_model(label: str, adapter: ModelAdapter, x: np.ndarray, widths: list[int], repeats: int) -> None:
    targets = adapter.predict(x).argmax(axis=1)
    copies = np.repeat(x, x.shape[1], axis=0)
    size = min((1024, 4096), key=lambda s: best_of(1, lambda: adapter.predict(copies[: 16 * s], batch_size=s)))
    for width in widths:
        runs = runs_for(adapter, x, targets, copies, size, width)
        for run in runs.values():
            run()  # warm-up: traces
        # Interleaved, so that a change of load on a shared machine hits every run alike; best of each.
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
        for _ in range(repeats):
            for name, run in runs.items():
                times[name].append(timed(run))
        wall = {name: min(t[0] for t in values) for name, values in times.items()}
        cpu = {name: min(t[1] for t in values) for name, values in times.items()}
        share, positions = predicted_work(adapter, x.shape[1], width)
        print(
            f"{label:>15} {width:>6} {wall['floor']:>7.2f} {wall['full']:>7.2f} {wall['incremental']:>7.2f} "
            f"{wall['full'] / wall['floor']:>7.2f} {wall['incremental'] / wall['floor']:>7.2f} "
            f"{wall['floor'] / wall['incremental']:>5.1f} {cpu['floor'] / cpu['incremental']:>5.1f} "
            f"{1 / share:>5.1f}  {positions}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=1024)
    parser.add_argument("--widths", default="5,15,31")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    widths = [int(w) for w in args.widths.split(",")]
    x = beats(args.signals)
    models = {
        "sample ecg_cnn": load_model(SAMPLE_MODEL, batch_size=512),
        "deep_residual": ModelAdapter(deep_residual_cnn(), batch_size=512),
    }
    print(f"{args.signals} beats of {x.shape[1]} samples; times in s, ratios against the floor of the same run")
    header = f"{'model':>15} {'window':>6} {'floor':>7} {'full':>7} {'incr.':>7} {'full/fl':>7} {'incr/fl':>7}"
    print(header + f" {'gain':>5} {'cpu':>5} {'model':>5}  recomputed positions per layer")
    for label, adapter in models.items():
        bench_model(label, adapter, x, widths, args.repeats)


if __name__ == "__main__":
    main()
