"""Figures of frequency maps: band bars and time-frequency maps, each under the signal it explains.

Scores of a few 10⁻⁷ (a band whose removal barely moves the probability) are drawn divided by their power of
ten, which the axis and colour-bar labels state ("… (× 10⁻⁷)", ``plots/scale.py``): matplotlib's "1e−7" offset
text would sit in the panel's corner, crowding the time axis above and the colour bar beside it."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure

from .bars import two_lines
from .scale import power_of_ten, scaled_label
from .traces import colour_scale


def _signal_and_map(signal: np.ndarray, title: str, sampling_rate: float | None) -> tuple[Figure, Any, Any]:
    """A figure with the signal on top and an empty panel below for its map."""
    figure = Figure(figsize=(9, 4.6))
    figure.subplots_adjust(left=0.09, right=0.86, bottom=0.12, top=0.92, hspace=0.42)
    top, bottom = figure.subplots(2, 1, gridspec_kw={"height_ratios": [1, 1.6]})
    time = np.arange(len(signal)) / sampling_rate if sampling_rate else np.arange(len(signal), dtype=float)
    for channel in range(signal.shape[1]):
        top.plot(time, signal[:, channel], linewidth=1.0)
    top.set_xlim(time[0], time[-1] if len(time) > 1 else time[0] + 1)
    top.set_xlabel("time (s)" if sampling_rate else "sample")
    top.set_ylabel("amplitude")  # the plots' word where the unit is not known here
    top.set_title(title, fontsize=10)
    return figure, top, bottom


def band_figure(
    signal: np.ndarray,
    scores: np.ndarray,
    edges: np.ndarray,
    title: str,
    sampling_rate: float | None,
    label: str,
    signed: bool | None = None,
    channel_names: list[str] | None = None,
) -> Figure:
    """A signal ``(L, C)`` above the bars of its band scores ``(B, C)`` between ``edges`` ``(B + 1,)``."""
    figure, _, bars = _signal_and_map(signal, title, sampling_rate)
    exponent = power_of_ten(scores)
    scores, label = scores / 10.0**exponent, two_lines(scaled_label(label, exponent))
    norm, cmap = colour_scale(scores, signed)
    colours = ScalarMappable(norm, cmap)
    same = np.allclose(scores, scores[:, :1])
    columns = 1 if same else scores.shape[1]
    widths = np.diff(edges)
    for channel in range(columns):
        lefts = edges[:-1] + widths * channel / columns
        name = (channel_names[channel] if channel_names else f"channel {channel}") if columns > 1 else None
        bars.bar(
            lefts, scores[:, channel], width=widths / columns, align="edge", label=name,
            color=colours.to_rgba(scores[:, channel]), edgecolor="0.3", linewidth=0.4,
        )  # fmt: skip
    if columns > 1:
        bars.legend(fontsize=9, ncols=min(columns, 6))
    bars.axhline(0.0, color="0.5", linewidth=0.6)
    bars.set_xlim(edges[0], edges[-1])
    bars.set_xlabel("frequency (Hz)" if sampling_rate else "frequency (cycles per sample)")
    bars.set_ylabel(label)
    bars.yaxis.get_major_formatter().set_useOffset(False)  # the scale is in the label
    _colour_bar(figure, colours, label)
    return figure


def time_frequency_figure(
    signal: np.ndarray,
    values: np.ndarray,
    frequencies: np.ndarray,
    times: np.ndarray,
    title: str,
    sampling_rate: float | None,
    label: str,
    signed: bool | None = None,
) -> Figure:
    """A signal ``(L, C)`` above its time-frequency map ``(F, T)`` on the STFT's ``frequencies`` and ``times``."""
    figure, top, image = _signal_and_map(signal, title, sampling_rate)
    exponent = power_of_ten(values)
    values, label = values / 10.0**exponent, two_lines(scaled_label(label, exponent))
    norm, cmap = colour_scale(values, signed)
    mesh = image.pcolormesh(times, frequencies, values, shading="nearest", cmap=cmap, norm=norm)
    image.set_xlim(top.get_xlim())
    image.set_xlabel("time (s)" if sampling_rate else "sample")
    image.set_ylabel("frequency (Hz)" if sampling_rate else "frequency (cycles per sample)")
    _colour_bar(figure, mesh, label)
    return figure


def _colour_bar(figure: Figure, mappable: Any, label: str) -> None:
    """The colour bar right of the map, its scale in ``label`` (no offset text above it)."""
    bar = figure.colorbar(mappable, cax=figure.add_axes((0.88, 0.12, 0.015, 0.45)), label=label)
    bar.formatter.set_useOffset(False)
    bar.update_ticks()
