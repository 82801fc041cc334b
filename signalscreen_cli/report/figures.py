"""The report's figures: small matplotlib ``Figure`` objects (no pyplot) as SVG data URIs.

Each figure is its own SVG document inside an ``<img>`` (so the ids matplotlib gives clip paths cannot
clash between figures, and every figure carries ``alt`` text); text stays text (``svg.fonttype: none``,
drawn in the reader's own sans-serif fonts: nothing is fetched). Colours follow the plots' scales: blue–grey–red
symmetric around zero for signed maps, grey-to-dark for non-negative ones. Text is 9 pt at the size each figure
is shown (thumbnails are drawn at their displayed width, ``THUMBNAIL_WIDTH``), and every colour strip carries
its scale.
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from ..plots.traces import colour_scale
from .style import STYLE, strip_name

WIDTH = 6.4
THUMBNAIL_WIDTH = 3.4
"""Inches: a gallery cell is about 330 px wide (18 rem and up), so a thumbnail is shown at its own size."""
TEXT_POINTS = 9
DPI_CSS = 96  # CSS pixels per inch: the <img> size of a figure drawn at its own size


def css_size(figure: Figure) -> tuple[int, int]:
    """The figure's size in CSS pixels: the size at which its text is the size it was drawn at."""
    width, height = figure.get_size_inches()
    return round(width * DPI_CSS), round(height * DPI_CSS)


def as_data_uri(figure: Figure) -> str:
    """The figure as an SVG ``data:`` URI (base64), without matplotlib's creation date."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _axis(length: int, rate: float | None) -> tuple[np.ndarray, str]:
    if rate:
        return np.arange(length) / rate, "time (s)"
    return np.arange(length, dtype=float), "sample"


def class_map_figure(
    mean_signal: np.ndarray,
    mean: np.ndarray,
    low: np.ndarray,
    median: np.ndarray,
    high: np.ndarray,
    signed: bool,
    rate: float | None,
    name: str,
    meaning: str = "attribution",
    unit: str | None = None,
) -> Figure:
    """The class-mean signal over its mean-attribution strip, and the mean attribution with its 10–90 % band;
    ``meaning`` says what the value is (the bottom panel's title), ``unit`` the signal's unit. One figure per
    layout, redrawn (``class_figure.py``)."""
    from .class_figure import class_plot

    plot = class_plot(mean_signal.shape, rate, unit)
    return plot.draw(mean_signal, mean, low, median, high, signed, name, meaning)


def signal_maps_figure(
    signal: np.ndarray,
    maps: dict[str, np.ndarray],
    signed: dict[str, bool],
    rate: float | None,
    height: float = 1.6,
    width: float = WIDTH,
) -> Figure:
    """One signal over a heat strip per map (each strip on its own signal's range, written at its right end),
    ``width`` inches wide: drawn at the size it is shown, so its text stays 9 pt. Figures of one layout are
    built once and redrawn (a report draws twenty of them)."""
    key = (signal.shape, tuple(maps), tuple(signed[name] for name in maps), rate, height, width)
    return _maps_plot(*key).draw(signal, maps)


def signal_maps_uri(
    signal: np.ndarray, maps: dict[str, np.ndarray], signed: dict[str, bool], rate: float | None, width: float
) -> tuple[str, tuple[int, int]]:
    """:func:`signal_maps_figure` as an SVG data URI and its CSS size; only what changes between signals is
    drawn again (``plots/still.py``: the strips' names, frames and the time axis are drawn once), and a signal
    the report shows twice (in the gallery and among the least sure, say) is drawn once."""
    key = (signal.shape, tuple(maps), tuple(signed[name] for name in maps), rate, 1.6, width)
    import hashlib

    digest = hashlib.sha256(repr(key).encode())
    for values in (signal, *maps.values()):
        values = np.ascontiguousarray(values)
        digest.update(f"{values.dtype}{values.shape}".encode())
        digest.update(values.tobytes())
    drawn = _DRAWN.get(digest.digest())
    if drawn is not None:
        return drawn
    plot = _maps_plot(*key)
    plot.draw(signal, maps)
    text = plot.still.svg()
    drawn = "data:image/svg+xml;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii"), css_size(plot.figure)
    if len(_DRAWN) >= 64:
        _DRAWN.pop(next(iter(_DRAWN)))
    _DRAWN[digest.digest()] = drawn
    return drawn


_DRAWN: dict[bytes, tuple[str, tuple[int, int]]] = {}
"""The thumbnails of the report being built, by a digest of everything they show (``forget_thumbnails``)."""


def forget_thumbnails() -> None:
    """A new report begins: it draws its own thumbnails (one report's are never another's)."""
    _DRAWN.clear()


class SignalMapsPlot:
    """The figure of :func:`signal_maps_figure` for one layout, its artists updated per signal."""

    def __init__(
        self,
        shape: tuple[int, ...],
        names: tuple[str, ...],
        signed: tuple[bool, ...],
        rate: float | None,
        height: float,
        width: float,
    ) -> None:
        from matplotlib.colors import Normalize

        from ..plots.colours import colour_map

        length, channels = shape[0], int(np.prod(shape[1:], dtype=int))
        self.time, label = _axis(length, rate)
        self.signed = signed
        total = height + 0.3 * len(names)
        self.figure = Figure(figsize=(width, total))
        axes = self.figure.subplots(
            1 + len(names), 1, sharex=True, gridspec_kw={"height_ratios": [height * 2.5] + [1] * len(names)}
        )
        # margins in inches: room for the strips' names on the left and their ranges on the right
        self.figure.subplots_adjust(
            left=1.0 / width, right=1 - 0.8 / width, top=1 - 0.06 / total, bottom=0.45 / total, hspace=0.2
        )
        self.axes = np.atleast_1d(axes)
        top = self.axes[0]
        self.lines = [top.plot(self.time, np.zeros(length), color="0.15", linewidth=1.0)[0] for _ in range(channels)]
        top.set_xlim(self.time[0], self.time[-1])
        # one time axis, under the last strip: the axes above draw none (half of a thumbnail's drawing was
        # the tick marks and locators of axes whose labels were hidden)
        top.xaxis.set_visible(False)
        step = (self.time[1] - self.time[0]) if length > 1 else 1.0
        self.strips, self.ranges = [], []
        for row, name, kind in zip(self.axes[1:], names, signed, strict=True):
            image = row.imshow(
                np.zeros((1, length)),
                aspect="auto",
                cmap=colour_map(kind),
                norm=Normalize(-1.0 if kind else 0.0, 1.0),
                extent=(self.time[0] - step / 2, self.time[-1] + step / 2, 0, 1),
                interpolation="nearest",
            )
            row.set_yticks([])
            shown = strip_name(name, 1.0, TEXT_POINTS)
            row.set_ylabel(shown, rotation=0, ha="right", va="center", fontsize=TEXT_POINTS, linespacing=0.9)
            self.ranges.append(
                row.text(1.01, 0.5, "", transform=row.transAxes, ha="left", va="center", fontsize=TEXT_POINTS)
            )
            for spine in row.spines.values():
                spine.set_visible(False)
            row.xaxis.set_visible(False)
            self.strips.append(image)
        self.axes[-1].xaxis.set_visible(True)
        self.axes[-1].tick_params(labelbottom=True)
        self.axes[-1].set_xlabel(label)
        from ..plots.still import StillFigure

        # what changes between signals: the trace and its amplitude axis, each strip's colours and range
        changing = [*self.lines, *top.spines.values(), top.yaxis, *self.strips, *self.ranges]  # frames over the trace
        self.still = StillFigure(self.figure, changing, round(self.figure.dpi), STYLE)

    def draw(self, signal: np.ndarray, maps: dict[str, np.ndarray]) -> Figure:
        signal = signal.reshape(len(signal), -1)
        for channel, line in enumerate(self.lines):
            line.set_ydata(signal[:, channel])
        pad = 0.05 * (float(signal.max() - signal.min()) or 1.0)
        self.axes[0].set_ylim(float(signal.min()) - pad, float(signal.max()) + pad)
        for image, text, kind, values in zip(self.strips, self.ranges, self.signed, maps.values(), strict=True):
            track = values.reshape(len(values), -1).sum(axis=1) if values.ndim > 1 else values
            scale, _ = colour_scale(track, kind)
            with image.norm.callbacks.blocked():
                image.norm.vmin, image.norm.vmax = scale.vmin, scale.vmax
            image.set_data(track[None, :])
            text.set_text(f"±{scale.vmax:.2g}" if kind else f"0–{scale.vmax:.2g}")
        return self.figure


_maps_plot = functools.lru_cache(maxsize=4)(SignalMapsPlot)
"""One :class:`SignalMapsPlot` per layout, made once (its figure is built once and updated per signal)."""


def curves_figure(fractions: Sequence[float], curves: dict[str, dict[str, Sequence[float]]], label: str) -> Figure:
    """Mean deletion and insertion curves per map (the random order dashed)."""
    figure = Figure(figsize=(WIDTH, 2.4))
    panels = figure.subplots(1, 2, sharey=True)
    figure.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.18, wspace=0.08)
    for axes, kind in zip(panels, ("deletion", "insertion"), strict=True):
        for name, entry in curves.items():
            style = {"linestyle": "--", "color": "0.4"} if name == "random" else {}
            axes.plot(fractions, entry[kind], label=name, linewidth=1.2, **style)
        axes.set_title(f"{kind} (mean over signals)", fontsize=TEXT_POINTS)
        axes.set_xlabel("fraction of positions changed")
    panels[0].set_ylabel(label)
    panels[1].legend(frameon=False, fontsize=TEXT_POINTS)
    return figure
