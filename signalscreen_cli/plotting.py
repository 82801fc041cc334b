"""Figures of signals coloured by their attribution (matplotlib ``Figure`` objects, no pyplot)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure


def is_signed(values: np.ndarray) -> bool:
    """Whether a map has negative values beyond round-off (relative 1e-6 of its largest magnitude)."""
    finite = values[np.isfinite(values)]
    return bool(finite.size) and float(finite.min()) < -1e-6 * float(np.abs(finite).max())


def colour_scale(attribution: np.ndarray, signed: bool | None = None) -> tuple[Normalize, str]:
    """Colour scale of one signal's map, its range from that map: symmetric and diverging for signed
    arrays, sequential for non-negative ones. Pass ``signed`` (decided once per array) so every signal of
    one method gets the same kind of scale."""
    finite = attribution[np.isfinite(attribution)]
    if signed if signed is not None else is_signed(attribution):
        limit = float(np.abs(finite).max()) or 1.0
        return Normalize(-limit, limit), "RdBu_r"
    top = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    return Normalize(0.0, top), "inferno_r"


def draw_signal(
    axes: Any, time: np.ndarray, signal: np.ndarray, attribution: np.ndarray, norm: Normalize, cmap: str
) -> Any:
    """One channel as a line whose segments are coloured by the mean attribution of their ends."""
    points = np.column_stack([time, signal])
    segments = np.stack([points[:-1], points[1:]], axis=1)
    collection = LineCollection(segments, cmap=cmap, norm=norm, linewidth=2.0, capstyle="round")
    collection.set_array((attribution[:-1] + attribution[1:]) / 2 if len(attribution) > 1 else attribution)
    axes.add_collection(collection)
    axes.plot(time, signal, color="0.75", linewidth=3.2, zorder=0)  # a halo keeps near-zero segments visible
    pad = 0.05 * (float(signal.max() - signal.min()) or 1.0)
    axes.set_xlim(time[0], time[-1] if len(time) > 1 else time[0] + 1)
    axes.set_ylim(float(signal.min()) - pad, float(signal.max()) + pad)
    return collection


def signal_figure(
    signal: np.ndarray,
    attribution: np.ndarray,
    title: str,
    sampling_rate: float | None = None,
    label: str = "",
    signed: bool | None = None,
    channel_names: list[str] | None = None,
) -> Figure:
    """A signal ``(L, C)`` with one panel per channel (named by ``channel_names``, e.g. the leads), coloured by
    ``attribution`` (``(L,)`` or ``(L, C)``)."""
    length, channels = signal.shape
    if attribution.ndim == 1:
        attribution = np.repeat(attribution[:, None], channels, axis=1)
    time = np.arange(length) / sampling_rate if sampling_rate else np.arange(length, dtype=float)
    norm, cmap = colour_scale(attribution, signed)
    height = 1.0 + 1.6 * channels
    figure = Figure(figsize=(9, height))
    # Fixed margins (in inches) rather than a layout engine: layout solving doubles the cost of a plot.
    bottom, top = 0.55 / height, 1 - 0.4 / height
    figure.subplots_adjust(left=0.08, right=0.86, bottom=bottom, top=top, hspace=0.12)
    axes_list = figure.subplots(channels, 1, sharex=True, squeeze=False)[:, 0]
    collection = None
    for channel, axes in enumerate(axes_list):
        collection = draw_signal(axes, time, signal[:, channel], attribution[:, channel], norm, cmap)
        if channel_names:
            axes.set_ylabel(channel_names[channel])
        else:
            axes.set_ylabel(f"channel {channel}" if channels > 1 else "signal")
    axes_list[-1].set_xlabel("time (s)" if sampling_rate else "sample")
    axes_list[0].set_title(title, fontsize=10)
    colour_axes = figure.add_axes((0.88, bottom, 0.015, top - bottom))
    figure.colorbar(collection, cax=colour_axes, label=label or "attribution")
    return figure


def overview_figure(
    signals: np.ndarray, maps: dict[str, np.ndarray], row_labels: list[str], signed: dict[str, bool]
) -> Figure:
    """A grid of plotted signals (rows) by maps (columns), first channel shown; one scale kind per column."""
    names = list(maps)
    rows = len(signals)
    figure = Figure(figsize=(3.2 * len(names), 1.4 * rows + 0.6), layout="constrained")
    grid = figure.subplots(rows, len(names), squeeze=False)
    for row in range(rows):
        for column, name in enumerate(names):
            attribution = maps[name][row]
            attribution = attribution[:, 0] if attribution.ndim == 2 else attribution
            norm, cmap = colour_scale(attribution, signed[name])
            axes = grid[row, column]
            draw_signal(axes, np.arange(signals.shape[1], dtype=float), signals[row, :, 0], attribution, norm, cmap)
            axes.set_xticks([])
            axes.set_yticks([])
            if row == 0:
                axes.set_title(f"{name} ({'red +, blue −' if signed[name] else 'dark = high'})", fontsize=9)
            if column == 0:
                axes.set_ylabel(row_labels[row], fontsize=8)
    return figure


def track_figure(
    recording: np.ndarray,
    track: np.ndarray,
    start: int,
    title: str,
    sampling_rate: float | None,
    label: str,
    signed: bool | None = None,
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
        axes_list[channel].set_ylabel(f"channel {channel}" if channels > 1 else "signal")
    for channel in range(channels):
        axes_list[-1].plot(time, track[:, channel], linewidth=1.0)
    axes_list[-1].axhline(0.0, color="0.6", linewidth=0.6)
    axes_list[-1].set_ylabel(label)
    axes_list[-1].set_xlabel("time (s)" if sampling_rate else "sample")
    axes_list[0].set_title(title, fontsize=10)
    figure.colorbar(collection, cax=figure.add_axes((0.92, bottom, 0.012, top - bottom)), label=label)
    return figure
