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
        assert not differing.any(), f"signal {number}: {differing.sum()} pixels differ from a full draw"


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


def drawn_elements(svg: str) -> tuple[list[tuple], list[str], set[str]]:
    """What an SVG draws, whatever its grouping: every path, text, use, image and clip rectangle with its
    attributes (ids left out), sorted; every id; every id referred to."""
    import re
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    drawn, ids = [], []
    for element in root.iter():
        tag = element.tag.rpartition("}")[2]
        if "id" in element.attrib:
            ids.append(element.attrib["id"])
        if tag in ("path", "text", "use", "image", "rect", "tspan"):
            attributes = tuple(sorted((k, v) for k, v in element.attrib.items() if k != "id"))
            drawn.append((tag, attributes, (element.text or "").strip()))
    referred = set(re.findall(r'url\(#([\w-]+)\)', svg)) | set(re.findall(r'href="#([\w-]+)"', svg))
    return sorted(drawn), ids, referred


def test_spliced_svgs_draw_what_a_full_savefig_draws(tmp_path):
    import io

    import matplotlib

    plot = SignalPlot(LENGTH, 2, RATE, ["I", "II"], ["mV", "mV"])
    plot.still.direct_svg = False  # the splicing (the fallback, and the report's); test_direct_svg.py: the rest
    cases = [(beat(1.5), np.abs(beat(1.0)), False), (beat(30.0, 4), beat(1.0) - 0.5 * beat(1.0, 12), True)]
    for number, (signal, attribution, signed) in enumerate(cases):
        figure = plot.draw(np.repeat(signal, 2, axis=1), attribution[:, 0], f"row {number}", "a meaning", signed)
        path = tmp_path / f"{number}.svg"
        plot.save(path)
        buffer = io.StringIO()
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "signalscreen"}):
            figure.savefig(buffer, format="svg", dpi=PNG_DPI, metadata={"Date": None})
        spliced, ids, referred = drawn_elements(path.read_text())
        full, _, _ = drawn_elements(buffer.getvalue())
        assert spliced == full, f"signal {number}: the spliced SVG draws other elements than a full save"
        assert len(ids) == len(set(ids)), "an id is used twice"
        assert referred <= set(ids), f"references to missing ids: {referred - set(ids)}"
        assert f"row {number}" in path.read_text() and "a meaning" in path.read_text()


def test_report_thumbnails_spliced_draw_what_a_full_save_draws():
    import base64

    from signalscreen_cli.report import figures

    signed = {"occlusion_w15": True, "saliency": False}
    for number, height in enumerate((1.5, 25.0)):  # the second on another scale: new ticks and ranges
        signal = beat(height, number)
        maps = {"occlusion_w15": beat(1.0) - 0.3 * beat(1.0, 20), "saliency": np.abs(beat(1.0 + number))[:, 0]}
        uri, size = figures.signal_maps_uri(signal, maps, signed, RATE, figures.THUMBNAIL_WIDTH)
        figure = figures.signal_maps_figure(signal, maps, signed, RATE, width=figures.THUMBNAIL_WIDTH)
        full = base64.b64decode(figures.as_data_uri(figure).partition(",")[2]).decode()
        spliced = base64.b64decode(uri.partition(",")[2]).decode()
        assert drawn_elements(spliced)[0] == drawn_elements(full)[0], f"thumbnail {number} differs"
        assert size == figures.css_size(figure)


def test_report_class_figures_spliced_draw_what_a_full_save_draws():
    import base64

    from signalscreen_cli.report import figures
    from signalscreen_cli.report.class_figure import class_map_uri, class_plot

    for number, signed in enumerate((False, True)):  # another kind of map: the strip's colours and the zero line
        mean = beat(1.0, 3 * number)[:, 0] - (0.4 * beat(1.0, 25)[:, 0] if signed else 0)
        arrays = (beat(1.5 + number), mean, mean * 0.5, mean * 0.9, mean * 1.3)
        plot = class_plot(arrays[0].shape, RATE, "mV")
        figure = plot.draw(*arrays, signed, f"map{number}", "what it means")
        spliced = base64.b64decode(class_map_uri(plot).partition(",")[2]).decode()
        full = base64.b64decode(figures.as_data_uri(figure).partition(",")[2]).decode()
        assert drawn_elements(spliced)[0] == drawn_elements(full)[0], f"class figure {number} differs"
        assert f"map{number}: what it means" in spliced


def test_png_writer_gives_the_canvas_pixels_and_dpi(tmp_path):
    from signalscreen_cli.plots.png import png_bytes
    from signalscreen_cli.plots.traces import save_figure

    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, (7, 5, 4), dtype=np.uint8)
    path = tmp_path / "x.png"
    path.write_bytes(png_bytes(rgba, 110, "test"))
    image = Image.open(path)
    assert image.mode == "RGB" and image.size == (5, 7)
    np.testing.assert_array_equal(np.asarray(image), rgba[..., :3])
    assert round(image.info["dpi"][0]) == 110 and image.info["Software"] == "test"
    # a figure saved through it has the pixels matplotlib's own savefig writes
    figure = signal_figure(beat(1.5), np.abs(beat(1.0)), "row 0", RATE, "drop in P(N) when occluded", False)
    save_figure(figure, tmp_path / "ours.png", 90)
    figure.savefig(tmp_path / "matplotlib.png", dpi=90)
    ours, theirs = (np.asarray(Image.open(tmp_path / name).convert("RGB")) for name in ("ours.png", "matplotlib.png"))
    np.testing.assert_array_equal(ours, theirs)


def test_kept_layouts_and_glyphs_draw_a_full_draws_pixels(tmp_path):
    """The second time round every text's layout and glyph comes from ``plots/glyphs.py``'s caches (the same
    strings in the same places): the pixels are still a full draw's, and so are a new figure's whose texts
    move by fractions of a pixel (another height of the same plot)."""
    from signalscreen_cli.plots import glyphs

    glyphs.LAYOUTS.clear()
    glyphs.GLYPHS.clear()
    for length in (LENGTH, LENGTH, 150):
        plot = SignalPlot(length, 1, RATE, None, ["mV"])
        for number, height in enumerate((1.5, 0.37, 1.5)):
            signal = beat(height, number)[:length]
            figure = plot.draw(signal, np.abs(beat(1.0))[:length, 0], f"row {number} · saliency", "|∂ logit N / ∂x|")
            path = tmp_path / f"{length}_{number}.png"
            plot.save(path)
            figure.set_dpi(PNG_DPI)
            assert np.array_equal(np.asarray(Image.open(path).convert("RGBA")), pixels_of_savefig(figure))
    assert glyphs.LAYOUTS and glyphs.GLYPHS


def test_the_collector_is_set_aside_while_drawing_and_restored_after():
    import gc

    from signalscreen_cli.plots.quiet_gc import old_objects_frozen

    assert gc.get_freeze_count() == 0
    with old_objects_frozen():
        assert gc.get_freeze_count() > 0
        made = [[]]
        made[0].append(made)  # a cycle made inside is still collected inside
        del made
        assert gc.collect() > 0
    assert gc.get_freeze_count() == 0
    gc.freeze()  # frozen by someone else: left as it is
    try:
        frozen = gc.get_freeze_count()
        with old_objects_frozen():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_kept_layouts_are_the_layouts_matplotlib_computes():
    """``layouts.kept_layouts``: the same boxes and line offsets as a fresh layout, for texts moved, rotated,
    on two lines or changed in between; ``Text._get_layout`` is matplotlib's own again afterwards."""
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from signalscreen_cli.plots.layouts import kept_layouts

    original = Text._get_layout
    figure = Figure(figsize=(4, 3))
    canvas = FigureCanvasAgg(figure)
    renderer = canvas.get_renderer()
    texts = [figure.text(0.1, 0.2, "0.5"), figure.text(0.3, 0.4, "two\nlines", rotation=90, ha="center"),
             figure.text(0.5, 0.5, "−1.0", va="center_baseline", ha="right", fontsize=9)]  # fmt: skip
    for _ in range(2):
        fresh = [(t.get_window_extent(renderer).bounds, original(t, renderer)[1]) for t in texts]
        with kept_layouts():
            for _ in range(2):
                kept = [(t.get_window_extent(renderer).bounds, t._get_layout(renderer)[1]) for t in texts]
                assert kept == fresh
        texts[0].set_position((0.6, 0.7))
        texts[1].set_text("other\ntext")
        texts[2].set_fontsize(12)
    assert Text._get_layout is original
