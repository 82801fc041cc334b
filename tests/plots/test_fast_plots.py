"""The fast paths of the per-signal plots draw the same picture as a full matplotlib draw.

``plots/still.py`` redraws only the changing artists of a PNG over still parts drawn once, and draws the trace
as one polyline per run of one colour; ``plots/bars.py`` draws the colour bar as one image. Each is checked
against the slow way on real figures: the pixels of a blitted PNG against ``savefig``'s, one after another
for signals of different kinds and scales (a stale background or a missed artist shows here).
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from signalscreen_cli.plots.colours import colour_map
from signalscreen_cli.plots.still import coloured_runs
from signalscreen_cli.plots.traces import PNG_DPI, SignalPlot, signal_figure

LENGTH, RATE = 187, 125.0


def beat(height: float, shift: int = 0) -> np.ndarray:
    t = np.arange(LENGTH, dtype=float)
    signal = height * np.exp(-0.5 * ((t - 25 - shift) / 2.0) ** 2) + 0.3 * np.exp(-0.5 * ((t - 52) / 6.0) ** 2)
    signal[90:] = 0.0
    return signal[:, None].astype(np.float32)


def pixels_of_savefig(figure) -> np.ndarray:
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_runs_of_one_colour_become_one_polyline_by_hand():
    points = np.array([[0, 0], [1, 1], [2, 0], [3, 2], [4, 2]], float)
    red, blue = (1.0, 0, 0, 1), (0, 0, 1.0, 1)
    paths, colours = coloured_runs(points, np.array([red, red, blue, red]))
    assert [p.tolist() for p in paths] == [[[0, 0], [1, 1], [2, 0]], [[2, 0], [3, 2]], [[3, 2], [4, 2]]]
    assert colours.tolist() == [list(red), list(blue), list(red)]
    # every segment is covered exactly once, in order
    assert sum(len(p) - 1 for p in paths) == len(points) - 1


def test_a_flat_tail_of_one_colour_is_a_single_path():
    cmap = colour_map(False)
    from matplotlib.colors import Normalize

    values = np.zeros(LENGTH - 1)
    values[20:30] = np.linspace(0.1, 1.0, 10)
    points = np.column_stack([np.arange(LENGTH), beat(1.5)[:, 0]])
    paths, colours = coloured_runs(points, cmap(Normalize(0, 1)(values)))
    assert len(paths) == 1 + 10 + 1  # the zero run before, ten distinct colours, the zero tail after
    assert np.array_equal(colours[-1], cmap(0.0))


@pytest.mark.parametrize("channels", [1, 2])
def test_blitted_pngs_have_the_pixels_of_a_full_draw(tmp_path, channels):
    plot = SignalPlot(LENGTH, channels, RATE, None, ["mV"] * channels)
    cases = [
        (beat(1.5), np.abs(beat(1.0)), False, "drop in P(N) when occluded"),
        (beat(40.0, 5), beat(1.0) - 0.4 * beat(1.0, 15), True, "x · ∂ logit V / ∂x"),  # other scale and kind
        (beat(0.2, -3), 1e-4 * np.abs(beat(1.0, 10)), False, "|∂ logit N / ∂x|"),  # tiny values: an offset text
    ]
    for number, (signal, attribution, signed, label) in enumerate(cases):
        signal = np.repeat(signal, channels, axis=1)
        figure = plot.draw(signal, attribution[:, 0], f"row {number}", label, signed)
        path = tmp_path / f"{number}.png"
        plot.save(path)
        fast = np.asarray(Image.open(path).convert("RGBA"))
        figure.set_dpi(PNG_DPI)
        slow = pixels_of_savefig(figure)
        assert fast.shape == slow.shape
        differing = np.any(fast != slow, axis=-1)
        assert differing.mean() < 1e-4, f"signal {number}: {differing.sum()} pixels differ from a full draw"


def test_the_figure_still_draws_everything_for_a_reader(tmp_path):
    """A figure from the API (``signal_figure``) is an ordinary one: a plain draw paints the trace and the bar."""
    figure = signal_figure(beat(1.5), np.abs(beat(1.0)), "row 0", RATE, "drop in P(N) when occluded", False)
    pixels = pixels_of_savefig(figure)[..., :3]
    trace_axes, bar_axes = figure.axes
    for axes in (trace_axes, bar_axes):
        box = axes.get_window_extent()
        height = pixels.shape[0]
        inside = pixels[int(height - box.y1) + 2 : int(height - box.y0) - 2, int(box.x0) + 2 : int(box.x1) - 2]
        assert (inside.min(axis=-1) < 200).any(), "nothing drawn inside the panel"
    assert bar_axes.get_ylabel() == "drop in P(N) when occluded"
