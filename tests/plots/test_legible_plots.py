"""Plots a reader can read: the trace keeps 3:1 contrast against white along its whole length, every panel has
ticks and labels, every colour bar says what its value means, and no text is under 9 pt.

The figures are rendered with Agg and their pixels read back, so a colour map whose low end fades into the
background (the old ``inferno_r``: 1.07:1) or a missing colour bar fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colorbar import Colorbar
from matplotlib.text import Text

from signalscreen_cli.plots.colours import colour_map, contrast
from signalscreen_cli.plots.labels import amplitude_label, manifest_meanings, map_meaning
from signalscreen_cli.plots.overview import AMPLITUDE_MARKS, overview_figure, row_scale, to_band
from signalscreen_cli.plots.traces import signal_figure
from signalscreen_cli.report import figures

ROOT = Path(__file__).parents[2]
LENGTH, RATE = 187, 125.0


def beat(shift: float = 0.0) -> np.ndarray:
    """A QRS-like spike and a T wave, then a flat zero-padded tail, ``(L, 1)``."""
    t = np.arange(LENGTH, dtype=float)
    signal = 1.5 * np.exp(-0.5 * ((t - 25 - shift) / 2.0) ** 2) + 0.3 * np.exp(-0.5 * ((t - 52) / 6.0) ** 2)
    signal[90:] = 0.0
    return signal[:, None].astype(np.float32)


def salient(signed: bool = False) -> np.ndarray:
    """Attribution on the spike only: every other position is (near) zero, where the old maps vanished."""
    t = np.arange(LENGTH, dtype=float)
    values = np.exp(-0.5 * ((t - 25) / 3.0) ** 2)
    if signed:
        values -= 0.5 * np.exp(-0.5 * ((t - 40) / 3.0) ** 2)
    return values[:, None]


def rendered(figure) -> np.ndarray:
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3] / 255.0


def trace_contrast(figure, axes, time: np.ndarray, signal: np.ndarray) -> np.ndarray:
    """Per drawn point of the trace, the contrast against white of the darkest pixel within 1 px of it."""
    pixels = rendered(figure)
    height = pixels.shape[0]
    points = axes.transData.transform(np.column_stack([time, signal]))
    found = []
    for x, y in points:
        column, row = int(np.rint(x)), int(np.rint(height - y))
        patch = pixels[max(row - 1, 0) : row + 2, max(column - 1, 0) : column + 2].reshape(-1, 3)
        found.append(contrast(patch).max())
    return np.array(found)


def texts(figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("signed", [False, True])
def test_every_colour_of_the_maps_keeps_3_to_1_contrast_on_white(signed):
    colours = colour_map(signed)(np.linspace(0, 1, 256))
    assert contrast(colours).min() >= 3.0


def test_the_contrast_measure_by_hand():
    # WCAG 2.1: black on white is 21:1, #767676 on white 4.54:1, inferno_r's pale low end fails.
    assert contrast(np.zeros(3)) == pytest.approx(21.0)
    assert contrast(np.array([0x76, 0x76, 0x76]) / 255) == pytest.approx(4.54, abs=0.01)
    from matplotlib import colormaps

    assert contrast(colormaps["inferno_r"](0.0)[:3]) < 1.2


@pytest.mark.parametrize("signed", [False, True])
def test_the_whole_trace_is_visible_in_a_signal_plot(signed):
    signal, attribution = beat(), salient(signed)
    figure = signal_figure(signal, attribution, "row 0", RATE, "drop in P(N) when occluded", signed, units=["mV"])
    axes = figure.axes[0]
    time = np.arange(LENGTH) / RATE
    seen = trace_contrast(figure, axes, time, signal[:, 0])
    assert seen.min() >= 3.0, f"the trace fades at {np.argmin(seen)} s: {seen.min():.2f}:1"
    assert axes.get_ylabel() == "amplitude (mV)" and axes.get_xlabel() == "time (s)"
    assert len(axes.get_xticks()) >= 3 and len(axes.get_yticks()) >= 3
    bars = [a for a in figure.axes if a is not axes]
    assert len(bars) == 1 and bars[0].get_ylabel() == "drop in P(N) when occluded"
    assert min(t.get_fontsize() for t in texts(figure)) >= 9


def test_the_overview_has_ticks_a_colour_bar_per_column_and_a_visible_trace():
    signals = np.stack([beat(0), beat(3) * 20, beat(-2)])  # the middle row on another scale
    maps = {"occlusion_w15": np.stack([salient(True)] * 3), "saliency": np.stack([salient()] * 3)[..., 0]}
    meanings = {"occlusion_w15": "drop in P(N) when occluded", "saliency": "|∂ logit N / ∂x|"}
    figure = overview_figure(
        signals, maps, ["row 0 (N)", "row 1 (N)", "row 2 (N)"], {"occlusion_w15": True, "saliency": False}, RATE,
        meanings, "mV",
    )  # fmt: skip
    colourbars = [a for a in figure.axes if isinstance(getattr(a, "_colorbar", None), Colorbar)]
    columns = [a for a in figure.axes if a not in colourbars]
    assert len(columns) == 2 and len(colourbars) == 2
    labels = sorted(bar.get_xlabel() for bar in colourbars)
    assert labels[0].startswith("drop in P(N) when occluded") and labels[1].startswith("|∂ logit N / ∂x|")
    scales = [row_scale(signal[:, 0], row, 3) for row, signal in enumerate(signals)]
    for number, axes in enumerate(columns):
        assert len(axes.get_xticks()) >= 3 and axes.get_xlabel() == "time (s)"
        if number == 0:
            ticks = axes.get_yticks()
        else:  # unlabelled: the same places as tick marks of one collection
            marks = [c for c in axes.collections if c.get_label() == AMPLITUDE_MARKS]
            ticks = np.array([segment[0][1] for segment in marks[0].get_segments()])
            np.testing.assert_allclose(ticks, columns[0].get_yticks())
        for *_, bottom, top in scales:  # every row's panel has amplitude ticks of its own
            assert ((ticks >= bottom) & (ticks <= top)).sum() >= 2
    # the amplitudes are written once per row (first column), true to the row's own scale
    written = {t.get_text(): t.get_position()[1] for t in columns[0].get_yticklabels() if t.get_text()}
    assert "20" in written and scales[1][2] < written["20"] < scales[1][3]  # row 1's peak is 20 × row 0's
    assert not [t for t in columns[1].get_yticklabels() if t.get_visible() and t.get_text()]
    words = [t.get_text() for t in texts(figure)]
    assert "row 1 (N)\namplitude (mV)" in words
    time = np.arange(LENGTH) / RATE
    for row, signal in enumerate(signals):  # column 0, each row
        placed = to_band(signal[:, 0], scales[row])
        assert trace_contrast(figure, columns[0], time, placed).min() >= 3.0
    assert min(t.get_fontsize() for t in texts(figure)) >= 9


def test_report_thumbnails_are_drawn_at_their_size_with_9_pt_text():
    maps = {"occlusion_w15": salient(True), "saliency": salient(), "gradcam": salient()[:, 0]}
    signed = {"occlusion_w15": True, "saliency": False, "gradcam": False}
    figure = figures.signal_maps_figure(beat(), maps, signed, RATE, width=figures.THUMBNAIL_WIDTH)
    assert figure.get_size_inches()[0] == figures.THUMBNAIL_WIDTH
    shown = texts(figure)
    assert min(t.get_fontsize() for t in shown) >= 9
    scales = sorted(t.get_text() for t in shown if t.get_text().startswith(("±", "0–")))
    assert scales == ["0–1", "0–1", "±1"]  # every strip carries its range


def test_the_class_figure_names_what_its_value_means():
    figure = figures.class_map_figure(
        beat(), salient(), salient() * 0.5, salient() * 0.9, salient() * 1.2, False, RATE, "saliency",
        "|∂ logit N / ∂x|", "mV",
    )  # fmt: skip
    words = [t.get_text() for t in texts(figure)]
    assert "saliency: |∂ logit N / ∂x|" in words and "mean\namplitude (mV)" in words
    assert min(t.get_fontsize() for t in texts(figure)) >= 9


def test_meanings_per_method_and_target():
    assert map_meaning("occlusion", {}, "N", "softmax") == "drop in P(N) when occluded"
    assert map_meaning("saliency", {}, "V", "softmax") == "|∂ logit V / ∂x|"
    assert map_meaning("gradcam", {"relu": False}, "N", "sigmoid") == "Grad-CAM of logit N, no ReLU"
    assert map_meaning("occlusion", {}, "0", None) == "drop in output 0 when occluded"
    assert map_meaning("someplugin", {}, "N", "softmax") == "attribution"
    assert amplitude_label(None) == "amplitude" and amplitude_label("mV", "MLII") == "MLII (mV)"


def test_a_runs_manifest_gives_the_words(tmp_path):
    from signalscreen_cli import explain

    result = explain(
        ROOT / "sample_models" / "ecg_cnn.keras", ROOT / "sample_data" / "ecg_beats.npy", tmp_path / "run",
        methods=("occlusion", "saliency", "gradcam"), samples="0:4", max_plots=2, class_names=("N", "V"),
    )  # fmt: skip
    manifest = json.loads((result.out_dir / "manifest.json").read_text())
    assert manifest_meanings(manifest, "N") == {
        "occlusion_w15": "drop in P(N) when occluded",
        "saliency": "|∂ logit N / ∂x|",
        "gradcam": "Grad-CAM of logit N, ReLU",
        "gradcam_raw": "Grad-CAM of logit N, ReLU",
    }
    assert (result.out_dir / "overview.png").is_file() and (result.out_dir / "plots" / "0_saliency.png").is_file()


def test_compare_figures_are_in_seconds_with_the_sampling_rate():
    from signalscreen_cli.comparison.plots import class_means_figure, least_similar_figure
    from signalscreen_cli.comparison.scores import score_pair

    rng = np.random.default_rng(0)
    a = np.stack([salient()[:, 0] + 0.01 * rng.standard_normal(LENGTH) for _ in range(3)])
    pair = score_pair("saliency", "saliency", a, a[::-1], 10)
    figure = least_similar_figure(pair, np.arange(3), 2, RATE)
    axes = figure.axes[-1]
    assert axes.get_xlabel() == "time (s)" and axes.lines[0].get_xdata()[-1] == pytest.approx((LENGTH - 1) / RATE)
    assert "Pearson r" in figure.axes[0].get_title()
    assert min(t.get_fontsize() for t in texts(figure)) >= 9
    classes = [{"class": "N", "signals": 3, "mean_map_a": a.mean(0).tolist(), "mean_map_b": a.mean(0).tolist()}]
    assert class_means_figure(pair, classes, RATE).axes[-1].get_xlabel() == "time (s)"
    assert class_means_figure(pair, classes, None).axes[-1].get_xlabel() == "sample"


def test_unit_option_labels_the_amplitude_axis(tmp_path):
    from typer.testing import CliRunner

    from signalscreen_cli.cli import app
    from signalscreen_cli.plots.labels import reading_units

    out = tmp_path / "run"
    done = CliRunner().invoke(
        app,
        [
            "explain", str(ROOT / "sample_models" / "ecg_cnn.keras"), str(ROOT / "sample_data" / "ecg_beats.npy"),
            "--samples", "0:2", "-m", "saliency", "--unit", "mV", "--max-plots", "1", "--format", "svg", "-q",
            "-o", str(out),
        ],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["unit"] == "mV" and reading_units(manifest) == ["mV"]
    # SVG text stays text: the labels can be read back
    assert "amplitude (mV)" in (out / "plots" / "0_saliency.svg").read_text()
    assert "amplitude (mV)" in (out / "overview.svg").read_text()
    assert reading_units({"data": {"reading": {"units": ["mV", "uV"]}}}) == ["mV", "uV"]
    assert reading_units({}) is None
