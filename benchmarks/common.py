"""Shared pieces of the benchmark scripts: timing, sample data, the sample model."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

ROOT = Path(__file__).parents[1]
SAMPLE_MODEL = ROOT / "sample_models" / "ecg_cnn.keras"


def wall_times(repeats: int, work: Callable[[], object]) -> list[float]:
    """Wall times of ``repeats`` runs after one warm-up run."""
    work()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def best_of(repeats: int, work: Callable[[], object]) -> float:
    """Fastest wall time of ``repeats`` runs after one warm-up run."""
    return min(wall_times(repeats, work))


def median_seconds(repeats: int, work: Callable[[], object]) -> float:
    """Median wall time of ``repeats`` runs after one warm-up run."""
    return statistics.median(wall_times(repeats, work))


def beats(count: int) -> np.ndarray:
    """``count`` sample ECG beats ``(count, 187, 1)``, the 501 real ones repeated as needed."""
    data = np.load(ROOT / "sample_data" / "ecg_beats.npy").astype(np.float32)
    return np.resize(data, (count, *data.shape[1:]))[:, :, None]
