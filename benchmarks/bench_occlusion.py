"""Occlusion beside its full-pass floor, measured in the same run: the incremental path and the full passes.

The floor is one compiled forward pass of the model over the same number of occluded copies (n × L), at the
best of several batch sizes, on copies that already exist: what occlusion cost before the incremental path.
``incremental`` is occlusion as it runs by default (the prefix recomputed over each window's reach only),
``full passes`` occlusion with ``incremental=False``. The cost model beside them: the conv/pool work per
copy the incremental path keeps, from each sliding layer's recomputed positions (weighted by its
multiply-adds per position). Models: the sample ECG CNN and a deeper random residual CNN (``tests/zoo.py``).

    python benchmarks/bench_occlusion.py [--signals 1024] [--widths 5,15,31] [--repeats 1]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from common import ROOT, SAMPLE_MODEL, beats, best_of

sys.path.insert(0, str(ROOT))

from signalscreen_cli.incremental.forward import incremental_forward
from signalscreen_cli.methods.occlusion import Occlusion
from signalscreen_cli.model_files import load_model
from signalscreen_cli.models import ModelAdapter
from tests.zoo import deep_residual_cnn


def predicted_work(adapter: ModelAdapter, length: int, width: int) -> tuple[float, str]:
    """The sliding layers' multiply-adds per copy kept by the incremental path, and the positions per layer."""
    forward = incremental_forward(adapter, length)
    if isinstance(forward, str):
        return 1.0, forward
    kept = total = 0.0
    shown = []
    for cost in forward.cost(width):
        layer = adapter.model.get_layer(cost.layer)
        weights = sum(int(np.prod(w.shape)) for w in layer.get_weights()) or layer.input.shape[-1] * 2
        kept += min(cost.size, cost.length) * weights
        total += cost.length * weights
        shown.append(f"{cost.layer} {cost.size}/{cost.length}")
    return kept / total, ", ".join(shown)


def bench_model(label: str, adapter: ModelAdapter, x: np.ndarray, widths: list[int], repeats: int) -> None:
    targets = adapter.predict(x).argmax(axis=1)
    copies = np.repeat(x, x.shape[1], axis=0)
    floor = min(best_of(repeats, lambda s=size, c=copies: adapter.predict(c, batch_size=s)) for size in (1024, 4096))
    del copies
    for width in widths:
        full_method = Occlusion(sliding_window=(width,), incremental=False)
        method = Occlusion(sliding_window=(width,))
        full = best_of(repeats, lambda m=full_method: m.attribute(adapter, x, targets))
        incremental = best_of(repeats, lambda m=method: m.attribute(adapter, x, targets))
        share, positions = predicted_work(adapter, x.shape[1], width)
        print(
            f"{label:>15} {width:>6} {floor:>7.2f} {full:>7.2f} {incremental:>7.2f} {full / floor:>7.2f} "
            f"{incremental / floor:>7.2f} {floor / incremental:>5.1f} {1 / share:>5.1f}  {positions}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=1024)
    parser.add_argument("--widths", default="5,15,31")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    widths = [int(w) for w in args.widths.split(",")]
    x = beats(args.signals)
    models = {
        "sample ecg_cnn": load_model(SAMPLE_MODEL, batch_size=512),
        "deep_residual": ModelAdapter(deep_residual_cnn(), batch_size=512),
    }
    print(f"{args.signals} beats of {x.shape[1]} samples; times in s, ratios against the floor of the same run")
    header = f"{'model':>15} {'window':>6} {'floor':>7} {'full':>7} {'incr.':>7} {'full/fl':>7} {'incr/fl':>7}"
    print(header + f" {'gain':>5} {'model':>5}  recomputed positions per layer")
    for label, adapter in models.items():
        bench_model(label, adapter, x, widths, args.repeats)


if __name__ == "__main__":
    main()
