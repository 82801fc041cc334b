"""Occlusion windows: where the window centred at each position starts and stops, and its interp fill.

Shared by occlusion and its incremental forward path (``methods.occlusion_spans``), so neither imports the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def window_bounds(length: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Start (inclusive) and stop (exclusive) of the window of ``width`` centred at each position, clipped."""
    import numpy as np

    centres = np.arange(length)
    starts = np.clip(centres - (width - 1) // 2, 0, length)
    stops = np.clip(centres + width // 2 + 1, 0, length)
    return starts, stops


def window_masks(length: int, width: int) -> np.ndarray:
    """``(length, length)`` bool: row ``i`` is True over the window centred at ``i``."""
    import numpy as np

    starts, stops = window_bounds(length, width)
    positions = np.arange(length)
    return (positions[None, :] >= starts[:, None]) & (positions[None, :] < stops[:, None])


def interp_fill(
    x: np.ndarray, samples: np.ndarray, starts: np.ndarray, stops: np.ndarray, columns: np.ndarray | None = None
) -> np.ndarray:
    """Straight lines across each window between the samples just outside it, ``(k, L, C)``.

    A window touching one edge is filled with the value on its other side; one covering the whole signal
    with zeros. ``columns`` ``(k, P)``: the lines at these positions only, ``(k, P, C)``.
    """
    import numpy as np

    length = x.shape[1]
    has_left, has_right = starts > 0, stops < length
    left = np.where(has_left, starts - 1, np.minimum(stops, length - 1))
    right = np.where(has_right, stops, np.maximum(starts - 1, 0))
    left_values = np.where((has_left | has_right)[:, None], x[samples, left], 0.0)
    right_values = np.where((has_left | has_right)[:, None], x[samples, right], 0.0)
    span = np.maximum(right - left, 1)[:, None]
    columns = np.arange(length)[None, :] if columns is None else columns
    frac = np.clip((columns - left[:, None]) / span, 0.0, 1.0)[:, :, None]
    return (left_values[:, None, :] + (right_values - left_values)[:, None, :] * frac).astype(np.float32)
