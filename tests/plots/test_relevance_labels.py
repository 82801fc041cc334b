"""The relevance family's colour bars say what the value means, not only the method's name.

LRP (its rule, composite and first-layer rule), DeepLIFT, guided backprop, deconvnet and Guided Grad-CAM get
words from ``plots/labels.py``; a run on the sample model shows them in a per-signal plot, the overview and
the report (SVG and HTML keep text as text, so the words are read back from the files).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from signalscreen_cli.plots.bars import LINE_CHARACTERS, two_lines
from signalscreen_cli.plots.labels import manifest_meanings, map_meaning

ROOT = Path(__file__).parents[2]
RELEVANCE = ("lrp", "deeplift", "guided_backprop", "deconvnet", "guided_gradcam")


@pytest.mark.parametrize(
    ("method", "parameters", "activation", "words"),
    [
        ("lrp", {"lrp_rule": "epsilon", "lrp_composite": "none", "lrp_input_rule": "same"}, "softmax",
         "LRP-ε relevance of logit N"),
        ("lrp", {"lrp_rule": "zero"}, None, "LRP-0 relevance of output N"),
        ("lrp", {"lrp_rule": "gamma", "lrp_input_rule": "zb"}, "softmax",
         "LRP-γ relevance of logit N, first layer z^B"),
        ("lrp", {"lrp_rule": "alpha_beta", "lrp_alpha": 2.0, "lrp_beta": 1.0}, "softmax",
         "LRP-α2β1 relevance of logit N"),
        ("lrp", {"lrp_rule": "epsilon", "lrp_composite": "epsilon_plus_flat"}, "softmax",
         "LRP ε+ flat relevance of logit N"),
        ("deeplift", {"deeplift_rule": "rescale"}, "softmax", "share of Δ logit N (DeepLIFT)"),
        ("deeplift", {"deeplift_rule": "revealcancel"}, "sigmoid", "share of Δ logit N (DeepLIFT-RC)"),
        ("guided_backprop", {}, "softmax", "guided ∂ logit N / ∂x"),
        ("deconvnet", {}, None, "deconvnet ∂ output N / ∂x"),
        ("guided_gradcam", {"relu": True}, "softmax", "guided ∂ logit N / ∂x × Grad-CAM"),
        ("guided_gradcam", {"relu": False}, "softmax", "guided ∂ logit N / ∂x × Grad-CAM, no ReLU"),
    ],
)  # fmt: skip
def test_relevance_meanings(method, parameters, activation, words):
    assert map_meaning(method, parameters, "N", activation) == words


def test_every_built_in_method_has_words():
    """A new built-in method without an entry here would show "attribution" on its colour bars."""
    from signalscreen_cli.methods import builtin_methods

    names = list(builtin_methods())
    assert set(RELEVANCE) <= set(names)
    missing = [name for name in names if map_meaning(name, {}, "N", "softmax") == "attribution"]
    assert missing == []


def test_long_bar_labels_go_on_two_lines():
    assert two_lines("drop in P(N) when occluded") == "drop in P(N) when occluded"
    broken = two_lines("LRP ε+ flat relevance of logit N")
    assert broken == "LRP ε+ flat\nrelevance of logit N"
    assert all(len(line) <= LINE_CHARACTERS for line in broken.split("\n"))


def test_a_relevance_run_writes_the_words_in_plots_overview_and_report(tmp_path):
    from typer.testing import CliRunner

    from signalscreen_cli.cli import app

    out = tmp_path / "run"
    done = CliRunner().invoke(
        app,
        [
            "explain", str(ROOT / "sample_models" / "ecg_cnn.keras"), str(ROOT / "sample_data" / "ecg_beats.npy"),
            "--samples", "0:3", "-m", ",".join(RELEVANCE), "--class-names", "N,V", "--max-plots", "1",
            "--format", "svg", "--report", "-q", "-o", str(out),
        ],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    import numpy as np

    manifest = json.loads((out / "manifest.json").read_text())
    with np.load(out / "attributions.npz") as arrays:
        target = manifest["class_names"][int(arrays["targets"][0])]  # the one plotted signal's
    meanings = manifest_meanings(manifest, target)
    report = html.unescape((out / "report.html").read_text())
    overview = html.unescape((out / "overview.svg").read_text())
    for name in RELEVANCE:
        words = meanings[name]
        assert words != "attribution" and words.startswith(map_meaning(name, {}, target, "softmax")[:5])
        plot = html.unescape(next((out / "plots").glob(f"0_{name}*.svg")).read_text())
        for line in two_lines(words).split("\n"):
            assert line in plot, f"{name}: {line!r} not in its plot"
        assert words in overview, f"{name}: {words!r} not in the overview"
        assert words in report, f"{name}: {words!r} not in the report"
