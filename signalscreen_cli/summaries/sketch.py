"""Per-position quantiles in one pass: a fixed number of histogram bins per position, on a power-of-two grid.

Bin ``j`` of a position covers ``[(offset + j) * 2**e, (offset + j + 1) * 2**e)``. The exponent ``e`` is the
smallest that lets ``bins`` aligned bins span the values seen so far (and not below ``max |value| * 2**-40``,
which keeps bin numbers inside int64); when the range grows, bins are merged in aligned pairs, which nest
exactly. So the final counts equal the histogram of every value on the grid that the final minimum and
maximum pick: the same for any chunking, and two sketches merge exactly.

A quantile ``q`` is numpy's ``method="lower"`` one, the order statistic of rank ``floor(q * (n - 1))``: the
sketch finds the bin that holds it exactly (by counting) and returns the bin's centre, clipped to the
position's minimum and maximum. Its error is at most half a bin, ``2**e / 2 < (max - min) / (bins - 2)``
(or ``max |value| * 2**-41`` where that is larger); :meth:`PositionQuantiles.error` gives the bound per position.
"""

from __future__ import annotations

import numpy as np

MAGNITUDE_BITS = 40


class PositionQuantiles:
    """Streamed quantiles of ``(rows, positions)`` values, ``bins`` counts per position."""

    def __init__(self, positions: int, bins: int = 1024) -> None:
        if bins < 4:
            raise ValueError("need at least 4 bins")
        self.bins = bins
        self.n = 0
        self.counts = np.zeros((positions, bins), np.int64)
        self.exponent = np.full(positions, np.iinfo(np.int32).min, np.int64)
        self.offset = np.zeros(positions, np.int64)
        self.low = np.full(positions, np.inf)
        self.high = np.full(positions, -np.inf)

    def add(self, values: np.ndarray) -> None:
        """Count ``values`` ``(rows, positions)`` (finite numbers)."""
        values = np.asarray(values, np.float64)
        if not len(values):
            return
        self._widen(values.min(axis=0), values.max(axis=0))
        positions = values.shape[1]
        index = _bin_of(values, self.exponent[None, :]) - self.offset[None, :]
        flat = (index + np.arange(positions)[None, :] * self.bins).ravel()
        self.counts += np.bincount(flat, minlength=positions * self.bins).reshape(positions, self.bins)
        self.n += len(values)

    def merge(self, other: PositionQuantiles) -> None:
        """Add another sketch's counts (same positions and bins): the result is the sketch of both inputs."""
        if other.n == 0:
            return
        self._widen(other.low, other.high, other.exponent)
        self.counts += other._regridded(self.exponent, self.offset)
        self.n += other.n

    def quantile(self, q: float) -> np.ndarray:
        """The ``q`` quantile per position (numpy's ``method="lower"``), within :meth:`error`."""
        if self.n == 0:
            return np.full(len(self.counts), np.nan)
        rank = int(np.floor(q * (self.n - 1)))
        cumulative = np.cumsum(self.counts, axis=1)
        found = (cumulative <= rank).sum(axis=1)
        centre = np.ldexp(self.offset + found + 0.5, self.exponent.astype(np.int32))
        return np.clip(centre, self.low, self.high)

    def error(self) -> np.ndarray:
        """Per position, the most :meth:`quantile` can differ from the exact order statistic: half a bin."""
        if self.n == 0:
            return np.full(len(self.counts), np.nan)
        return np.ldexp(0.5, self.exponent.astype(np.int32))

    def _exponent_for(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        span = high - low
        with np.errstate(divide="ignore", invalid="ignore"):
            guess = np.where(span > 0, np.ceil(np.log2(span / (self.bins - 2))) - 1, -1074)
            magnitude = np.maximum(np.abs(low), np.abs(high))
            floor = np.where(magnitude > 0, np.ceil(np.log2(magnitude)) - MAGNITUDE_BITS, -1074)
        exponent = np.maximum(guess, floor).astype(np.int64)
        for _ in range(4):  # the guess is within a step or two of the smallest exponent that fits
            wide = _bin_of(high, exponent) - _bin_of(low, exponent) + 1 > self.bins
            if not wide.any():
                break
            exponent = exponent + wide
        return exponent

    def _widen(self, low: np.ndarray, high: np.ndarray, exponent: np.ndarray | None = None) -> None:
        """Extend the grid to ``[low, high]`` (and at least ``exponent``), moving the counts onto it."""
        low, high = np.minimum(self.low, low), np.maximum(self.high, high)
        wanted = np.maximum(self.exponent, self._exponent_for(low, high))
        if exponent is not None:
            wanted = np.maximum(wanted, exponent)
        offset = _bin_of(low, wanted)
        self.counts = self._regridded(wanted, offset)
        self.low, self.high, self.exponent, self.offset = low, high, wanted, offset

    def _regridded(self, exponent: np.ndarray, offset: np.ndarray) -> np.ndarray:
        """The counts on a coarser (or shifted) grid; aligned bins nest, so nothing is approximated."""
        counts = self.counts.copy()
        if self.n == 0:
            return np.zeros_like(counts)
        changed = np.flatnonzero((exponent != self.exponent) | (offset != self.offset))
        if not len(changed):
            return counts
        shift = np.minimum(exponent - self.exponent, 63)[changed]  # a right shift of int64 floors
        old = self.offset[changed, None] + np.arange(self.bins)
        new = np.right_shift(old, shift[:, None]) - offset[changed, None]
        rows = np.repeat(np.arange(len(changed)), self.bins)
        held = self.counts[changed].ravel()
        filled = held > 0  # empty bins past the values may fall outside the new grid
        moved = np.zeros((len(changed), self.bins), np.int64)
        np.add.at(moved, (rows[filled], new.ravel()[filled]), held[filled])
        counts[changed] = moved
        return counts


def _bin_of(values: np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """Bin number of each value on the grid of width ``2**exponent`` (exact: scaling by a power of two)."""
    return np.floor(np.ldexp(values, (-exponent).astype(np.int32))).astype(np.int64)
