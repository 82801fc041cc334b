"""The Python API with what a notebook holds: a keras.Model, an array, no files; the Explainer's reuse."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
from matplotlib.figure import Figure
from typer.testing import CliRunner

from signalscreen_cli import Explainer, explain
from signalscreen_cli.cli import app
from signalscreen_cli.errors import ModelFileError, SignalFileError

ROOT = Path(__file__).parents[2]
MODEL, DATA = ROOT / "sample_models" / "ecg_cnn.keras", ROOT / "sample_data" / "ecg_beats.npy"
OPTIONS = {"methods": ("occlusion", "saliency", "integrated_gradients", "gradcam"), "samples": "0:12", "steps": 16}


@pytest.fixture(scope="module")
def model():
    return keras.saving.load_model(MODEL, compile=False)


def test_the_api_writes_what_the_cli_writes(tmp_path):
    explain(MODEL, DATA, tmp_path / "api", plots=False, **OPTIONS)
    done = CliRunner().invoke(
        app,
        [
            "explain",
            str(MODEL),
            str(DATA),
            "-m",
            ",".join(OPTIONS["methods"]),
            "--samples",
            "0:12",
            "--steps",
            "16",
            "--no-plots",
            "-q",
            "-o",
            str(tmp_path / "cli"),
        ],
    )
    assert done.exit_code == 0, done.output
    assert (tmp_path / "api" / "attributions.npz").read_bytes() == (tmp_path / "cli" / "attributions.npz").read_bytes()


def test_in_memory_model_and_array_give_the_file_results(tmp_path, model):
    from_files = explain(MODEL, DATA, tmp_path / "files", plots=False, **OPTIONS).load()
    beats = np.load(DATA)
    held = explain(model, beats, **OPTIONS)
    assert not Path("<memory>").exists()
    for name, values in from_files.items():
        np.testing.assert_array_equal(held.arrays[name], values, err_msg=name)
    manifest = held.manifest
    assert manifest["model"]["in_memory"] and manifest["model"]["path"].startswith("<keras.Model ecg_cnn at")
    assert manifest["data"]["in_memory"] and manifest["data"]["path"] == "<array>"
    again = explain(model, beats.copy(), **OPTIONS).manifest
    assert (
        again["data"]["sha256"] == manifest["data"]["sha256"]
        and again["model"]["sha256"] == manifest["model"]["sha256"]
    )
    beats[0, 0] += 1
    assert explain(model, beats, **OPTIONS).manifest["data"]["sha256"] != manifest["data"]["sha256"]


def test_an_explainer_traces_once_for_any_batch_size(model):
    explainer = Explainer(model, ["saliency", "gradcam", "integrated_gradients"], n_steps=8, batch_size=64)
    beats = np.load(DATA).astype(np.float32)
    first = explainer.explain(beats[:1])
    adapter = explainer.adapter
    functions = adapter.compiled_calls()
    assert len(functions) == 4  # forward, logits, gradients and Grad-CAM's compiled map
    traces = [function.experimental_get_tracing_count() for function in functions]
    results = {size: explainer.explain(beats[:size]) for size in (1, 7, 64, 1000 % len(beats) + 3)}
    assert [function.experimental_get_tracing_count() for function in functions] == traces
    np.testing.assert_array_equal(results[1].arrays["saliency"], first.arrays["saliency"])
    singles = [explainer.explain(beats[i : i + 1]) for i in range(7)]  # each signal alone, every method at once
    for name in ("saliency", "gradcam", "integrated_gradients"):
        alone = np.concatenate([single.arrays[name] for single in singles])
        np.testing.assert_allclose(alone, results[7].arrays[name], rtol=1e-4, atol=1e-6, err_msg=name)
    figure = explainer.plot(results[7], 3, "gradcam")
    assert isinstance(figure, Figure) and "signal 3 · gradcam" in figure.axes[0].get_title()


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (np.zeros((2, 187, 1, 1)), SignalFileError, "signals must have shape (L,), (n, L) or (n, L, C)"),
        (np.array([["a"] * 187]), SignalFileError, "signals must be numbers"),
        (np.zeros((2, 100)), Exception, "signals have shape (2, 100, 1) but the model expects (n, 187, 1)"),
    ],
)
def test_bad_arrays_raise_the_errors_the_cli_maps(model, data, error, message):
    with pytest.raises(error) as caught:
        explain(model, data, methods=("saliency",))
    assert message in str(caught.value)


def test_a_model_with_two_inputs_is_refused():
    first, second = keras.Input((187, 1)), keras.Input((187, 1))
    joined = keras.Model([first, second], keras.layers.Dense(2)(keras.layers.Flatten()(first + second)))
    with pytest.raises(ModelFileError, match=r"model has 2 inputs \(.*\), 2 of shape \(L, C\): which takes the signal"):
        explain(joined, np.zeros((2, 187)), methods=("saliency",))


def test_every_result_is_read_the_same_way(tmp_path, model):
    """File-backed, in-memory and Explainer results: arrays, targets, maps, manifest and plot alike."""
    beats = np.load(DATA)[:4]
    options = {"methods": ("saliency", "gradcam"), "class_names": ("N", "V"), "plots": False}
    on_disk = explain(MODEL, DATA, tmp_path / "out", samples="0:4", **options)
    held = explain(model, beats, **options)
    explainer = Explainer(model, ["saliency", "gradcam"], class_names=["N", "V"])
    called = explainer.explain(beats)
    for result in (on_disk, held, called):
        assert result.maps == ["saliency", "gradcam"]
        assert result.targets.tolist() == held.arrays["targets"].tolist() == [0, 0, 0, 0]
        np.testing.assert_allclose(result.load()["saliency"], held.arrays["saliency"], rtol=1e-6)
        assert result.class_names == ["N", "V"]
        figure = result.plot(1, "saliency")
        assert isinstance(figure, Figure)
        assert "P(N) = " in figure.axes[0].get_title()  # the class by name and the model's output for it
        np.testing.assert_array_equal(result.signal(1)[:, 0], beats[1])
    every = explainer.explain(beats[:2], target="all")
    assert every.targets.tolist() == [0, 1] and every.arrays["saliency"].shape == (2, 2, 187, 1)
    assert "P(V)" in every.plot(0, target=1).axes[0].get_title()
