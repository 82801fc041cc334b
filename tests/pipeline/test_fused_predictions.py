"""The predictions pass fused into the method's own pass (``model/fused.py``, ``pipeline/predictions.py``).

A chunk's predictions, targets and maps must be bit for bit what the separate predictions pass and the
method's own call give, on every zoo model in every format; where they could not be (a sigmoid head, a
per-step target, ``--target all``) the separate pass runs. The model is called once per chunk, not twice.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from signalscreen_cli.errors import UsageError
from signalscreen_cli.methods import get_method
from signalscreen_cli.model.adapter import ModelAdapter
from signalscreen_cli.pipeline.chunks import attribute_chunk, run_method
from signalscreen_cli.pipeline.predictions import predict_chunk
from signalscreen_cli.targets import AUTO, Target
from tests import zoo

FUSED_METHODS = ("saliency", "gradient_x_input", "gradcam", "gradcam_plus_plus")


class Counting:
    """The real adapter, with its model calls counted (each still runs)."""

    def __init__(self, adapter: ModelAdapter) -> None:
        self.adapter, self.calls = adapter, []
        for name in ("predict", "logits", "gradients", "layer_maps"):
            setattr(self, name, self._counted(name))

    def _counted(self, name: str):
        def call(*args, **kwargs):
            self.calls.append(name)
            return getattr(self.adapter, name)(*args, **kwargs)

        return call

    def __getattr__(self, name: str):
        return getattr(self.adapter, name)


def signals(adapter: ModelAdapter, count: int = 9, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(count, *adapter.input_shape)).astype(np.float32)


def unfused(adapter: ModelAdapter, method_name: str, x: np.ndarray, target: Target) -> dict[str, np.ndarray]:
    """What a chunk gave before: the predictions pass, ``Target.select``, then the method on the adapter."""
    predictions = adapter.predict(x).astype(np.float32)
    targets = target.select(predictions)
    arrays = run_method(get_method(method_name)(), adapter, x, targets)
    return {"predictions": predictions, "targets": targets, **arrays}


ZOO = {
    "small_cnn": zoo.small_cnn,
    "residual_cnn": zoo.residual_cnn,
    "regression_cnn": zoo.regression_cnn,
    "deep_residual_cnn": lambda: zoo.deep_residual_cnn(length=64),
}


@pytest.fixture(scope="module", params=[(name, fmt) for name in ZOO for fmt in zoo.FORMATS], ids=str)
def zoo_adapter(request, tmp_path_factory):
    name, fmt = request.param
    return zoo.adapter_for(ZOO[name](), fmt, tmp_path_factory.mktemp(name), batch_size=4)


@pytest.mark.parametrize("method_name", FUSED_METHODS)
def test_fused_chunks_equal_the_separate_passes_bit_for_bit(zoo_adapter, method_name):
    if method_name.startswith("gradcam") and not zoo_adapter.conv_layers():
        pytest.skip("no conv layer")
    x = signals(zoo_adapter)
    counted = Counting(zoo_adapter)
    chunk = attribute_chunk(counted, [get_method(method_name)()], x, np.arange(len(x)), AUTO, "none")
    assert "predict" not in counted.calls and len(counted.calls) == 0  # one fused call, no separate pass
    for name, values in unfused(zoo_adapter, method_name, x, AUTO).items():
        np.testing.assert_array_equal(chunk.arrays[name], values, err_msg=name)


def test_a_sigmoid_head_keeps_the_separate_pass_and_its_exact_predictions(tmp_path):
    adapter = zoo.adapter_for(zoo.recurrent_model(), ".keras", tmp_path)
    x = signals(adapter)
    counted = Counting(adapter)
    chunk = attribute_chunk(counted, [get_method("saliency")()], x, np.arange(len(x)), AUTO, "none")
    assert counted.calls == ["predict", "gradients"]
    for name, values in unfused(adapter, "saliency", x, AUTO).items():
        np.testing.assert_array_equal(chunk.arrays[name], values, err_msg=name)


def test_a_method_without_its_own_pass_and_target_all_keep_the_separate_pass():
    adapter = ModelAdapter(zoo.small_cnn(), batch_size=4)
    x = signals(adapter)
    counted = Counting(adapter)
    attribute_chunk(counted, [get_method("occlusion")()], x, np.arange(len(x)), AUTO, "none")
    assert counted.calls[0] == "predict"
    counted.calls.clear()
    attribute_chunk(counted, [get_method("saliency")()], x, np.arange(len(x)), Target.parse("all"), "none")
    assert counted.calls == ["predict", "gradients", "gradients", "gradients"]


def test_only_the_first_fused_method_takes_the_pass_the_others_run_their_own():
    adapter = ModelAdapter(zoo.small_cnn(), batch_size=4)
    x = signals(adapter)
    counted = Counting(adapter)
    methods = [get_method("gradcam")(), get_method("saliency")()]
    chunk = attribute_chunk(counted, methods, x, np.arange(len(x)), Target.parse("2"), "none")
    assert counted.calls == ["gradients"]  # Grad-CAM's pass gave the predictions; saliency made its own
    np.testing.assert_array_equal(chunk.arrays["targets"], np.full(len(x), 2))
    np.testing.assert_array_equal(chunk.arrays["gradcam"], unfused(adapter, "gradcam", x, Target.parse("2"))["gradcam"])


def linear_softmax(kernel: np.ndarray) -> keras.Model:
    inputs = keras.Input((kernel.shape[0], 1))
    outputs = keras.layers.Dense(kernel.shape[1], activation="softmax")(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, outputs)
    model.set_weights([kernel, np.zeros(kernel.shape[1], np.float32)])
    return model


def test_the_fused_saliency_of_a_linear_model_is_its_weights_for_the_most_probable_class():
    kernel = np.random.default_rng(3).normal(size=(7, 4)).astype(np.float32)
    adapter = ModelAdapter(linear_softmax(kernel), batch_size=3)
    x = np.random.default_rng(4).normal(size=(8, 7, 1)).astype(np.float32)
    predicted = predict_chunk(adapter, [get_method("saliency")()], x, AUTO)
    chosen = (x[:, :, 0] @ kernel).argmax(axis=1)
    np.testing.assert_array_equal(predicted.targets, chosen)
    maps = run_method(get_method("saliency")(), predicted.adapter_for(get_method("saliency")(), adapter), x, chosen)
    np.testing.assert_allclose(maps["saliency"][:, :, 0], np.abs(kernel[:, chosen].T), rtol=1e-6)


def test_tied_classes_take_the_selected_target_as_before():
    adapter = ModelAdapter(linear_softmax(np.zeros((5, 3), np.float32)), batch_size=4)
    x = np.random.default_rng(5).normal(size=(6, 5, 1)).astype(np.float32)
    chunk = attribute_chunk(adapter, [get_method("saliency")()], x, np.arange(6), AUTO, "none")
    for name, values in unfused(adapter, "saliency", x, AUTO).items():
        np.testing.assert_array_equal(chunk.arrays[name], values, err_msg=name)


def test_a_class_outside_the_model_is_the_same_error_as_before():
    adapter = ModelAdapter(zoo.small_cnn(), batch_size=4)
    with pytest.raises(UsageError, match=r"outside the model's outputs 0\.\.2"):
        predict_chunk(adapter, [get_method("saliency")()], signals(adapter), Target.parse("7"))


def test_targets_the_call_chose_otherwise_are_redone_with_the_selected_ones():
    # NaN predictions: numpy's argmax takes the first NaN, TensorFlow's does not; Target.select decides
    kernel = np.zeros((5, 3), np.float32)
    kernel[0, 1] = np.nan
    adapter = ModelAdapter(linear_softmax(kernel), batch_size=4)
    x = np.random.default_rng(6).normal(size=(6, 5, 1)).astype(np.float32)
    counted = Counting(adapter)
    chunk = attribute_chunk(counted, [get_method("saliency")()], x, np.arange(6), AUTO, "none")
    assert counted.calls == ["gradients"]  # the method's own pass, with the selected targets
    for name, values in unfused(adapter, "saliency", x, AUTO).items():
        np.testing.assert_array_equal(chunk.arrays[name], values, err_msg=name)
    np.testing.assert_array_equal(chunk.arrays["targets"], np.ones(6))
