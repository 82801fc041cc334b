"""The ground-truth sample: its files come from the seeded script, and its model is scored against the answer."""

import importlib.util
import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from signalscreen_cli.cli import app

ROOT = Path(__file__).parents[2]
DATA, TRUTH = ROOT / "sample_data" / "planted.npy", ROOT / "sample_data" / "planted_truth.npy"
MODEL = ROOT / "sample_models" / "planted_cnn.keras"


def _script():
    spec = importlib.util.spec_from_file_location("make_planted", ROOT / "sample_data" / "make_planted.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_signals_and_masks_are_the_scripts():
    signals, masks, labels = _script().make_signals(300, 0)
    assert np.array_equal(np.load(DATA), signals) and np.array_equal(np.load(TRUTH), masks)
    assert np.array_equal(np.load(ROOT / "sample_data" / "planted_labels.npy"), labels)
    assert (masks.sum(axis=1) == np.where(labels < 2, 16, 0)).all()  # one 16-sample pattern, none for "none"


def test_the_sample_model_points_at_the_pattern_not_the_distractor(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "evaluate", str(MODEL), str(DATA), "--truth", str(TRUTH), "-m", "gradcam,saliency", "--samples", "0:60",
            "--class-names", "burst,step,none", "--no-randomization", "--no-plots", "--fail-on", "truth",
            "--fail-on", "pointing-game=0.6", "-o", str(out), "-q",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads((out / "evaluation.json").read_text())["truth"]["rows"]
    assert {row["class"] for row in rows} == {"all", "burst", "step"}  # "none" has no mask
    gradcam = next(row for row in rows if row["map"] == "gradcam" and row["class"] == "all")
    with_pattern = int((np.load(ROOT / "sample_data" / "planted_labels.npy")[:60] < 2).sum())
    assert gradcam["signals"] == with_pattern and gradcam["mass_accuracy"] > 0.6
