"""Grad-CAM on Conv1D → GlobalAveragePooling1D → Dense, whose map is known in closed form."""

import numpy as np
import pytest
import tensorflow as tf

from signalscreen_cli.errors import MethodNotApplicableError
from signalscreen_cli.methods.cam import GradCAM, GradCAMPlusPlus, ScoreCAM, upsample_half_pixel
from tests.zoo import FORMATS, adapter_for, built_once, conv_gap_dense, recurrent_model, residual_cnn


def conv_same(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Keras' 'same' Conv1D (cross-correlation, zero padding) in plain numpy, ``(L, C) -> (L, K)``."""
    width = kernel.shape[0]
    padded = np.pad(x, (((width - 1) // 2, width // 2), (0, 0)))
    return np.stack([np.einsum("wc,wck->k", padded[t : t + width], kernel) for t in range(len(x))]) + bias


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Models shared by the tests that only read them (built, saved and reloaded once): ``built(key, make, fmt)``."""
    return built_once(tmp_path_factory.mktemp("cam"))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("functional", [False, True])
@pytest.mark.parametrize("relu", [True, False])
def test_gradcam_closed_form(built, fmt, functional, relu):
    length, channels, filters, classes = 20, 2, 4, 3

    def make():
        return conv_gap_dense(length, channels, filters, classes, kernel=3, seed=5, functional=functional)

    model, adapter = built(f"cgd_{functional}", make, fmt)  # one model for both settings of relu
    kernel, conv_bias = model.get_layer("conv").get_weights()
    dense_w, _ = model.get_layer("dense").get_weights()
    x = np.random.default_rng(6).normal(size=(4, length, channels)).astype(np.float32)
    targets = np.array([0, 1, 2, 1])
    out = GradCAM(relu=relu).attribute(adapter, x, targets)
    for n in range(4):
        activations = conv_same(x[n], kernel, conv_bias)
        alpha = dense_w[:, targets[n]] / length  # d(mean_t A)/dA[t,k] * W[k,c]
        expected = activations @ alpha
        if relu:
            expected = np.maximum(expected, 0)
        np.testing.assert_allclose(out["gradcam_raw"][n], expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out["gradcam"], out["gradcam_raw"], rtol=1e-6)  # same length: identity resize


def test_upsampling_matches_tf_image_resize():
    maps = np.random.default_rng(7).normal(size=(3, 11)).astype(np.float32)
    ours = upsample_half_pixel(maps, 47)
    theirs = tf.image.resize(maps[:, :, None, None], (47, 1), method="bilinear").numpy()[:, :, 0, 0]
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_gradcam_on_residual_functional_model_uses_last_conv(tmp_path):
    adapter = adapter_for(residual_cnn(), ".keras", tmp_path)
    assert adapter.resolve_layer(None) == "branch"
    x = np.random.default_rng(8).normal(size=(3, 48, 2)).astype(np.float32)
    out = GradCAM().attribute(adapter, x, np.array([0, 1, 2]))
    assert out["gradcam"].shape == (3, 48) and np.isfinite(out["gradcam"]).all()
    assert out["gradcam"].max() > 0


def test_gradcam_without_conv_layer_is_not_applicable(tmp_path):
    adapter = adapter_for(recurrent_model(), ".h5", tmp_path)
    with pytest.raises(MethodNotApplicableError, match="no Conv1D layer"):
        GradCAM().attribute(adapter, np.zeros((1, 32, 1), np.float32), np.zeros(1, np.int32))


def test_unknown_layer_lists_candidates(tmp_path):
    adapter = adapter_for(residual_cnn(), "memory", tmp_path)
    with pytest.raises(MethodNotApplicableError, match="conv layers: stem, branch"):
        adapter.resolve_layer("nope")
    assert adapter.resolve_layer("1") == "stem"


def closed_form_parts(fmt, tmp_path, head="softmax_layer"):
    length, channels, filters, classes = 16, 2, 5, 3
    model = conv_gap_dense(length, channels, filters, classes, kernel=3, seed=15, head=head)
    kernel, conv_bias = model.get_layer("conv").get_weights()
    dense_w, dense_b = model.get_layer("dense").get_weights()
    x = np.random.default_rng(16).normal(size=(3, length, channels)).astype(np.float32)
    activations = np.stack([conv_same(signal, kernel, conv_bias) for signal in x])
    return model, adapter_for(model, fmt, tmp_path), x, activations, dense_w, dense_b


@pytest.mark.parametrize("fmt", FORMATS)
def test_gradcam_plus_plus_closed_form(tmp_path, fmt):
    _, adapter, x, activations, dense_w, _ = closed_form_parts(fmt, tmp_path)
    targets = np.array([2, 0, 1])
    out = GradCAMPlusPlus().attribute(adapter, x, targets)["gradcam_plus_plus_raw"]
    length = x.shape[1]
    for n in range(3):
        g = dense_w[:, targets[n]] / length  # the same at every t
        alpha = g**2 / (2 * g**2 + activations[n].sum(axis=0) * g**3)
        weights = length * alpha * np.maximum(g, 0)  # Σ_t α ReLU(g)
        np.testing.assert_allclose(out[n], np.maximum(activations[n] @ weights, 0), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("fmt", FORMATS)
def test_scorecam_closed_form(tmp_path, fmt):
    model, adapter, x, activations, dense_w, dense_b = closed_form_parts(fmt, tmp_path, head="fused")
    kernel, conv_bias = model.get_layer("conv").get_weights()
    targets = np.array([1, 1, 0])
    out = ScoreCAM(relu=False).attribute(adapter, x, targets)["scorecam_raw"]
    for n in range(3):
        weights = []
        for k in range(activations.shape[2]):
            mask = activations[n, :, k]
            mask = (mask - mask.min()) / (mask.max() - mask.min())
            masked = x[n] * mask[:, None]
            logits = conv_same(masked, kernel, conv_bias).mean(axis=0) @ dense_w + dense_b
            probabilities = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
            weights.append(probabilities[targets[n]])
        np.testing.assert_allclose(out[n], activations[n] @ np.array(weights), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cls", [GradCAM, GradCAMPlusPlus, ScoreCAM])
def test_cam_methods_on_multichannel_residual_model(built, cls):
    adapter = built("residual_3", lambda: residual_cnn(channels=3), ".h5")[1]
    x = np.random.default_rng(17).normal(size=(2, 48, 3)).astype(np.float32)
    out = cls(layer="stem").attribute(adapter, x, np.array([0, 2]))
    assert out[cls.name].shape == (2, 48) and out[f"{cls.name}_raw"].shape == (2, 48)
    assert np.isfinite(out[cls.name]).all() and out[cls.name].min() >= 0
