"""The overview: the plotted signals (rows) by maps (columns), each trace coloured by its map.

Each column is one matplotlib ``Axes`` holding every row as a band of its own: its frame, its trace scaled
into the band, its amplitude ticks (written in the first column; a row's panels show one signal on one
scale) and its time tick marks (labelled under the last row). One ``Axes`` per panel drew the same picture
at 48 axes' cost for 16 rows and 3 maps (axes, tick objects and locators: 1.2 of the 1.6 s the overview
took, more than all the per-signal plots of a run together).

Each row is scaled by its own largest magnitude (where each signal's model looks, even where one signal's
maps are ten times another's), so each column has one colour bar, from −1 or 0 to 1, saying what the value
means and that it is a share of the row's largest.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator, MaxNLocator, NullLocator
from matplotlib.transforms import blended_transform_factory

from .colours import colour_map
from .labels import amplitude_label
from .still import coloured_runs
from .svg import TRACE_GID

TEXT_POINTS = 9
GAP = 1 / 6
"""Share of a row's band left empty between two panels (the 0.2 panel heights of the old grid)."""
PAD = 0.05
"""Share of a trace's range added above and below it inside its panel."""
TICK_INCHES = 3 / 72
AMPLITUDE_MARKS = "amplitude tick marks"
"""The label of the unlabelled columns' amplitude tick marks (a ``LineCollection``)."""


def row_scale(signal: np.ndarray, row: int, rows: int) -> tuple[float, float, float, float]:
    """Where row ``row`` of ``rows`` draws: the amplitude range shown (``low``, ``high``, the trace's with
    its padding) and the band it fills (``bottom``, ``top`` in the column's y units, one per row)."""
    low, high = float(np.nanmin(signal)), float(np.nanmax(signal))
    pad = PAD * ((high - low) or 1.0)
    bottom = rows - 1 - row + GAP / 2
    return low - pad, high + pad, bottom, bottom + 1 - GAP


def to_band(values: np.ndarray, scale: tuple[float, float, float, float]) -> np.ndarray:
    """Amplitudes ``values`` as y positions inside the row's band."""
    low, high, bottom, top = scale
    return bottom + (np.asarray(values, float) - low) / (high - low) * (top - bottom)


def amplitude_ticks(scale: tuple[float, float, float, float]) -> tuple[np.ndarray, list[str]]:
    """Up to four round amplitudes inside the row's range and their labels, written with the decimals their
    step needs (as a per-panel axis would)."""
    low, high = scale[:2]
    values = [v for v in MaxNLocator(3, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high) if low <= v <= high]
    step = values[1] - values[0] if len(values) > 1 else 1.0
    decimals = max(0, -int(np.floor(np.log10(step)))) if step > 0 else 0
    return to_band(np.array(values), scale), [f"{v:.{decimals}f}".replace("-", "−") for v in values]


def overview_figure(
    signals: np.ndarray,
    maps: dict[str, np.ndarray],
    row_labels: list[str],
    signed: dict[str, bool],
    sampling_rate: float | None = None,
    meanings: dict[str, str] | None = None,
    unit: str | None = None,
) -> Figure:
    """The grid of ``signals`` ``(n, L, C)`` (first channel shown) by ``maps``; ``meanings`` says what each
    map's value is (on its colour bar), ``unit`` the amplitude's unit."""
    names = list(maps)
    rows, length = len(signals), signals.shape[1]
    time = np.arange(length) / sampling_rate if sampling_rate else np.arange(length, dtype=float)
    width, height = 3.6 * len(names) + 0.6, 1.3 * rows + 1.75
    figure = Figure(figsize=(width, height))
    # fixed margins in inches: the row labels on the left, the column titles on top, the time ticks and
    # the colour bars at the bottom
    figure.subplots_adjust(left=0.95 / width, right=1 - 0.15 / width, top=1 - 0.35 / height, bottom=1.4 / height,
                           wspace=0.22)  # fmt: skip
    columns = figure.subplots(1, len(names), squeeze=False)[0]
    scales = [row_scale(signals[row, :, 0], row, rows) for row in range(rows)]
    ticks = [amplitude_ticks(scale) for scale in scales]
    x_ticks = [t for t in MaxNLocator(6).tick_values(time[0], time[-1]) if time[0] <= t <= time[-1]]
    for column, (axes, name) in enumerate(zip(columns, names, strict=True)):
        _frame_column(axes, time, x_ticks, scales, ticks, column == 0, (width, height))
        values = np.asarray(maps[name])
        values = values[..., 0] if values.ndim == 3 else values
        largest = np.nanmax(np.abs(values.reshape(rows, -1)), axis=1, initial=0.0)
        scaled = values / np.where(largest > 0, largest, 1.0).reshape((rows,) + (1,) * (values.ndim - 1))
        norm, cmap = Normalize(-1.0 if signed[name] else 0.0, 1.0), colour_map(signed[name])
        for row in range(rows):
            points = np.column_stack([time, to_band(signals[row, :, 0], scales[row])])
            middle = (scaled[row][:-1] + scaled[row][1:]) / 2 if length > 1 else scaled[row]
            paths, colours = coloured_runs(points, cmap(norm(middle)))
            axes.add_collection(LineCollection(paths, colors=colours, linewidth=2.0, capstyle="round",
                                               gid=f"{TRACE_GID}{column}_{row}"))  # fmt: skip
        axes.set_title(name, fontsize=10, y=1.0, pad=5)
        axes.set_xlabel("time (s)" if sampling_rate else "sample", fontsize=TEXT_POINTS)
        axes.xaxis.set_label_coords(0.5, -0.3 / (axes.get_position().height * height))
        _colour_bar(figure, axes, ScalarMappable(norm, cmap), (meanings or {}).get(name, name), signed[name], height)
    _row_labels(columns[0], row_labels, unit, width)
    return figure


def _frame_column(
    axes: Any,
    time: np.ndarray,
    x_ticks: list[float],
    scales: list[tuple[float, float, float, float]],
    ticks: list[tuple[np.ndarray, list[str]]],
    labelled: bool,
    size: tuple[float, float],
) -> None:
    """One column's bands: a frame per row, time tick marks under each, amplitude ticks on the left."""
    from matplotlib.collections import PolyCollection

    rows, (width, height) = len(scales), size
    end = time[-1] if len(time) > 1 else time[0] + 1
    axes.set_xlim(time[0], end)
    axes.set_ylim(GAP / 2, rows - GAP / 2)  # the axes' edges are the top and the bottom panels' frames
    axes.set_frame_on(False)
    frames = [[(time[0], b), (end, b), (end, t), (time[0], t)] for _, _, b, t in scales]
    axes.add_collection(PolyCollection(frames, facecolors="none", edgecolors="black", linewidths=0.8, zorder=2.5))
    # time tick marks under every panel but the last, whose marks are the axes' own (with their labels)
    per_inch = rows / (axes.get_position().height * height)
    marks = [[(x, b), (x, b - TICK_INCHES * per_inch)] for _, _, b, _ in scales[:-1] for x in x_ticks]
    axes.add_collection(LineCollection(marks, colors="black", linewidths=0.8, clip_on=False))
    axes.set_xticks(x_ticks)
    axes.tick_params(labelsize=TEXT_POINTS, length=3)
    places = np.concatenate([place for place, _ in ticks])
    if labelled:
        axes.yaxis.set_major_locator(FixedLocator(places))
        axes.yaxis.set_major_formatter(FixedFormatter([label for _, labels in ticks for label in labels]))
        return
    # the other columns repeat the first column's amplitudes unlabelled: their marks are one collection (the
    # 48 tick objects of 16 rows cost more than everything else such a column draws)
    axes.yaxis.set_major_locator(NullLocator())
    per_inch_x = (end - time[0]) / (axes.get_position().width * width)
    length = TICK_INCHES * per_inch_x
    amplitude_marks = LineCollection([[(time[0], y), (time[0] - length, y)] for y in places], colors="black",
                                     linewidths=0.8, clip_on=False, label=AMPLITUDE_MARKS)  # fmt: skip
    axes.add_collection(amplitude_marks)


def _row_labels(axes: Any, labels: list[str], unit: str | None, width: float) -> None:
    """Each row's name and the amplitude's unit, left of its ticks in the first column, at a fixed place."""
    place = blended_transform_factory(axes.transAxes, axes.transData)
    x = -0.42 / (axes.get_position().width * width)
    rows = len(labels)
    for row, label in enumerate(labels):
        axes.text(x, rows - 1 - row + 0.5, f"{label}\n{amplitude_label(unit)}", transform=place, rotation=90,
                  ha="center", va="center", fontsize=TEXT_POINTS)  # fmt: skip


def _colour_bar(figure: Figure, axes: Any, scale: ScalarMappable, meaning: str, signed: bool, height: float) -> None:
    box = axes.get_position()
    bar_axes = figure.add_axes((box.x0 + 0.05 * box.width, 0.62 / height, 0.9 * box.width, 0.11 / height))
    bar = figure.colorbar(scale, cax=bar_axes, orientation="horizontal")
    bar.set_label(f"{meaning}\n(share of each row's largest |value|)", fontsize=TEXT_POINTS)
    bar.set_ticks([-1.0, -0.5, 0.0, 0.5, 1.0] if signed else [0.0, 0.5, 1.0])
    bar.ax.tick_params(labelsize=TEXT_POINTS)
