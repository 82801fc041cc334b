"""Targets as objects: parsed once, classes by index or by name, over output steps."""

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.errors import UsageError
from signalscreen_cli.targets import Target

ROOT = Path(__file__).parents[2]
MODEL, DATA = ROOT / "sample_models/ecg_cnn.keras", ROOT / "sample_data/ecg_beats.npy"


def test_targets_select_per_signal_classes():
    predictions = np.array([[0.2, 0.8], [0.9, 0.1], [0.4, 0.6]], np.float32)
    assert Target.parse("auto").select(predictions).tolist() == [1, 0, 1]
    assert Target.parse("0").select(predictions).tolist() == [0, 0, 0]
    assert Target.parse("V", ("N", "V")).select(predictions).tolist() == [1, 1, 1]
    assert Target.parse("all").select(predictions).tolist() == [0, 1]
    assert Target.parse("all").every_class and not Target.parse("N", ("N", "V")).every_class
    assert Target.parse("auto").select(predictions[:, :1]).tolist() == [0, 0, 0]  # one unit: that unit
    with pytest.raises(UsageError, match=r"--target 2 is outside the model's outputs 0\.\.1"):
        Target.parse("2").select(predictions)


def test_a_class_name_needs_class_names_and_an_unknown_one_lists_them():
    with pytest.raises(UsageError, match=r"a class index or a class name \(N, V\)") as known:
        Target.parse("S", ("N", "V"))
    assert known.value.hint is None
    with pytest.raises(UsageError) as nameless:
        Target.parse("V")
    assert "--class-names" in nameless.value.hint


def test_the_cli_takes_a_class_by_name(tmp_path):
    runner = CliRunner()
    common = ["explain", str(MODEL), str(DATA), "-m", "saliency", "--samples", "0:3", "--no-plots", "-q"]
    named = runner.invoke(app, [*common, "--class-names", "N,V", "--target", "V", "-o", str(tmp_path / "named")])
    assert named.exit_code == 0, named.output
    indexed = runner.invoke(app, [*common, "--target", "1", "-o", str(tmp_path / "indexed")])
    assert indexed.exit_code == 0, indexed.output
    with np.load(tmp_path / "named/attributions.npz") as a, np.load(tmp_path / "indexed/attributions.npz") as b:
        assert a["targets"].tolist() == [1, 1, 1]
        np.testing.assert_array_equal(a["saliency"], b["saliency"])
    unknown = runner.invoke(app, [*common, "--class-names", "N,V", "--target", "S", "-o", str(tmp_path / "bad")])
    assert unknown.exit_code == 2 and "a class name (N, V)" in unknown.output and not (tmp_path / "bad").exists()


def test_the_api_takes_a_class_by_name():
    import keras

    from signalscreen_cli import Explainer

    model = keras.models.load_model(MODEL)
    x = np.load(DATA)[:2]
    explainer = Explainer(model, ["saliency"], class_names=["N", "V"], target="V")
    assert explainer.explain(x).arrays["targets"].tolist() == [1, 1]
    assert explainer.explain(x, target="N").arrays["targets"].tolist() == [0, 0]
