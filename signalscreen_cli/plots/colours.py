"""Colour maps a trace can be drawn in on white paper: every colour keeps at least 3:1 contrast against white
(WCAG 2.1 success criterion 1.4.11, non-text contrast), so no part of a signal vanishes where its attribution
is low.

The sequential map runs from a mid grey (no attribution) through orange and red to a near-black purple; the
diverging one from dark blue (negative) through the same grey (zero) to dark red (positive). Matplotlib is
imported only when a map is built.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

WHITE = (1.0, 1.0, 1.0)
SEQUENTIAL = ("#8c8c8c", "#e6550d", "#a50f15", "#3b0a45")
DIVERGING = ("#053061", "#2166ac", "#8c8c8c", "#d6604d", "#67001f")
MINIMUM_CONTRAST = 3.0


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2.1 relative luminance of sRGB colours ``(..., 3)`` in [0, 1]."""
    rgb = np.asarray(rgb, np.float64)[..., :3]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast(first: np.ndarray, second: np.ndarray = WHITE) -> np.ndarray:
    """WCAG 2.1 contrast ratio (1 to 21) between colours ``(..., 3)``."""
    a, b = relative_luminance(first), relative_luminance(np.asarray(second, np.float64))
    return (np.maximum(a, b) + 0.05) / (np.minimum(a, b) + 0.05)


@functools.cache  # one object per kind: figures reused across signals compare it by identity
def colour_map(signed: bool) -> Any:
    """The diverging map for signed values, the sequential one otherwise (``matplotlib.colors.Colormap``)."""
    from matplotlib.colors import LinearSegmentedColormap

    if signed:
        return LinearSegmentedColormap.from_list("signalscreen_diverging", DIVERGING, N=256)
    return LinearSegmentedColormap.from_list("signalscreen_sequential", SEQUENTIAL, N=256)
