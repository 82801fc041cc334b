"""The report's class figure: the class-mean signal over its mean-attribution strip, and the mean attribution
with its 10–90 % band below, titled with what the value means.

A report draws one per class and map (six for two classes and three maps): the figure of one layout is built
once and its artists updated, and its SVG is the still parts (frames, the time axis, the legend's place)
drawn once with the changing ones spliced in (``plots/still.py``), as the thumbnails are.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from ..plots.colours import colour_map
from ..plots.scale import power_of_ten, scaled_label
from ..plots.traces import colour_scale
from .style import strip_name

WIDTH, TEXT_POINTS = 6.4, 9
LEFT = 0.15
"""The left margin, a share of the width: the amplitude axis and the strip's name."""
TITLE_ROOM = 0.2
"""Inches between the colour strip and the bottom panel, for that panel's title: in the shared spacing its
9 pt text touched the strip above it."""


def _flat(values: np.ndarray) -> np.ndarray:
    """A map's value per position (channels summed)."""
    return values.reshape(len(values), -1).sum(axis=1) if values.ndim > 1 else values


@functools.lru_cache(maxsize=4)
def class_plot(shape: tuple[int, ...], rate: float | None, unit: str | None) -> ClassMapPlot:
    """The figure of one layout (signal shape, rate, unit), built once."""
    return ClassMapPlot(shape, rate, unit)


class ClassMapPlot:
    """The class figure for signals of ``shape``, redrawn by :meth:`draw` for each class and map."""

    def __init__(self, shape: tuple[int, ...], rate: float | None, unit: str | None) -> None:
        from ..plots.labels import amplitude_label
        from ..plots.still import StillFigure

        length, channels = shape[0], int(np.prod(shape[1:], dtype=int))
        self.time = np.arange(length) / rate if rate else np.arange(length, dtype=float)
        height = 2.9 + TITLE_ROOM
        self.figure = Figure(figsize=(WIDTH, height))
        top, strip, bottom = self.figure.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [2.2, 0.35, 2]})
        self.figure.subplots_adjust(left=LEFT, right=0.86, top=1 - 0.06 / height, bottom=0.46 / height, hspace=0.3)
        box = bottom.get_position()
        bottom.set_position((box.x0, box.y0, box.width, box.height - TITLE_ROOM / height))
        self.axes = (top, strip, bottom)
        zeros = np.zeros(length)
        self.lines = [top.plot(self.time, zeros, color="0.15", linewidth=1.0)[0] for _ in range(channels)]
        top.set_xlim(self.time[0], self.time[-1] if length > 1 else self.time[0] + 1)
        top.tick_params(labelbottom=False)
        top.set_ylabel(f"mean\n{amplitude_label(unit)}")
        step = (self.time[1] - self.time[0]) if length > 1 else 1.0
        self.strip = strip.imshow(
            zeros[None, :], aspect="auto", cmap=colour_map(False), norm=Normalize(0.0, 1.0),
            extent=(self.time[0] - step / 2, self.time[-1] + step / 2, 0, 1), interpolation="nearest",
        )  # fmt: skip
        strip.set_yticks([])
        self.range = strip.text(1.01, 0.5, "", transform=strip.transAxes, ha="left", va="center", fontsize=TEXT_POINTS)
        for spine in strip.spines.values():
            spine.set_visible(False)
        strip.xaxis.set_visible(False)  # the panels above and below carry the time axis
        self.band = bottom.fill_between(self.time, zeros, zeros, color="#9ecae1", linewidth=0, label="10–90 %")
        self.median = bottom.plot(self.time, zeros, color="#3182bd", linewidth=0.8, linestyle="--", label="median")[0]
        self.mean = bottom.plot(self.time, zeros, color="#08306b", linewidth=1.2, label="mean")[0]
        self.zero = bottom.axhline(0, color="0.6", linewidth=0.5)
        bottom.set_ylabel("attribution")
        bottom.yaxis.get_major_formatter().set_useOffset(False)  # the scale is in the label (``draw``)
        # a fixed place (y=1): the automatic one moves a title that a still-parts pass drew invisible
        self.title = bottom.set_title("", fontsize=TEXT_POINTS, loc="left", y=1.0)
        bottom.set_xlabel("time (s)" if rate else "sample")
        self.legend = bottom.legend(loc="upper right", frameon=False, ncols=3, fontsize=TEXT_POINTS)
        # what changes, in the order a full draw paints it; the traces touch the panels' side frames, which a
        # full draw paints over them, so the frames are redrawn too
        changing = [*self.lines, *top.spines.values(), top.yaxis, self.strip, strip.yaxis, self.range,
                    self.band, self.median, self.mean, self.zero, *bottom.spines.values(), bottom.yaxis,
                    self.title, self.legend]  # fmt: skip
        from .style import STYLE

        self.still = StillFigure(self.figure, changing, round(self.figure.dpi), STYLE)

    def draw(self, mean_signal: np.ndarray, mean: np.ndarray, low: np.ndarray, median: np.ndarray,
             high: np.ndarray, signed: bool, name: str, meaning: str) -> Figure:  # fmt: skip
        """The figure showing one class and map."""
        top, strip, bottom = self.axes
        signal = mean_signal.reshape(len(mean_signal), -1)
        for channel, line in enumerate(self.lines):
            line.set_ydata(signal[:, channel])
        pad = 0.05 * (float(signal.max() - signal.min()) or 1.0)
        top.set_ylim(float(signal.min()) - pad, float(signal.max()) + pad)
        track = _flat(mean)
        norm, cmap = colour_scale(track, signed)
        if self.strip.get_cmap() is not cmap:
            self.strip.set_cmap(cmap)
        with self.strip.norm.callbacks.blocked():
            self.strip.norm.vmin, self.strip.norm.vmax = norm.vmin, norm.vmax
        self.strip.set_data(track[None, :])
        label = strip_name(name, LEFT * WIDTH, TEXT_POINTS)
        strip.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=TEXT_POINTS, linespacing=0.9)
        self.range.set_text(f"±{norm.vmax:.2g}" if signed else f"0–{norm.vmax:.2g}")
        lows, highs, middle = _flat(low), _flat(high), _flat(median)
        # the scale goes in the axis label ("attribution (× 10⁻⁶)"), not in matplotlib's corner text
        exponent = power_of_ten(np.concatenate([lows, highs, middle, track]))
        bottom.set_ylabel(scaled_label("attribution", exponent))
        lows, highs, middle, track = (values * 10.0**-exponent for values in (lows, highs, middle, track))
        self.band.set_verts([np.concatenate([np.column_stack([self.time, lows]),
                                             np.column_stack([self.time[::-1], highs[::-1]])])])  # fmt: skip
        self.median.set_ydata(middle)
        self.mean.set_ydata(track)
        self.zero.set_visible(signed)
        shown = np.concatenate([lows, highs, middle, track, [0.0] if signed else []])
        lowest, highest = float(np.nanmin(shown)), float(np.nanmax(shown))
        margin = 0.05 * ((highest - lowest) or 1.0)  # matplotlib's own autoscale margin
        bottom.set_ylim(lowest - margin, highest + margin)
        self.title.set_text(f"{name}: {meaning}")
        return self.figure


def class_map_uri(plot: ClassMapPlot) -> str:
    """The figure as drawn last, as an SVG data URI."""
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(plot.still.svg().encode("utf-8")).decode("ascii")
