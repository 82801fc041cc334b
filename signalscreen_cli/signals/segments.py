"""Long recordings: cut into the windows a model accepts, and stitch window maps back into one track."""

from __future__ import annotations

import numpy as np

from ..errors import ShapeMismatchError


def window_starts(total: int, length: int, hop: int) -> np.ndarray:
    """Starts of windows of ``length`` every ``hop`` samples; a last window ends at the recording's end."""
    if total < length:
        raise ShapeMismatchError(f"recordings have {total} samples, fewer than one --segment of {length}")
    starts = np.arange(0, total - length + 1, hop)
    if starts[-1] + length < total:
        starts = np.append(starts, total - length)
    return starts


def cut(recordings: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """``(k, T, C)`` recordings to ``(k * W, length, C)`` windows, recording-major."""
    index = starts[:, None] + np.arange(length)[None, :]
    return recordings[:, index].reshape(-1, length, recordings.shape[2])


def stitch(maps: np.ndarray, starts: np.ndarray, total: int) -> np.ndarray:
    """``(k, W, length, ...)`` window maps to ``(k, total, ...)`` tracks; overlapping windows are averaged."""
    k, _, length = maps.shape[:3]
    track = np.zeros((k, total, *maps.shape[3:]), np.float64)
    count = np.zeros(total, np.float64)
    for window, start in enumerate(starts):
        track[:, start : start + length] += maps[:, window]
        count[start : start + length] += 1
    return (track / count.reshape(1, total, *([1] * (maps.ndim - 3)))).astype(np.float32)
