"""The report's colour-strip names and attribution scales stay readable: a long method name is put on two lines
rather than cut off at the figure's left edge, and a map of tiny values says its scale in the axis label
rather than in matplotlib's "1e−6" corner text, which sat on the panel's title."""

from __future__ import annotations

import numpy as np

from signalscreen_cli.report.class_figure import class_plot
from signalscreen_cli.report.style import strip_name


def test_long_names_go_on_two_lines_and_short_ones_stay():
    assert strip_name("saliency", 1.0) == "saliency"
    assert strip_name("occlusion_w15", 1.0) == "occlusion_w15"
    assert strip_name("integrated_gradients", 1.0) == "integrated_\ngradients"
    assert strip_name("lrp_epsilon_plus_flat", 1.0) == "lrp_epsilon_\nplus_flat"
    assert strip_name("integrated_gradients", 3.0) == "integrated_gradients"  # room enough: one line


def _drawn(name: str, scale: float):
    length = 64
    plot = class_plot((length, 1), 125.0, "mV")
    curve = np.sin(np.linspace(0, 3, length)) * scale
    figure = plot.draw(np.cos(np.linspace(0, 6, length)), curve, curve - scale, curve, curve + scale, True, name, "m")
    figure.canvas.draw()
    return plot, figure


def test_strip_name_is_inside_the_figure():
    plot, figure = _drawn("integrated_gradients", 1.0)
    label = plot.axes[1].yaxis.label
    box = label.get_window_extent(figure.canvas.get_renderer())
    assert label.get_text() == "integrated_\ngradients"
    assert box.x0 >= 0, f"the strip's name starts {-box.x0:.0f} px left of the figure"


def test_tiny_maps_carry_their_scale_in_the_label():
    plot, _ = _drawn("occlusion_w15", 2.5e-6)
    bottom = plot.axes[2]
    assert bottom.yaxis.get_offset_text().get_text() == ""
    assert bottom.get_ylabel() == "attribution (× 10⁻⁶)"
    low, high = bottom.get_ylim()
    assert 2.0 < max(abs(low), abs(high)) < 10.0  # the ticks read 0 … 5, not 0.000002
    plot, _ = _drawn("saliency", 0.5)
    assert plot.axes[2].get_ylabel() == "attribution"
