"""The propagation methods from the command line: the issue's commands on the sample model, the manifest's
per-layer record, ``methods`` listing them with their papers, and the exact refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from tests.zoo import recurrent_model

ROOT = Path(__file__).parents[2]
MODEL = ROOT / "sample_models" / "ecg_cnn.keras"
DATA = ROOT / "sample_data" / "ecg_beats.npy"
NEW = ("lrp", "deeplift", "guided_backprop", "deconvnet", "guided_gradcam")


def invoke(*args) -> object:
    return CliRunner().invoke(app, [str(arg) for arg in args])


def test_lrp_composite_on_the_sample_model(tmp_path):
    out = tmp_path / "out"
    result = invoke("explain", MODEL, DATA, "-m", "lrp", "--lrp-composite", "epsilon_plus_flat", "--samples", "0:4",
                    "--no-plots", "-o", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    arrays = np.load(out / "attributions.npz")
    assert arrays["lrp"].shape == (4, 187, 1) and arrays["lrp_absorbed"].shape == (4,)
    recorded = json.loads((out / "manifest.json").read_text())["arrays"]["lrp"]["parameters"]
    assert recorded["lrp_composite"] == "epsilon_plus_flat"
    assert recorded["layers"] == {
        "conv1": "flat",
        "pool1": "winner takes all",
        "conv2": "zplus",
        "gap": "proportional share",
        "logits": "epsilon",
    }


def test_deeplift_and_guided_gradcam_on_the_sample_model(tmp_path):
    out = tmp_path / "out"
    result = invoke("explain", MODEL.with_suffix(".h5"), DATA, "-m", "deeplift,guided_gradcam", "--baseline", "mean",
                    "--samples", "0:4", "--no-plots", "-o", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    arrays = np.load(out / "attributions.npz")
    assert arrays["deeplift"].shape == arrays["guided_gradcam"].shape == (4, 187, 1)
    assert np.abs(arrays["deeplift_delta"]).max() < 1e-4
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["methods"]["deeplift"]["baselines"] == "mean"
    assert manifest["arrays"]["deeplift"]["parameters"]["layers"]["pool1"] == "rescale at the winner"


def test_methods_lists_them_with_their_papers():
    result = invoke("methods", "--json")
    assert result.exit_code == 0, result.output
    described = {entry["name"]: entry for entry in json.loads(result.output)}
    for name in NEW:
        assert described[name]["paper"] and described[name]["summary"], name
    assert "Montavon et al. 2019" in described["lrp"]["paper"]
    flags = {flag for field in described["lrp"]["parameters"] for flag in field["flags"]}
    assert {"--lrp-rule", "--lrp-composite", "--lrp-epsilon", "--lrp-gamma", "--lrp-alpha", "--lrp-beta"} <= flags


@pytest.fixture(scope="module")
def lstm(tmp_path_factory):
    path = tmp_path_factory.mktemp("lstm") / "lstm.keras"
    recurrent_model().save(path)
    data = path.with_name("x.npy")
    np.save(data, np.random.default_rng(0).normal(size=(3, 32)).astype(np.float32))
    return path, data


@pytest.mark.parametrize("method", NEW)
def test_a_recurrent_model_is_refused_with_exit_6(tmp_path, lstm, method):
    model, data = lstm
    out = tmp_path / "out"
    result = invoke("explain", model, data, "-m", method, "--no-plots", "-o", out)
    assert result.exit_code == 6, result.output
    lines = result.output.strip().splitlines()
    if method == "guided_gradcam":  # its Grad-CAM half is refused first: the model has no conv layer
        assert lines[0] == "Error: the model has no Conv1D layer, which the CAM methods need"
    else:
        assert lines[0].startswith("Error: layer 'lstm") and "(LSTM) has no propagation rule" in lines[0]
        assert "saliency, gradient_x_input, integrated_gradients" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "options, message",
    [
        (["--lrp-alpha", "2", "--lrp-beta", "0.5"], "α − β must be 1"),
        (["--lrp-composite", "epsilon_minus"], "--lrp-composite must be one of"),
        (["--lrp-low", "0", "--lrp-high", "1", "--lrp-input-rule", "zb"], "do not hold every input value"),
    ],
)
def test_bad_lrp_options_are_usage_errors(tmp_path, options, message):
    out = tmp_path / "out"
    result = invoke("explain", MODEL, DATA, "-m", "lrp", *options, "--samples", "0:2", "--no-plots", "-o", out)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and message in result.output and "Traceback" not in result.output
    assert not out.exists()
