"""Integrated gradients, gradient × input and the SmoothGrad family against their definitions."""

import keras
import numpy as np
import pytest

from signalscreen_cli.methods.baselines import make_baseline
from signalscreen_cli.methods.gradients import (
    GradientXInput,
    IntegratedGradients,
    SmoothGrad,
    SmoothGradSquared,
    VarGrad,
    path_rule,
)
from tests.zoo import adapter_for, build_linear, small_cnn


@pytest.fixture(scope="module")
def linear():
    rng = np.random.default_rng(11)
    weights = rng.normal(size=(40, 3))
    model = build_linear(20, 2, weights, rng.normal(size=3), head="activation")
    x = rng.normal(size=(4, 20, 2)).astype(np.float32)
    return model, weights, x, np.array([0, 2, 1, 2])


def test_path_rules_integrate_polynomials_exactly():
    for rule, steps in (("gausslegendre", 8), ("trapezoid", 2001)):
        alphas, weights = path_rule(steps, rule)
        assert weights.sum() == pytest.approx(1.0)
        assert (weights * alphas**3).sum() == pytest.approx(0.25, rel=1e-5)


@pytest.mark.parametrize("baseline", ["zero", "mean", "blur", "noise", "file"])
def test_integrated_gradients_of_linear_model_is_exact(tmp_path, linear, baseline):
    model, weights, x, targets = linear
    adapter = adapter_for(model, ".keras", tmp_path)
    if baseline == "file":
        np.save(tmp_path / "b.npy", np.linspace(-1, 1, 20).astype(np.float32))
        baseline = str(tmp_path / "b.npy")
    out = IntegratedGradients(n_steps=4, baselines=baseline, seed=3).attribute(adapter, x, targets)
    reference = make_baseline(baseline, x, seed=3)
    w = weights[:, targets].T.reshape(x.shape)
    np.testing.assert_allclose(out["integrated_gradients"], w * (x - reference), rtol=1e-4, atol=1e-5)
    assert out["integrated_gradients_delta"].max() < 1e-4
    assert out["integrated_gradients_steps"].tolist() == [4, 4, 4, 4]  # exact at once: no doubling


def test_integrated_gradients_gap_shrinks_and_matches_brute_force(tmp_path):
    model = small_cnn(length=64, outputs=3, seed=4)
    adapter = adapter_for(model, ".h5", tmp_path)
    x = 3 * np.random.default_rng(12).normal(size=(5, 64, 1)).astype(np.float32)
    targets = adapter.predict(x).argmax(axis=1)
    logit_model = keras.Model(model.inputs, model.get_layer("logits").output)  # F read off the logit layer
    difference = (logit_model(x).numpy() - logit_model(np.zeros_like(x)).numpy())[np.arange(5), targets]
    gaps = []
    for steps in (2, 8, 128):
        out = IntegratedGradients(n_steps=steps, method="trapezoid", tolerance=np.inf).attribute(adapter, x, targets)
        gap = np.abs(out["integrated_gradients"].sum(axis=(1, 2)) - difference) / np.abs(difference)
        np.testing.assert_allclose(out["integrated_gradients_delta"], gap, rtol=1e-3, atol=1e-6)
        gaps.append(gap.max())
    assert gaps[2] < 0.01 and gaps[2] < gaps[0]


def test_integrated_gradients_doubles_steps_until_tolerance(tmp_path):
    adapter = adapter_for(small_cnn(length=64, outputs=3, seed=4), "memory", tmp_path)
    x = 3 * np.random.default_rng(12).normal(size=(6, 64, 1)).astype(np.float32)
    out = IntegratedGradients(n_steps=2, method="trapezoid", tolerance=0.01, max_steps=512).attribute(
        adapter, x, np.zeros(6, np.int32)
    )
    steps, delta = out["integrated_gradients_steps"], out["integrated_gradients_delta"]
    assert steps.max() > 2
    assert np.all((delta <= 0.01) | (steps == 512))


def test_gradient_x_input_of_linear_model(tmp_path, linear):
    model, weights, x, targets = linear
    out = GradientXInput().attribute(adapter_for(model, "memory", tmp_path), x, targets)["gradient_x_input"]
    np.testing.assert_allclose(out, weights[:, targets].T.reshape(x.shape) * x, rtol=1e-5, atol=1e-6)


def test_smoothgrad_family_limits_and_seeds(tmp_path):
    model = small_cnn(length=32, outputs=3, seed=5)
    adapter = adapter_for(model, "memory", tmp_path)
    x = np.random.default_rng(13).normal(size=(3, 32, 1)).astype(np.float32)
    targets = np.array([0, 1, 2])
    plain, _ = adapter.gradients(x, targets)
    quiet = SmoothGrad(noise_samples=4, noise=1e-7).attribute(adapter, x, targets)["smoothgrad"]
    np.testing.assert_allclose(quiet, plain, rtol=1e-3, atol=1e-6)
    squared = SmoothGradSquared(noise_samples=4, noise=0.0).attribute(adapter, x, targets)["smoothgrad_squared"]
    np.testing.assert_allclose(squared, plain**2, rtol=1e-4, atol=1e-9)
    assert np.abs(VarGrad(noise_samples=4, noise=0.0).attribute(adapter, x, targets)["vargrad"]).max() < 1e-10
    first = SmoothGrad(noise_samples=8, noise=0.2, seed=1).attribute(adapter, x, targets)["smoothgrad"]
    again = SmoothGrad(noise_samples=8, noise=0.2, seed=1).attribute(adapter, x, targets)["smoothgrad"]
    other = SmoothGrad(noise_samples=8, noise=0.2, seed=2).attribute(adapter, x, targets)["smoothgrad"]
    np.testing.assert_array_equal(first, again)
    assert np.abs(first - other).max() > 1e-6 and np.abs(first - plain).max() > 1e-6


def test_smoothgrad_matches_an_independent_mean_of_noisy_gradients(tmp_path):
    import tensorflow as tf

    from signalscreen_cli.methods.arrays import signal_rng

    model = small_cnn(length=32, outputs=3, seed=6)
    adapter = adapter_for(model, "memory", tmp_path)
    x = np.random.default_rng(14).normal(size=(2, 32, 1)).astype(np.float32)
    ours = SmoothGrad(noise_samples=5, noise=0.1, seed=9).attribute(adapter, x, np.array([1, 2]))["smoothgrad"]
    logit_model = keras.Model(model.inputs, model.get_layer("logits").output)
    for n, target in enumerate((1, 2)):
        sigma = 0.1 * (x[n].max() - x[n].min())
        noisy = x[n][None] + sigma * signal_rng(9, x[n]).standard_normal((5, 32, 1))
        noisy = tf.constant(noisy.astype(np.float32))
        with tf.GradientTape() as tape:
            tape.watch(noisy)
            chosen = tf.reduce_sum(logit_model(noisy)[:, target])
        np.testing.assert_allclose(ours[n], tape.gradient(chosen, noisy).numpy().mean(axis=0), rtol=1e-4, atol=1e-6)
