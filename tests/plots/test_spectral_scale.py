"""The spectral figures state a tiny or huge scale in their labels, not as a "1e−7" offset text in a corner."""

from __future__ import annotations

import numpy as np
import pytest

from signalscreen_cli.plots.spectral import band_figure, time_frequency_figure

SIGNAL = np.sin(np.linspace(0, 12, 120))[:, None].astype(np.float32)
LABEL = "drop in P(N) when the band is removed"


def _offsets_and_labels(figure) -> tuple[list[str], list[str]]:
    figure.canvas.draw()
    offsets = [axis.get_offset_text().get_text() for axes in figure.axes for axis in (axes.xaxis, axes.yaxis)]
    labels = [axes.get_ylabel().replace("\n", " ") for axes in figure.axes[1:]]
    return offsets, labels


@pytest.mark.parametrize(("size", "suffix"), [(1e-7, " (× 10⁻⁷)"), (0.3, ""), (1e5, " (× 10⁵)")])
def test_band_bars_and_colour_bar_carry_the_scale_in_their_labels(size, suffix):
    scores = (np.array([0.4, -0.2, 1.9, 3.9, 2.8])[:, None] * size).astype(np.float32)
    figure = band_figure(SIGNAL, scores, np.linspace(0, 60, 6), "signal 0", 120.0, LABEL)
    offsets, labels = _offsets_and_labels(figure)
    assert not any(offsets), offsets  # no "1e−7" in a corner
    assert labels == [LABEL + suffix, LABEL + suffix]  # the bars' axis and the colour bar
    shown = [bar.get_height() for bar in figure.axes[1].patches]
    exponent = int(np.floor(np.log10(3.9 * size))) if suffix else 0
    np.testing.assert_allclose(shown, scores[:, 0] / 10.0**exponent, rtol=1e-5)


def test_a_time_frequency_map_states_its_scale_on_the_colour_bar():
    values = np.abs(np.random.default_rng(0).normal(size=(6, 8))) * 2e-6
    figure = time_frequency_figure(
        SIGNAL, values, np.linspace(0, 60, 6), np.linspace(0, 1, 8), "signal 0", 120.0, "effect on P(N)"
    )
    offsets, labels = _offsets_and_labels(figure)
    assert not any(offsets), offsets
    assert labels[-1] == "effect on P(N) (× 10⁻⁶)"
