"""Occlusion (window 15) on 32 and 256 ECG beats beside its floor, measured in the same run.

The floor is one compiled forward pass of the model over the same number of occluded copies (n × L),
in batches of the same size, on copies that already exist: the model work occlusion cannot avoid.

    python benchmarks/bench_occlusion.py [--batch-size 512] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

from signalscreen_cli.methods.occlusion import Occlusion
from signalscreen_cli.model_files import load_model

ROOT = Path(__file__).parents[1]


def best_of(repeats: int, work: Callable[[], object]) -> float:
    """Fastest wall time of ``repeats`` runs after one warm-up run."""
    work()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def beats(count: int) -> np.ndarray:
    data = np.load(ROOT / "sample_data" / "ecg_beats.npy").astype(np.float32)
    return np.resize(data, (count, *data.shape[1:]))[:, :, None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    adapter = load_model(ROOT / "sample_models" / "ecg_cnn.keras", batch_size=args.batch_size)
    method = Occlusion(sliding_window=(15,))
    print(f"{'signals':>8} {'copies':>8} {'occlusion s':>12} {'floor s':>9} {'ratio':>6}")
    for count in (32, 256):
        x = beats(count)
        targets = adapter.predict(x).argmax(axis=1)
        copies = np.repeat(x, x.shape[1], axis=0)
        elapsed = best_of(args.repeats, lambda x=x, targets=targets: method.attribute(adapter, x, targets))
        floor = best_of(args.repeats, lambda copies=copies: adapter.predict(copies))
        print(f"{count:>8} {len(copies):>8} {elapsed:>12.3f} {floor:>9.3f} {elapsed / floor:>6.2f}")


if __name__ == "__main__":
    main()
