"""Relevance per ECG wave: the share of each map's magnitude on P, QRS, T and the rest of each beat window,
beside the share of time each wave takes.

Wave labels come from WFDB wave annotations as the QT and LUDB databases write them: an onset ``(``, a peak
symbol and an offset ``)`` — peak ``p`` a P wave, ``t`` a T wave, a beat symbol (``N``, ``V``, ...) a QRS
complex; a wave lacking its onset or offset is skipped. ``qrs:±50ms`` instead marks the samples within that
distance of each beat's R peak as QRS. Every other sample is ``rest``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..signals.clinical.options import BEAT_SYMBOLS
from .truth_scores import flat

WAVES = ("P", "QRS", "T", "rest")
REST = WAVES.index("rest")
PEAKS = {"p": WAVES.index("P"), "t": WAVES.index("T"), **dict.fromkeys(BEAT_SYMBOLS, WAVES.index("QRS"))}


def wave_intervals(positions: np.ndarray, symbols: Sequence[str]) -> np.ndarray:
    """``(m, 3)`` rows ``(start, stop, wave)`` (``stop`` exclusive) from one record's sorted annotations."""
    found = []
    for i in range(1, len(symbols) - 1):
        wave = PEAKS.get(symbols[i])
        if wave is not None and symbols[i - 1] == "(" and symbols[i + 1] == ")":
            found.append((int(positions[i - 1]), int(positions[i + 1]) + 1, wave))
    return np.asarray(found, np.int64).reshape(-1, 3)


def window_labels(intervals: np.ndarray, start: int, length: int) -> np.ndarray:
    """The wave of each sample ``(length,)`` int8 of the window that begins at record sample ``start``."""
    labels = np.full(length, REST, np.int8)
    for low, high, wave in intervals:
        low, high = max(low - start, 0), min(high - start, length)
        if low < high:
            labels[low:high] = wave
    return labels


def wave_shares(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``(n, 4)``: each wave's share of ``Σ|map|`` per signal (NaN for a zero map); a ``(n, L, C)`` map is summed
    over channels first, since a wave spans every lead."""
    magnitude = np.abs(np.asarray(values, np.float64))
    magnitude = magnitude.sum(axis=2) if magnitude.ndim == 3 else flat(magnitude)
    total = magnitude.sum(axis=1)
    shares = np.stack([(magnitude * (labels == wave)).sum(axis=1) for wave in range(len(WAVES))], axis=1)
    return np.where(total[:, None] > 0, shares / np.where(total > 0, total, 1.0)[:, None], np.nan)


def time_shares(labels: np.ndarray) -> np.ndarray:
    """``(n, 4)``: each wave's share of the window's samples."""
    return np.stack([(labels == wave).mean(axis=1) for wave in range(len(WAVES))], axis=1)
