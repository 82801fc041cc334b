"""Figures of signals coloured by their attribution (matplotlib ``Figure`` objects, no pyplot).

The trace is drawn in colours that keep 3:1 contrast against the white background (``colours.py``), so the
whole signal stays visible; every panel has ticks, the time in seconds where the rate is known and the
amplitude with its unit; every colour bar says what its value means. No text is smaller than 9 pt.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from .bars import GradientBar
from .colours import colour_map
from .labels import amplitude_label
from .still import StillFigure, coloured_runs

TEXT_POINTS = 9
PNG_DPI = 110
"""Dots per inch of the per-signal PNGs."""


def save_figure(figure: Figure, path: Path, dpi: int) -> None:
    """Save in the format the suffix names. SVG keeps its text as text (``svg.fonttype: none``: no glyph
    outlines to build, and a reader can select it) and its traces are written by ``svg.save_with_traces``;
    PNG is drawn by Agg at ``dpi``, its texts from kept layouts and glyphs (``glyphs.py``: the same pixels),
    and written unfiltered at zlib level 1 (``png.py``: a third of Pillow's time, for a slightly smaller
    file)."""
    from .layouts import kept_layouts

    with kept_layouts():
        _save_figure(figure, path, dpi)


def _save_figure(figure: Figure, path: Path, dpi: int) -> None:
    if path.suffix == ".svg":
        from .svg import save_with_traces

        save_with_traces(figure, path, dpi, {"svg.fonttype": "none", "svg.hashsalt": "signalscreen"})
    elif path.suffix == ".png":
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        from .png import write_png

        figure.set_dpi(dpi)
        canvas = FigureCanvasAgg(figure)
        renderer = canvas.get_renderer()
        renderer.draw_text = functools.partial(_kept_text, renderer)  # Agg's pixels, from kept layouts and glyphs
        canvas.draw()
        write_png(path, canvas.buffer_rgba(), dpi)
    else:
        figure.savefig(path, dpi=dpi)


def _kept_text(renderer: Any, gc: Any, x: float, y: float, s: str, prop: Any, angle: float, ismath: Any = False,
               mtext: Any = None) -> None:  # fmt: skip
    """``RendererAgg.draw_text`` through ``glyphs.py``'s caches (mathtext as Agg draws it)."""
    from matplotlib.backends.backend_agg import RendererAgg

    from .glyphs import draw_text

    if ismath:
        RendererAgg.draw_text(renderer, gc, x, y, s, prop, angle, ismath, mtext)
    else:
        draw_text(renderer, gc, x, y, s, prop, angle, mtext)


def is_signed(values: np.ndarray) -> bool:
    """Whether a map has negative values beyond round-off (relative 1e-6 of its largest magnitude)."""
    finite = values[np.isfinite(values)]
    return bool(finite.size) and float(finite.min()) < -1e-6 * float(np.abs(finite).max())


def colour_scale(attribution: np.ndarray, signed: bool | None = None) -> tuple[Normalize, Any]:
    """Colour scale of one signal's map, its range from that map: symmetric and diverging for signed
    arrays, sequential for non-negative ones. Pass ``signed`` (decided once per array) so every signal of
    one method gets the same kind of scale."""
    finite = attribution[np.isfinite(attribution)]
    if signed if signed is not None else is_signed(attribution):
        limit = float(np.abs(finite).max()) or 1.0
        return Normalize(-limit, limit), colour_map(True)
    top = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    return Normalize(0.0, top), colour_map(False)


def draw_signal(
    axes: Any, time: np.ndarray, signal: np.ndarray, attribution: np.ndarray, norm: Normalize, cmap: Any
) -> Any:
    """One channel as a line whose segments are coloured by the mean attribution of their ends (one path per
    run of one colour); returns the scale, for a colour bar."""
    from matplotlib.cm import ScalarMappable

    points = np.column_stack([time, signal])
    middle = (attribution[:-1] + attribution[1:]) / 2 if len(attribution) > 1 else attribution
    paths, colours = coloured_runs(points, cmap(norm(middle)))
    collection = LineCollection(paths, colors=colours, linewidth=2.0, capstyle="round")
    axes.add_collection(collection)  # every colour of the map is dark enough to see on white: no halo needed
    pad = 0.05 * (float(signal.max() - signal.min()) or 1.0)
    axes.set_xlim(time[0], time[-1] if len(time) > 1 else time[0] + 1)
    axes.set_ylim(float(signal.min()) - pad, float(signal.max()) + pad)
    return ScalarMappable(norm, cmap)


def signal_figure(
    signal: np.ndarray,
    attribution: np.ndarray,
    title: str,
    sampling_rate: float | None = None,
    label: str = "",
    signed: bool | None = None,
    channel_names: list[str] | None = None,
    units: list[str] | None = None,
) -> Figure:
    """A signal ``(L, C)`` with one panel per channel (named by ``channel_names``, e.g. the leads, with the
    ``units`` of each), coloured by ``attribution`` (``(L,)`` or ``(L, C)``); ``label`` says what its value
    means, on the colour bar."""
    plot = SignalPlot(signal.shape[0], signal.shape[1], sampling_rate, channel_names, units)
    return plot.draw(signal, attribution, title, label, signed)


class SignalPlot:
    """The figure of one signal and its map, built once per signal shape and redrawn for each signal: its
    axes, ticks and colour bar are reused (building them costs more than drawing them)."""

    def __init__(
        self,
        length: int,
        channels: int,
        sampling_rate: float | None = None,
        channel_names: list[str] | None = None,
        units: list[str] | None = None,
    ) -> None:
        self.time = np.arange(length) / sampling_rate if sampling_rate else np.arange(length, dtype=float)
        height = 1.0 + 1.6 * channels
        self.figure = Figure(figsize=(9, height))
        # Fixed margins (in inches) rather than a layout engine: layout solving doubles the cost of a plot.
        bottom, top = 0.55 / height, 1 - 0.4 / height
        self.figure.subplots_adjust(left=0.08, right=0.86, bottom=bottom, top=top, hspace=0.12)
        self.axes = self.figure.subplots(channels, 1, sharex=True, squeeze=False)[:, 0]
        self.lines = []
        for channel, axes in enumerate(self.axes):
            lines = LineCollection([], linewidth=2.0, capstyle="round")
            axes.add_collection(lines)  # every colour of the map is dark enough to see on white: no halo
            self.lines.append(lines)
            name = channel_names[channel] if channel_names else (f"channel {channel}" if channels > 1 else None)
            axes.set_ylabel(amplitude_label(_unit(units, channel), name), fontsize=TEXT_POINTS)
            # Fixed label and title places: placing them by the tick labels' boxes took a third of each draw.
            axes.yaxis.set_label_coords(-0.065, 0.5)
            axes.tick_params(labelsize=TEXT_POINTS)
            axes.set_xlim(self.time[0], self.time[-1] if length > 1 else self.time[0] + 1)
        self.axes[-1].set_xlabel("time (s)" if sampling_rate else "sample", fontsize=TEXT_POINTS)
        self.axes[-1].xaxis.set_label_coords(0.5, -0.38 / (self.axes[-1].get_position().height * height))
        self.title = self.axes[0].set_title("", fontsize=10, y=1.0, pad=6)
        self.bar = GradientBar(self.figure.add_axes((0.88, bottom, 0.015, top - bottom)), TEXT_POINTS)
        # what changes between signals, in the order a full draw paints it; the time axis stays. The trace's
        # ends touch the panel's side frames, which a full draw paints over them: the frames are redrawn too.
        changing = [part for axes, lines in zip(self.axes, self.lines, strict=True)
                    for part in (lines, *axes.spines.values(), axes.yaxis)]  # fmt: skip
        self.still = StillFigure(self.figure, [*changing, self.title, *self.bar.changing], PNG_DPI, direct_svg=True)

    def save(self, path: Path) -> None:
        """Write the figure as drawn last, in the format the suffix names (PNGs redraw only what changed)."""
        if path.suffix == ".png":
            self.still.save_png(path)
        elif path.suffix == ".svg":
            self.still.save_svg(path)
        else:
            save_figure(self.figure, path, PNG_DPI)

    def draw(
        self, signal: np.ndarray, attribution: np.ndarray, title: str, label: str = "", signed: bool | None = None
    ) -> Figure:
        """The figure, showing ``signal`` ``(L, C)`` coloured by ``attribution`` (``(L,)`` or ``(L, C)``)."""
        if attribution.ndim == 1:
            attribution = np.repeat(attribution[:, None], signal.shape[1], axis=1)
        norm, cmap = colour_scale(attribution, signed)
        for channel, (axes, lines) in enumerate(zip(self.axes, self.lines, strict=True)):
            values, trace = attribution[:, channel], signal[:, channel]
            points = np.column_stack([self.time, trace])
            middle = (values[:-1] + values[1:]) / 2 if len(values) > 1 else values
            paths, colours = coloured_runs(points, cmap(norm(middle)))
            lines.set_segments(paths)
            lines.set_color(colours)
            pad = 0.05 * (float(trace.max() - trace.min()) or 1.0)
            axes.set_ylim(float(trace.min()) - pad, float(trace.max()) + pad)
        self.title.set_text(title)
        self.bar.show(norm.vmin, norm.vmax, cmap, label or "attribution")
        self.still.changed()
        return self.figure


def _unit(units: list[str] | None, channel: int) -> str | None:
    return units[channel] if units and channel < len(units) else None


def track_figure(
    recording: np.ndarray,
    track: np.ndarray,
    start: int,
    title: str,
    sampling_rate: float | None,
    label: str,
    signed: bool | None = None,
    units: list[str] | None = None,
) -> Figure:
    """A page of a long recording ``(P, C)``: the signal coloured by its track, and the track itself below."""
    length, channels = recording.shape
    if track.ndim == 1:
        track = np.repeat(track[:, None], channels, axis=1)
    positions = np.arange(start, start + length)
    time = positions / sampling_rate if sampling_rate else positions.astype(float)
    norm, cmap = colour_scale(track, signed)
    height = 1.4 + 1.4 * (channels + 1)
    figure = Figure(figsize=(12, height))
    bottom, top = 0.55 / height, 1 - 0.4 / height
    figure.subplots_adjust(left=0.07, right=0.9, bottom=bottom, top=top, hspace=0.15)
    axes_list = figure.subplots(channels + 1, 1, sharex=True, squeeze=False)[:, 0]
    collection = None
    for channel in range(channels):
        collection = draw_signal(axes_list[channel], time, recording[:, channel], track[:, channel], norm, cmap)
        name = f"channel {channel}" if channels > 1 else None
        axes_list[channel].set_ylabel(amplitude_label(_unit(units, channel), name), fontsize=TEXT_POINTS)
    for channel in range(channels):
        axes_list[-1].plot(time, track[:, channel], linewidth=1.0)
    axes_list[-1].axhline(0.0, color="0.6", linewidth=0.6)
    axes_list[-1].set_ylabel(label)
    axes_list[-1].set_xlabel("time (s)" if sampling_rate else "sample")
    axes_list[0].set_title(title, fontsize=10)
    figure.colorbar(collection, cax=figure.add_axes((0.92, bottom, 0.012, top - bottom)), label=label)
    return figure
