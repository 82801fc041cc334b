"""Saliency known answers: for f(x) = W·x + b the gradient of logit c is column c of W."""

import numpy as np
import pytest

from signalscreen_cli.methods.gradients import Saliency
from tests.zoo import FORMATS, adapter_for, build_linear


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("head", ["linear", "fused", "activation", "softmax"])
def test_saliency_of_linear_model_is_abs_weights(tmp_path, fmt, head):
    rng = np.random.default_rng(1)
    length, channels, classes = 12, 2, 3
    weights = rng.normal(size=(length * channels, classes))
    model = build_linear(length, channels, weights, rng.normal(size=classes), head=head)
    adapter = adapter_for(model, fmt, tmp_path)
    x = rng.normal(size=(5, length, channels)).astype(np.float32)
    targets = np.array([0, 1, 2, 1, 0])
    maps = Saliency().attribute(adapter, x, targets)["saliency"]
    expected = np.abs(weights[:, targets].T.reshape(5, length, channels))
    assert maps.shape == (5, length, channels)
    np.testing.assert_allclose(maps, expected, rtol=1e-5, atol=1e-6)


def test_saliency_of_sigmoid_unit_uses_pre_activation(tmp_path):
    rng = np.random.default_rng(2)
    weights = rng.normal(size=(10, 1))
    model = build_linear(10, 1, weights, np.zeros(1), head="sigmoid")
    adapter = adapter_for(model, ".keras", tmp_path)
    assert adapter.output_activation == "sigmoid"
    x = 5 * rng.normal(size=(3, 10, 1)).astype(np.float32)  # large logits: sigmoid's gradient would vanish
    maps = Saliency().attribute(adapter, x, np.zeros(3, np.int32))["saliency"]
    np.testing.assert_allclose(maps[:, :, 0], np.abs(np.tile(weights[:, 0], (3, 1))), rtol=1e-5)
