"""Per-time-step models (outputs ``(L', K)``): ``--target CLASS@START:END`` attributes the sum of that class's
outputs over those steps, for every method."""

from pathlib import Path

import keras
import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode
from signalscreen_cli.methods import builtin_methods, get_method
from signalscreen_cli.model.files import load_model
from signalscreen_cli.targets import Target
from tests.methods.table import quick

LENGTH = 24


def pointwise_model(functional: bool = False) -> keras.Model:
    """A per-step classifier whose step ``t`` reads ``x[t]`` alone: 1-wide convolutions and a per-step softmax."""
    keras.utils.set_random_seed(3)
    layers = [
        keras.layers.Conv1D(4, 1, activation="tanh", name="c1"),
        keras.layers.Conv1D(3, 1, name="logits"),
        keras.layers.Softmax(name="probs"),
    ]
    inputs = keras.Input((LENGTH, 1))
    if not functional:
        return keras.Sequential([inputs, *layers], name="pointwise")
    x = inputs
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x, name="pointwise_functional")


@pytest.fixture(scope="module", params=[".keras", ".h5"])
def saved(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("per_step") / f"pointwise{request.param}"
    pointwise_model(functional=request.param == ".h5").save(path)
    return path


@pytest.fixture(scope="module")
def signals():
    return np.random.default_rng(4).normal(size=(3, LENGTH, 1)).astype(np.float32)


@pytest.mark.parametrize("name", [name for name in builtin_methods() if name not in ("segment_shapley", "freqrise")])
def test_every_method_attributes_one_step_to_that_sample_alone(saved, signals, name):
    adapter = load_model(saved, output_steps=(7, 8))
    assert adapter.n_outputs == 3 and adapter.output_length == LENGTH
    method = get_method(name)(**quick(name), **({"sliding_window": (1,)} if name == "occlusion" else {}))
    arrays = method.attribute(adapter, signals, np.array([0, 1, 2], np.int32))
    maps = arrays[name if name != "occlusion" else "occlusion_w1"]
    if method.family == "layer":
        raw = arrays[f"{name}_raw"]
        assert raw.shape == (3, LENGTH) and np.isfinite(raw).all()  # the CAM of a per-step head is defined
        return
    if maps.ndim == 3 and maps.shape[1] != LENGTH:
        return  # a band map: every band holds some of sample 7
    away = np.delete(maps, 7, axis=1)
    assert np.abs(away).max() <= 1e-6 * max(np.abs(maps).max(), 1e-12), name
    assert np.abs(maps[:, 7]).max() > 0, name


def test_the_score_is_the_sum_over_the_steps(saved, signals):
    model = keras.saving.load_model(saved)
    probabilities = model.predict(signals, verbose=0)
    adapter = load_model(saved, output_steps=(3, 9))
    np.testing.assert_allclose(adapter.predict(signals), probabilities[:, 3:9].sum(axis=1), rtol=1e-5)
    logit_model = keras.Model(model.inputs, model.get_layer("logits").output)
    logits = logit_model.predict(signals, verbose=0)[:, 3:9].sum(axis=1)
    grads, summed = adapter.gradients(signals, np.array([2, 2, 2], np.int32))
    np.testing.assert_allclose(summed, logits, rtol=1e-5)
    every = load_model(saved)  # no steps given: every step
    np.testing.assert_allclose(every.predict(signals), probabilities.sum(axis=1), rtol=1e-5)
    assert np.abs(grads[:, :3]).max() == 0 and np.abs(grads[:, 9:]).max() == 0 and np.abs(grads[:, 3:9]).min() > 0


def test_cli_targets_a_class_over_steps(saved, tmp_path):
    data = tmp_path / "x.npy"
    np.save(data, np.random.default_rng(5).normal(size=(4, LENGTH)).astype(np.float32))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["explain", str(saved), str(data), "-m", "saliency,occlusion", "-w", "1", "--target", "2@5:6", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    arrays = np.load(out / "attributions.npz")
    assert np.abs(np.delete(arrays["saliency"], 5, axis=1)).max() == 0 and np.abs(arrays["saliency"][:, 5]).min() > 0
    assert arrays["predictions"].shape == (4, 3) and set(arrays["targets"]) == {2}
    auto = CliRunner().invoke(app, ["explain", str(saved), str(data), "-m", "saliency", "--target", "auto@0:4", "-o",
                                    str(tmp_path / "auto"), "--no-plots"])  # fmt: skip
    assert auto.exit_code == 0, auto.output
    model = keras.saving.load_model(saved)
    expected = model.predict(np.load(data)[:, :, None], verbose=0)[:, 0:4].sum(axis=1).argmax(axis=1)
    np.testing.assert_array_equal(np.load(tmp_path / "auto" / "attributions.npz")["targets"], expected)


def test_steps_on_a_flat_model_and_bad_steps_are_refused(tmp_path):
    root = Path(__file__).parents[2]
    model, data = root / "sample_models/ecg_cnn.keras", root / "sample_data/ecg_beats.npy"
    flat = CliRunner().invoke(app, ["explain", str(model), str(data), "--target", "1@3:5", "-o", str(tmp_path / "a")])
    assert flat.exit_code == 6 and "has no step axis" in flat.output and not (tmp_path / "a").exists()
    for bad in ("1@5:3", "1@x", "1@3", "v@all"):
        result = CliRunner().invoke(app, ["explain", str(model), str(data), "--target", bad, "-o", str(tmp_path / "b")])
        assert result.exit_code == 2 and "--target" in result.output, bad
    assert Target.parse("1@all") == Target("class", 1, (0, None), "1@all")
    assert Target.parse("all") == Target("all", None, None, "all")
    assert Target.parse("V@3:5", ("N", "V")) == Target("class", 1, (3, 5), "V@3:5")


def test_steps_beyond_the_output_are_refused(saved, tmp_path):
    data = tmp_path / "x.npy"
    np.save(data, np.zeros((2, LENGTH), np.float32))
    result = CliRunner().invoke(
        app, ["explain", str(saved), str(data), "--target", "0@20:30", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == ExitCode.USAGE and f"outside the model's {LENGTH} output steps" in result.output
