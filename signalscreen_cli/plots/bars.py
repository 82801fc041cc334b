"""A vertical colour bar drawn as one image, moved to each signal's scale without being rebuilt.

Matplotlib's ``Colorbar`` rebuilds a 256-cell mesh on every ``update_normal`` and, in SVG, rasterises it
through a figure-sized Agg buffer: together a third of a per-signal plot's time. One 256-row image whose
extent follows the scale draws the same colours at a fraction of the cost, in PNG and SVG alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np

GRADIENT = np.linspace(0.0, 1.0, 256)[:, None]
LINE_CHARACTERS = 28
"""A label longer than this is set on two lines: at 9 pt, one line of it would overrun the bar's height."""


def two_lines(label: str) -> str:
    """``label`` broken at the space nearest its middle when it is longer than ``LINE_CHARACTERS``."""
    spaces = [i for i, character in enumerate(label) if character == " "]
    if len(label) <= LINE_CHARACTERS or not spaces:
        return label
    middle = min(spaces, key=lambda i: abs(i - len(label) / 2))
    return label[:middle] + "\n" + label[middle + 1 :]


class GradientBar:
    """The colour bar in ``axes``: ticks and label on the right, the colours from ``vmin`` (bottom) to ``vmax``;
    a long label on two lines."""

    def __init__(self, axes: Any, text_points: float) -> None:
        self.axes = axes
        self.image = axes.imshow(
            GRADIENT, aspect="auto", origin="lower", extent=(0.0, 1.0, 0.0, 1.0), interpolation="nearest"
        )
        axes.set_xticks([])
        axes.yaxis.tick_right()
        axes.yaxis.set_label_position("right")
        axes.tick_params(labelsize=text_points)
        axes.set_xlim(0.0, 1.0)
        self.text_points = text_points

    def show(self, vmin: float, vmax: float, cmap: Any, label: str) -> None:
        """The colours of ``cmap`` from ``vmin`` to ``vmax``, labelled ``label``."""
        if self.image.get_cmap() is not cmap:
            self.image.set_cmap(cmap)
        self.image.set_extent((0.0, 1.0, vmin, vmax))
        self.axes.set_ylim(vmin, vmax)
        label = two_lines(label)
        if self.axes.get_ylabel() != label:
            self.axes.set_ylabel(label, fontsize=self.text_points)

    @property
    def changing(self) -> list[Any]:
        """What a redraw must paint: the colours (the map may change kind), the frame over them, the scale."""
        return [self.image, *self.axes.spines.values(), self.axes.yaxis]
