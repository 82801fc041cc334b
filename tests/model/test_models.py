"""The Keras adapter: logits for every head style, save/reload in each format, unsupported models."""

import keras
import numpy as np
import pytest

from signalscreen_cli.errors import ModelFileError
from signalscreen_cli.model.adapter import ModelAdapter
from signalscreen_cli.model.files import load_model
from tests.zoo import FORMATS, adapter_for, build_linear, recurrent_model, regression_cnn, residual_cnn, small_cnn


@pytest.mark.parametrize("functional", [False, True])
def test_head_styles_give_identical_logits(tmp_path, functional):
    rng = np.random.default_rng(0)
    weights, bias = rng.normal(size=(30, 4)), rng.normal(size=4)
    x = rng.normal(size=(6, 15, 2)).astype(np.float32)
    expected = x.reshape(6, -1) @ weights + bias
    paths = set()
    for head in ("linear", "fused", "activation", "softmax"):
        model = build_linear(15, 2, weights, bias, head=head, functional=functional)
        for fmt in FORMATS:
            adapter = adapter_for(model, fmt, tmp_path)
            np.testing.assert_allclose(adapter.logits(x), expected, rtol=1e-5, atol=1e-5)
            probabilities = adapter.predict(x)
            if head != "linear":
                np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
            paths.add(adapter.logit_path)
    assert len(paths) == 4  # each head style is recorded differently


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "factory, activation, n_outputs",
    [
        (small_cnn, "softmax", 3),
        (residual_cnn, "softmax", 3),
        (recurrent_model, "sigmoid", 1),
        (regression_cnn, "linear", 1),
    ],
)
def test_real_models_reload_with_same_outputs(tmp_path, fmt, factory, activation, n_outputs):
    model = factory()
    adapter = adapter_for(model, fmt, tmp_path)
    length, channels = adapter.input_shape
    x = np.random.default_rng(1).normal(size=(3, length, channels)).astype(np.float32)
    np.testing.assert_allclose(adapter.predict(x), model(x).numpy(), rtol=1e-5, atol=1e-6)
    assert adapter.output_activation == activation and adapter.n_outputs == n_outputs
    grads, _ = adapter.gradients(x, np.zeros(3, np.int32))
    assert grads.shape == x.shape and np.isfinite(grads).all() and np.abs(grads).sum() > 0


def test_model_without_channel_axis_is_fed_n_l_1(tmp_path):
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(2)])
    adapter = adapter_for(model, ".keras", tmp_path)
    assert adapter.input_shape == (10, 1)
    x = np.random.default_rng(2).normal(size=(4, 10, 1)).astype(np.float32)
    np.testing.assert_allclose(adapter.logits(x), model(x[:, :, 0]).numpy(), rtol=1e-5)


def test_model_with_two_inputs_is_refused():
    a, b = keras.Input((8, 1)), keras.Input((8, 1))
    model = keras.Model([a, b], keras.layers.Dense(1)(keras.layers.Flatten()(keras.layers.Add()([a, b]))))
    with pytest.raises(ModelFileError, match=r"2 inputs .*which takes the signal is not clear"):
        ModelAdapter(model)


@pytest.mark.parametrize(
    "content, message", [(b"", "not a readable Keras model file"), (b"not a zip at all", "File is not a zip file")]
)
def test_corrupt_model_files(tmp_path, content, message):
    path = tmp_path / "broken.keras"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=message):
        load_model(path)


def test_missing_and_wrong_type_model_files(tmp_path):
    with pytest.raises(ModelFileError, match="no such file"):
        load_model(tmp_path / "absent.keras")
    (tmp_path / "model.pt").write_bytes(b"x")
    with pytest.raises(ModelFileError, match="unsupported model file type"):
        load_model(tmp_path / "model.pt")


def test_auto_batch_size_fits_the_budget():
    from signalscreen_cli.model.batching import MAX_AUTO_BATCH, auto_batch_size

    model = small_cnn(length=64, outputs=3)
    per_input = (64 * 6 + 32 * 6 + 32 * 8 + 8 + 3 + 3) * 4 * 3  # every layer's output, kept three times
    assert auto_batch_size(model, 1) == 16
    for budget in (1 << 20, 8 << 20, 64 << 20):
        size = auto_batch_size(model, budget)
        assert size * per_input <= budget < 2 * size * per_input or size == MAX_AUTO_BATCH
