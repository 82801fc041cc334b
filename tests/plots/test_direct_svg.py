"""The per-signal SVG written from the PNG's recorded drawing (``plots/svg.py``) draws what matplotlib's own
full save of the same figure draws: the same trace paths and tick marks, the same texts in the same places
(the same numbers but for the colour bar's label, placed beside its tick labels, up to 1.5 pt further out: the
layout is the PNG's, whose hinted text at 110 dpi measures a little wider than matplotlib's SVG at 72 dpi), the
same colour-bar image; and Chromium renders the two alike."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from signalscreen_cli.plots.traces import PNG_DPI, SignalPlot

LENGTH, RATE = 187, 125.0
SVG = "{http://www.w3.org/2000/svg}"


def beat(height: float, shift: int = 0) -> np.ndarray:
    t = np.arange(LENGTH, dtype=float)
    signal = height * np.exp(-0.5 * ((t - 25 - shift) / 2.0) ** 2) + 0.3 * np.exp(-0.5 * ((t - 52) / 6.0) ** 2)
    signal[90:] = 0.0
    return signal[:, None].astype(np.float32)


CASES = [
    (beat(1.5), np.abs(beat(1.0)), False, "drop in P(N) when occluded"),
    (beat(40.0, 5), beat(1.0) - 0.4 * beat(1.0, 15), True, "x · ∂ logit V / ∂x"),  # another scale and kind
    (beat(0.2, -3), 1e-4 * np.abs(beat(1.0, 10)), False, "|∂ logit N / ∂x|"),  # tiny values: an offset text
    (beat(1.0), np.abs(beat(1.0)), False, "Shapley value of P(N) per segment, a long label"),  # two lines
]


def full_save(figure) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "signalscreen"}):
        figure.savefig(buffer, format="svg", dpi=PNG_DPI, metadata={"Date": None})
    return buffer.getvalue()


def _points(d: str) -> list[tuple[float, float]]:
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", d)]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def primitives(svg: str) -> tuple[list, list, list]:
    """What a document draws, whatever its grouping and ids: stroked polylines (markers placed where their
    ``<use>`` puts them) with their style, texts with their style and place, images."""
    root = ET.fromstring(svg)
    markers = {e.attrib["id"]: e for e in root.iter(f"{SVG}path") if "id" in e.attrib}
    lines, texts, images = [], [], []
    for element in root.iter():
        tag = element.tag.removeprefix(SVG)
        if tag == "path" and "id" not in element.attrib:
            style = element.attrib.get("style", "")
            lines.append((style, tuple(_points(element.attrib["d"]))))
        elif tag == "use":
            marker = markers[element.attrib["{http://www.w3.org/1999/xlink}href"].lstrip("#")]
            x, y = float(element.attrib["x"]), float(element.attrib["y"])
            placed = tuple((x + a, y + b) for a, b in _points(marker.attrib["d"]))
            lines.append((element.attrib.get("style", ""), placed))
        elif tag == "text":
            place = element.attrib.get("transform", "")
            attributes = element.attrib
            texts.append((element.text, attributes["style"], attributes.get("x"), attributes.get("y"), place))
        elif tag == "image":
            images.append(element.attrib["{http://www.w3.org/1999/xlink}href"])
    return lines, texts, images


def _numbers(text: str | None) -> np.ndarray:
    return np.array([float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text or "")])


def assert_same_drawing(direct: str, full: str) -> None:
    ours, theirs = primitives(direct), primitives(full)
    # the lines: the same styles and vertices (the frames, the ticks, the trace's runs), in any order
    def key(line):
        return line[0], tuple((round(x, 3), round(y, 3)) for x, y in line[1])

    assert sorted(map(key, ours[0])) == sorted(map(key, theirs[0]))
    # the texts: the same words and styles; the same places within 1.5 pt (only the colour-bar label moves)
    assert sorted((t[0], t[1]) for t in ours[1]) == sorted((t[0], t[1]) for t in theirs[1])
    for mine in ours[1]:
        match = [t for t in theirs[1] if (t[0], t[1]) == (mine[0], mine[1])]
        place = _numbers(" ".join(filter(None, mine[2:])))
        distances = [np.abs(place - _numbers(" ".join(filter(None, t[2:])))).max() for t in match]
        assert min(distances) < 1.5, f"{mine[0]!r} placed {min(distances):.2f} pt from matplotlib's"
    assert ours[2] == theirs[2]


@pytest.mark.parametrize("channels", [1, 2])
def test_direct_svgs_draw_what_a_full_savefig_draws(tmp_path, channels):
    plot = SignalPlot(LENGTH, channels, RATE, ["I", "II"][:channels] if channels > 1 else None, ["mV"] * channels)
    for number, (signal, attribution, signed, label) in enumerate(CASES):
        figure = plot.draw(np.repeat(signal, channels, axis=1), attribution[:, 0], f"row {number} · <&>", label, signed)
        if number % 2:  # after a PNG of the same drawing (its recording reused), or alone
            plot.save(tmp_path / f"{number}.png")
        plot.save(tmp_path / f"{number}.svg")
        direct = (tmp_path / f"{number}.svg").read_text()
        assert 'id="changing"' in direct, "the direct writer fell back to matplotlib's SVG"
        assert_same_drawing(direct, full_save(figure))
        ids = re.findall(r'id="([^"]+)"', direct)
        assert len(ids) == len(set(ids)), "an id is used twice"
        assert set(re.findall(r"url\(#([\w-]+)\)", direct)) <= set(ids)
        ET.fromstring(direct)


def test_a_png_after_the_svg_is_still_a_full_draw(tmp_path):
    """Recording alone (an SVG first) leaves the PNG path as it was: its pixels are a full draw's."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    plot = SignalPlot(LENGTH, 1, RATE, None, ["mV"])
    for number, (signal, attribution, signed, label) in enumerate(CASES[:2]):
        figure = plot.draw(signal, attribution[:, 0], f"row {number}", label, signed)
        plot.save(tmp_path / f"{number}.svg")
        plot.save(tmp_path / f"{number}.png")
        fast = np.asarray(Image.open(tmp_path / f"{number}.png").convert("RGBA"))
        figure.set_dpi(PNG_DPI)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        assert np.array_equal(fast, np.asarray(canvas.buffer_rgba()))


def test_chromium_renders_the_direct_svg_as_matplotlibs_own(tmp_path):
    """Both documents of each case rendered in headless Chromium (``tests/report/cdp.py``): the same
    picture, but for a few glyph edges of the colour bar's label (placed up to 1.5 pt apart, above)."""
    import sys
    from pathlib import Path

    from PIL import Image

    sys.path.insert(0, str(Path(__file__).parents[1] / "report"))
    from cdp import BROWSER, Chromium

    if BROWSER is None:
        pytest.skip("Chromium is not installed")
    plot = SignalPlot(LENGTH, 2, RATE, ["I", "II"], ["mV", "mV"])
    pages = []
    for number, (signal, attribution, signed, label) in enumerate(CASES[:2]):
        figure = plot.draw(np.repeat(signal, 2, axis=1), attribution[:, 0], f"row {number}", label, signed)
        plot.save(tmp_path / f"direct{number}.svg")
        (tmp_path / f"full{number}.svg").write_text(full_save(figure))
        pages.append((tmp_path / f"direct{number}.svg", tmp_path / f"full{number}.svg"))
    browser = Chromium(BROWSER, width=900, height=460)
    try:
        for direct, full in pages:
            shots = []
            for path in (direct, full):
                browser.navigate(path.as_uri())
                browser.next_frame()
                shot = tmp_path / f"{path.stem}.png"
                shot.write_bytes(browser.screenshot())
                shots.append(np.asarray(Image.open(shot).convert("L"), float))
            ours, theirs = shots
            assert (ours < 128).sum() > 2000, "the direct SVG rendered almost nothing"
            differing = np.abs(ours - theirs) > 64
            # the colour bar's label is the only text placed differently: at most its glyphs' edges differ
            bar_left = int(0.88 * 648 * 96 / 72)
            assert differing[:, :bar_left].sum() == 0, f"{direct.name}: the panels render differently"
            assert differing.sum() < 400, f"{direct.name}: {differing.sum()} pixels differ"
    finally:
        browser.close()


def test_the_overview_svg_with_written_traces_draws_what_matplotlib_draws(tmp_path):
    """``save_figure`` writes the overview's traces itself into matplotlib's SVG of the rest
    (``svg.save_with_traces``): the same paths, texts and images as matplotlib's own save, each trace clipped
    to its column as matplotlib clips it, and the figure's traces left as they were."""
    from signalscreen_cli.plots.overview import overview_figure
    from signalscreen_cli.plots.traces import save_figure

    signals = np.stack([beat(1.5), beat(0.4, 3), beat(30.0, -2)])
    maps = {"occlusion": np.abs(np.stack([beat(1.0), beat(1.0, 5), beat(2.0)]))[..., 0],
            "gradient": np.stack([beat(1.0) - 0.5 * beat(1.0, 10)] * 3)[..., 0]}  # fmt: skip
    figure = overview_figure(signals, maps, ["row 0", "row 1", "row 2"], {"occlusion": False, "gradient": True},
                             RATE, {"occlusion": "drop in P(N) when occluded"}, "mV")  # fmt: skip
    save_figure(figure, tmp_path / "overview.svg", 90)
    ours = (tmp_path / "overview.svg").read_text()
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "signalscreen"}):
        figure.savefig(buffer, format="svg", dpi=90, metadata={"Date": None})
    theirs = buffer.getvalue()
    mine, full = primitives(ours), primitives(theirs)
    assert sorted(mine[0]) == sorted(full[0]) and len(mine[0]) > 6 * 3
    assert sorted(mine[1]) == sorted(full[1])
    assert mine[2] == full[2]
    ids = re.findall(r'id="([^"]+)"', ours)
    assert len(ids) == len(set(ids)) and set(re.findall(r"url\(#([\w-]+)\)", ours)) <= set(ids)
    clip_rects = lambda svg: sorted(re.findall(r"<rect [^>]*/>", svg))  # noqa: E731
    assert set(clip_rects(ours)) == set(clip_rects(theirs))
    assert ours.count('<g id="signalscreen_trace_') == 6


def test_what_the_writer_does_not_write_falls_back_to_matplotlibs_svg(tmp_path):
    """A colour-bar label in mathtext is not written by ``svg.py``: the file is the spliced matplotlib SVG,
    which draws it (as paths), and the next plain figure is written directly again."""
    plot = SignalPlot(LENGTH, 1, RATE, None, ["mV"])
    plot.draw(beat(1.5), np.abs(beat(1.0))[:, 0], "row 0", r"$\partial$ logit N", False)
    plot.save(tmp_path / "0.png")
    plot.save(tmp_path / "0.svg")
    fallback = (tmp_path / "0.svg").read_text()
    assert 'id="changing"' not in fallback and "_moving" in fallback
    ET.fromstring(fallback)
    plot.draw(beat(1.5), np.abs(beat(1.0))[:, 0], "row 1", "|∂ logit N / ∂x|", False)
    plot.save(tmp_path / "1.svg")
    assert 'id="changing"' in (tmp_path / "1.svg").read_text()
