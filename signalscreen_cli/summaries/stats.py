"""Streamed statistics of one group of signals (a class) and their maps: count, means, quantiles.

Sums are float64, so means equal numpy's on the whole array up to float64 round-off, for any chunking.
Quantiles come from :class:`~.sketch.PositionQuantiles` (bounded error, stated per position).
"""

from __future__ import annotations

import numpy as np

from .sketch import PositionQuantiles

QUANTILES = (0.1, 0.5, 0.9)
COUNTS_PER_MAP = 1 << 22
"""Histogram counts per group and map: 1024 bins a position up to 4096 positions, fewer bins beyond (at least 64)."""


def bins_for(positions: int) -> int:
    return int(np.clip(COUNTS_PER_MAP // max(positions, 1), 64, 1024))


class MapStats:
    """Sum, sum of magnitudes and quantile sketch of one map over one group's signals."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape
        positions = int(np.prod(shape, dtype=np.int64))
        self.total = np.zeros(positions)
        self.total_abs = np.zeros(positions)
        self.sketch = PositionQuantiles(positions, bins_for(positions))

    def add(self, values: np.ndarray) -> None:
        flat = np.asarray(values, np.float64).reshape(len(values), -1)
        self.total += flat.sum(axis=0)
        self.total_abs += np.abs(flat).sum(axis=0)
        self.sketch.add(flat)

    def merge(self, other: MapStats) -> None:
        self.total += other.total
        self.total_abs += other.total_abs
        self.sketch.merge(other.sketch)

    def results(self) -> dict[str, np.ndarray]:
        """``mean``, ``mean_abs``, ``q10``/``q50``/``q90`` and ``q_error`` (the quantiles' bound), map-shaped."""
        n = self.sketch.n
        with np.errstate(invalid="ignore", divide="ignore"):
            found = {"mean": self.total / n, "mean_abs": self.total_abs / n}
        for q in QUANTILES:
            found[f"q{round(q * 100)}"] = self.sketch.quantile(q)
        found["q_error"] = self.sketch.error()
        return {name: values.reshape(self.shape).astype(np.float32) for name, values in found.items()}


class GroupStats:
    """One group's count, signal sum and per-map statistics."""

    def __init__(self) -> None:
        self.count = 0
        self.signal_total: np.ndarray | None = None
        self.maps: dict[str, MapStats] = {}

    def add(self, signals: np.ndarray, maps: dict[str, np.ndarray]) -> None:
        if not len(signals):
            return
        self.count += len(signals)
        total = np.asarray(signals, np.float64).sum(axis=0)
        self.signal_total = total if self.signal_total is None else self.signal_total + total
        for name, values in maps.items():
            self.maps.setdefault(name, MapStats(values.shape[1:])).add(values)

    def mean_signal(self, shape: tuple[int, ...]) -> np.ndarray:
        if self.signal_total is None:
            return np.full(shape, np.nan, np.float32)
        return (self.signal_total / self.count).astype(np.float32)


def top_positions(mean_abs: np.ndarray, k: int = 10) -> list[int]:
    """The ``k`` positions of largest mean |attribution| (summed over channels), largest first."""
    score = _per_position(mean_abs)
    order = np.argsort(-score, kind="stable")
    return [int(i) for i in order[:k] if np.isfinite(score[i])]


def top_segments(mean_abs: np.ndarray, share: float = 0.1, k: int = 5) -> list[dict[str, float]]:
    """Runs of consecutive positions in the top ``share`` by mean |attribution|, ranked by their summed
    mean |attribution|: ``start``, ``stop`` (exclusive) and ``weight`` (that sum, as a share of the map's total)."""
    score = _per_position(mean_abs)
    if not np.isfinite(score).all() or score.sum() <= 0:
        return []
    cut = np.sort(score)[::-1][max(1, int(np.ceil(share * len(score)))) - 1]
    inside = np.concatenate([[False], score >= cut, [False]])
    edges = np.flatnonzero(np.diff(inside.astype(np.int8)))
    total = score.sum()
    runs = [(int(a), int(b), float(score[a:b].sum() / total)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    runs.sort(key=lambda run: -run[2])
    return [{"start": a, "stop": b, "weight": w} for a, b, w in runs[:k]]


def agreement(means: dict[str, np.ndarray], mean_abs: dict[str, np.ndarray]) -> list[list[float | None]]:
    """Pearson correlation between the methods' class-mean maps (summed over channels), every pair, like with
    like: the mean maps where both methods are signed, the mean |attribution| maps otherwise (a signed mean
    cancels where signals disagree in sign, a magnitude does not). ``None`` where a map is constant."""
    from ..similarity import pearson

    signed = {name: _signed(means[name], mean_abs[name]) for name in means}
    found: list[list[float | None]] = []
    for a in means:
        row: list[float | None] = []
        for b in means:
            both = signed[a] and signed[b]
            first, second = (means[a], means[b]) if both else (mean_abs[a], mean_abs[b])
            value = float(pearson(_per_position(first)[None], _per_position(second)[None])[0])
            row.append(None if np.isnan(value) else value)
        found.append(row)
    return found


def _signed(mean: np.ndarray, mean_abs: np.ndarray) -> bool:
    """Whether any of the group's values is negative: then the mean |attribution| exceeds the mean somewhere."""
    mean, mean_abs = np.asarray(mean, np.float64), np.asarray(mean_abs, np.float64)
    scale = float(np.nanmax(mean_abs, initial=0.0))
    return bool(scale > 0 and np.nanmax(mean_abs - mean, initial=0.0) > 1e-6 * scale)


def _per_position(mean_abs: np.ndarray) -> np.ndarray:
    values = np.asarray(mean_abs, np.float64)
    return values.reshape(len(values), -1).sum(axis=1) if values.ndim > 1 else values
