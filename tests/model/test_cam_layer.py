"""The run says what it did: the CAM methods' layer (the last conv on the main path, not a shortcut listed
after it) in the manifest and on the terminal, and integrated gradients that did not converge."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli import explain
from signalscreen_cli.cli import app
from signalscreen_cli.cli.run_notes import ig_warning, run_notes
from signalscreen_cli.model.cam_layer import default_cam_layer, layer_depths

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "sample_models" / "ecg_cnn.keras"


def inception_time(length: int = 48, seed: int = 0) -> keras.Model:
    """Two InceptionTime-style blocks: bottleneck → parallel convs → concat, plus a 1×1 shortcut conv that
    Keras lists after the block's convs."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((length, 1))
    x = inputs
    for block in range(2):
        bottleneck = keras.layers.Conv1D(4, 1, padding="same", name=f"b{block}_bottleneck")(x)
        branches = [
            keras.layers.Conv1D(4, k, padding="same", name=f"b{block}_conv{k}")(bottleneck) for k in (3, 5, 9)
        ]
        merged = keras.layers.Concatenate(name=f"b{block}_concat")(branches)
        shortcut = keras.layers.Conv1D(12, 1, padding="same", name=f"b{block}_shortcut")(x)
        added = keras.layers.Add(name=f"b{block}_add")([merged, shortcut])
        x = keras.layers.Activation("relu", name=f"b{block}_relu")(added)
    pooled = keras.layers.GlobalAveragePooling1D()(x)
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax", name="head")(pooled))


def test_depths_and_the_main_path_conv_by_hand():
    model = inception_time()
    depths = layer_depths(model)
    assert depths["b0_bottleneck"] == 1 and depths["b0_conv9"] == 2 and depths["b0_shortcut"] == 1
    assert depths["b1_conv3"] == depths["b1_conv9"] == 7 and depths["b1_shortcut"] == 6
    convs = [layer.name for layer in model.layers if isinstance(layer, keras.layers.Conv1D)]
    assert convs[-1] == "b1_shortcut"  # what "the last Conv1D" used to pick: a projection of the block input
    name, why = default_cam_layer(model, convs)
    assert name == "b1_conv9"
    assert why == (
        "the deepest 1D convolution on the main path (7 layers from the input); 'b1_shortcut' is listed later "
        "but lies 1 layer nearer the input (a shortcut)"
    )


def test_a_plain_stack_keeps_its_last_conv():
    model = keras.saving.load_model(SAMPLE, compile=False)
    convs = [layer.name for layer in model.layers if isinstance(layer, keras.layers.Conv1D)]
    assert default_cam_layer(model, convs) == (
        convs[-1],
        "the last 1D convolution, on the main path (the longest from the input)",
    )


@pytest.mark.parametrize("fmt", ["keras", "h5"])
def test_the_manifest_names_the_layer_used(tmp_path, fmt):
    path = tmp_path / f"inception.{fmt}"
    inception_time().save(path)
    signals = np.random.default_rng(0).standard_normal((3, 48)).astype(np.float32)
    np.save(tmp_path / "x.npy", signals)
    result = explain(path, tmp_path / "x.npy", tmp_path / "run", methods=("gradcam", "saliency"), plots=False)
    methods = json.loads((result.out_dir / "manifest.json").read_text())["methods"]
    assert methods["gradcam"]["layer"] is None and methods["gradcam"]["layer_used"] == "b1_conv9"
    assert "a shortcut" in methods["gradcam"]["layer_why"] and "layer_used" not in methods["saliency"]
    assert result.load()["gradcam_raw"].shape == (3, 48)


def test_the_terminal_names_the_layer_and_an_unconverged_integrated_gradients(tmp_path):
    out = tmp_path / "run"
    done = CliRunner().invoke(
        app,
        [
            "explain", str(SAMPLE), str(ROOT / "sample_data" / "ecg_beats.npy"), "--samples", "0:4",
            "-m", "gradcam,integrated_gradients", "--layer", "conv1", "--ig-steps", "4", "--ig-max-steps", "8",
            "--ig-tolerance", "1e-9", "--no-plots", "-o", str(out),
        ],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "gradcam used layer 'conv1': given: --layer conv1" in done.output
    text = " ".join(done.output.split())
    assert "Warning: integrated gradients did not converge: completeness gap up to" in text
    assert "even after refining to 8 nodes" in text


def test_notes_from_a_manifest():
    manifest = {
        "methods": {"integrated_gradients": {"tolerance": 0.01, "max_steps": 1024}},
        "arrays": {"integrated_gradients_delta": {"summary": {"min": 0.0, "mean": 0.5, "max": 22.9}}},
    }
    assert ig_warning(manifest).startswith("integrated gradients did not converge: completeness gap up to 22.9")
    manifest["arrays"]["integrated_gradients_delta"]["summary"]["max"] = 0.005
    assert ig_warning(manifest) is None and run_notes(manifest) == []
