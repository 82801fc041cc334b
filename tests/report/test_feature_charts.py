"""The report's bar charts of a multi-input run's other inputs, and the names of their features.

Known answers on the hand-weighted ``f(x, m) = w·x + v·m`` (``tests/zoo.py``): for the signals explained for
class k, saliency of ``m`` is ``|v_k|`` on every signal and integrated gradients (zero baselines) ``v_k ⊙ m``,
so the class means the report draws are ``|v_k|`` and ``v_k ⊙ mean(m)``.
"""

from __future__ import annotations

import base64
import html
import re
import shutil

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from tests.zoo import linear_two_input

L, C, F, K = 10, 1, 3, 2
RNG = np.random.default_rng(11)
W = RNG.normal(size=(L * C, K)).astype(np.float32)
V = np.array([[0.5, -2.0], [3e-3, 4.0], [-1.5, 0.25]], np.float32)  # (F, K)
X = RNG.normal(size=(8, L, C)).astype(np.float32)
M = RNG.normal(size=(8, F)).astype(np.float32)
FEATURES = ("age", "sex", "bmi")
BROWSER = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("feature_report")
    linear_two_input(L, C, W, V).save(folder / "linear.keras")
    np.save(folder / "x.npy", X)
    rows = "\n".join(",".join(f"{value:.9g}" for value in row) for row in M)
    (folder / "meta.csv").write_text("id," + ",".join(FEATURES) + "\n" + "\n".join(
        f"{i},{line}" for i, line in enumerate(rows.splitlines())
    ) + "\n")  # fmt: skip
    out = folder / "out"
    result = invoke(
        "explain", folder / "linear.keras", folder / "x.npy", "--input", f"meta={folder / 'meta.csv'}:age+sex+bmi",
        "-m", "saliency,integrated_gradients", "--steps", "8", "--class-names", "A,B", "--no-plots", "--report",
        "-q", "-o", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def _feature_figures(page: str) -> list[tuple[str, str]]:
    """(alt text, SVG text) of each figure of the other inputs."""
    found = re.findall(r'<figure class="features">\s*<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', page)
    return [(html.unescape(alt), base64.b64decode(data).decode("utf-8")) for data, alt in found]


def test_the_report_draws_each_class_mean_of_the_other_input(run):
    import json

    targets = np.load(run / "attributions.npz")["targets"]
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["model"]["inputs"]["others"]["meta"]["features"] == list(FEATURES)
    figures = _feature_figures((run / "report.html").read_text(encoding="utf-8"))
    classes = sorted(set(targets.tolist()))
    assert len(figures) == len(classes)  # one per class explained, in the class's own section
    for (alt, svg), k in zip(figures, classes, strict=True):
        name = "AB"[k]
        assert f"for class {name}" in alt
        ending = r"\): (.+?)(?:; |\.$)"
        saliency = re.search(r"saliency \(\|∂ output " + name + r" / ∂ meta\|" + ending, alt)
        integrated = re.search(r"integrated_gradients \(contribution to output " + name + r" \(IG\)" + ending, alt)
        assert saliency and integrated, alt
        for text, expected in ((saliency[1], np.abs(V[:, k])), (integrated[1], V[:, k] * M[targets == k].mean(0))):
            pairs = dict(part.rsplit(" ", 1) for part in text.split(", "))
            assert list(pairs) == list(FEATURES)  # named by the CSV header, not meta[0], meta[1]
            np.testing.assert_allclose([float(v) for v in pairs.values()], expected, rtol=5e-3, atol=1e-6)  # 3 digits
        for word in (*FEATURES, f"|∂ output {name} / ∂ meta|", f"contribution to output {name} (IG)"):
            assert html.escape(word, quote=False) in svg  # text stays text in the SVG
        sizes = [float(size) for size in re.findall(r"font(?:-size)?:\s*(?:[a-z]+\s+)*([0-9.]+)px", svg)]
        assert sizes and min(sizes) >= 9.0  # the figure is shown at its own size: 9 pt at 100 % zoom


def test_a_one_input_run_has_no_feature_charts(tmp_path):
    from signalscreen_cli.report.feature_sections import feature_arrays

    assert feature_arrays({"arrays": {"saliency": {"kind": "attribution"}}, "model": {}}) == {}
    others = {"ppg": {"shape": [400, 2]}}
    ppg = {"model": {"inputs": {"others": others}}, "arrays": {"saliency.ppg": {"kind": "feature"}}}
    assert feature_arrays(ppg) == {}  # another signal input's map: its own run draws it


def test_a_tiny_scale_is_written_in_the_axis_label_not_in_the_corner():
    from signalscreen_cli.plots.feature_charts import class_feature_figure, feature_figure
    from signalscreen_cli.plots.scale import power_of_ten, scaled_label

    assert power_of_ten(np.array([2.4e-7, -1e-8])) == -7
    assert power_of_ten(np.array([0.5, 120.0])) == 0
    assert scaled_label("drop in P(N)", -7) == "drop in P(N) (× 10⁻⁷)"
    values = np.array([1.5e-7, 2.2e-7])
    panel = {"method": "saliency", "meaning": "|∂ logit N / ∂ age_sex|", "mean": values, "low": values, "high": values}
    figure = class_feature_figure([panel], ["age", "sex"], 6.4, "class N")
    figure.canvas.draw()
    axes = figure.axes[0]
    assert axes.get_xlabel() == "|∂ logit N / ∂ age_sex| (× 10⁻⁷)"
    assert axes.xaxis.get_offset_text().get_text() == ""
    np.testing.assert_allclose([bar.get_width() for bar in axes.patches], [1.5, 2.2])
    grouped = feature_figure("saliency.age_sex", {0: values * 4}, {0: 4}, ["N"], ["age", "sex"], "|∂ logit class|")
    grouped.canvas.draw()
    assert grouped.axes[0].get_ylabel().endswith("(× 10⁻⁷)")
    assert grouped.axes[0].yaxis.get_offset_text().get_text() == ""
    assert [t.get_text() for t in grouped.axes[0].get_xticklabels()] == ["age", "sex"]


def test_feature_names_come_from_the_csv_header(tmp_path):
    from signalscreen_cli.signals.context_files import csv_columns

    path = tmp_path / "beats.csv"
    path.write_text("s0,s1,age,sex\n0.1,0.2,61,1\n0.3,0.4,47,0\n")
    values, names = csv_columns(path, "age+3")
    np.testing.assert_array_equal(values, [[61, 1], [47, 0]])
    assert names == ["age", "sex"]
    bare = tmp_path / "bare.csv"
    bare.write_text("0.1,0.2,61,1\n0.3,0.4,47,0\n")
    assert csv_columns(bare, "2+3")[1] is None  # no header: the charts say age_sex[0], age_sex[1]


@pytest.mark.skipif(BROWSER is None, reason="Chromium is not installed (apt-get install chromium; .ci/run does)")
@pytest.mark.parametrize("width", [1280, 390])
def test_the_charts_are_shown_at_their_own_size_in_chromium(run, width):
    """9 pt text stays 9 pt in a real browser: the chart is never shrunk, and it is drawn (not blank)."""
    import io

    from matplotlib.image import imread

    from tests.report.cdp import Chromium

    browser = Chromium(BROWSER, width=width, height=900)
    try:
        browser.navigate((run / "report.html").as_uri())
        browser.next_frame()
        shown = browser.evaluate(
            """[...document.querySelectorAll('figure.features img')].map(image => {image.scrollIntoView();
               const box = image.getBoundingClientRect();
               return {shown: box.width, natural: image.naturalWidth, top: box.top, left: box.left,
                       height: box.height, complete: image.complete};})"""
        )
        assert shown and all(image["complete"] for image in shown)
        assert all(image["shown"] >= image["natural"] - 1 for image in shown), shown
        last = shown[-1]  # scrolled into view last: its pixels are on the screenshot
        pixels = imread(io.BytesIO(browser.screenshot()))[..., :3]
        top, left = max(0, round(last["top"])), max(0, round(last["left"]))
        area = pixels[top : top + round(last["height"]), left : left + min(width, round(last["shown"]))]
        assert (area.mean(axis=2) < 0.5).mean() > 0.02  # bars, ticks and words drawn dark on white
    finally:
        browser.close()
