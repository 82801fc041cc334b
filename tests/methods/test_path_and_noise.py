"""Integrated gradients, gradient × input and the SmoothGrad family against their definitions."""

import itertools

import keras
import numpy as np
import pytest

from signalscreen_cli.methods.baselines import make_baseline
from signalscreen_cli.methods.gradients import GradientXInput, IntegratedGradients
from signalscreen_cli.methods.noise_tunnel import SmoothGrad, SmoothGradSquared, VarGrad
from signalscreen_cli.methods.quadrature import path_rule, refinement_levels
from tests.zoo import adapter_for, build_linear, small_cnn


@pytest.fixture(scope="module")
def linear():
    rng = np.random.default_rng(11)
    weights = rng.normal(size=(40, 3))
    model = build_linear(20, 2, weights, rng.normal(size=3), head="activation")
    x = rng.normal(size=(4, 20, 2)).astype(np.float32)
    return model, weights, x, np.array([0, 2, 1, 2])


def test_path_rules_integrate_polynomials_exactly():
    for rule, steps in (("gausslegendre", 8), ("clenshawcurtis", 8), ("clenshawcurtis", 65), ("trapezoid", 2001)):
        alphas, weights = path_rule(steps, rule)
        assert weights.sum() == pytest.approx(1.0)
        assert (weights * alphas**3).sum() == pytest.approx(0.25, rel=1e-5)
    alphas, weights = path_rule(9, "clenshawcurtis")  # exact up to degree 8 on 9 nodes
    assert (weights * alphas.astype(np.float64) ** 8).sum() == pytest.approx(1 / 9, rel=1e-5)
    assert (weights * np.sqrt(alphas)).sum() == pytest.approx(2 / 3, rel=1e-2)


@pytest.mark.parametrize("rule", ["clenshawcurtis", "trapezoid", "gausslegendre"])
def test_refinement_levels_reuse_nodes_and_weigh_them_as_each_level_rule(rule):
    levels = refinement_levels(5, rule, 40)
    nested = rule != "gausslegendre"
    assert levels.points == ((5, 9, 17, 33) if nested else (5, 10, 20, 40))
    for level, points in enumerate(levels.points):
        alphas, weights = path_rule(points, rule)
        # the nodes evaluated up to this level, with the weights each carries in this level's rule
        seen = np.concatenate([levels.fresh[m] for m in range(level + 1) if nested or m == level])
        carried = np.concatenate([levels.weights[m][level - m] for m in range(level + 1) if nested or m == level])
        order = np.argsort(seen)
        np.testing.assert_allclose(seen[order], alphas, atol=1e-7)
        np.testing.assert_allclose(carried[order], weights, atol=1e-7)
        assert len(levels.fresh[level]) == (points - levels.points[level - 1] if nested and level else points)


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
    assert steps.max() > 2 and set(steps) <= {2, 3, 5, 9, 17, 33, 65, 129, 257}
    assert np.all((delta <= 0.01) | (steps == 257))


@pytest.mark.parametrize(
    ("rule", "tolerance"), [("clenshawcurtis", 0.01), ("trapezoid", 0.03), ("gausslegendre", 0.01)]
)
def test_refined_signals_equal_a_fresh_run_at_their_steps_and_evaluate_each_node_once(tmp_path, rule, tolerance):
    model = small_cnn(length=64, outputs=3, seed=4)
    rng = np.random.default_rng(5)
    for layer in model.layers:  # biases, so that the path gradient is not constant and signals differ in steps
        if getattr(layer, "bias", None) is not None:
            layer.bias.assign(0.5 * rng.normal(size=layer.bias.shape))
    adapter = adapter_for(model, "memory", tmp_path)
    x = 2 * np.random.default_rng(12).normal(size=(8, 64, 1)).astype(np.float32)
    targets = np.zeros(8, np.int32)
    calls = []
    original = adapter.gradients
    adapter.gradients = lambda inputs, chosen: calls.append(len(inputs)) or original(inputs, chosen)
    method = IntegratedGradients(n_steps=3, method=rule, tolerance=tolerance, max_steps=400)
    out = method.attribute(adapter, x, targets)
    adapter.gradients = original
    steps = out["integrated_gradients_steps"]
    assert len(set(steps)) > 1  # some signals were refined
    levels = refinement_levels(3, rule, 400).points
    reached = np.searchsorted(levels, steps)
    fresh = [levels[0]] + [b - a if rule != "gausslegendre" else b for a, b in itertools.pairwise(levels)]
    assert sum(calls) == sum(sum(fresh[: r + 1]) for r in reached)
    for count in set(steps):
        rows = steps == count
        fresh_run = IntegratedGradients(n_steps=int(count), method=rule, tolerance=np.inf).attribute(
            adapter, x[rows], targets[rows]
        )
        np.testing.assert_allclose(
            out["integrated_gradients"][rows], fresh_run["integrated_gradients"], rtol=1e-4, atol=1e-6
        )


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


def test_the_noise_tunnel_smooths_any_method_over_the_same_noisy_copies(tmp_path):
    from signalscreen_cli.methods.gradients import Saliency

    model = small_cnn(length=32, outputs=3, seed=7)
    adapter = adapter_for(model, "memory", tmp_path, batch_size=16)  # 16 // 5 copies: signals split across calls
    x = np.random.default_rng(15).normal(size=(4, 32, 1)).astype(np.float32)
    targets = np.array([0, 2, 1, 2])
    copies = np.stack([SmoothGrad(noise_samples=5, noise=0.2, seed=3)._noisy_copies(signal) for signal in x])
    repeated = np.repeat(targets, 5)
    ig = IntegratedGradients(n_steps=16, tolerance=np.inf)
    by_hand = ig.attribute(adapter, copies.reshape(-1, 32, 1), repeated)["integrated_gradients"].reshape(4, 5, 32, 1)
    smoothed = SmoothGrad(noise_samples=5, noise=0.2, seed=3, smooth="integrated_gradients", inner=ig)
    got = smoothed.attribute(adapter, x, targets)
    assert set(got) == {"smoothgrad_integrated_gradients"}  # the inner method's diagnostics are dropped
    np.testing.assert_allclose(got["smoothgrad_integrated_gradients"], by_hand.mean(axis=1), rtol=1e-5, atol=1e-7)
    assert smoothed.parameters()["smoothed"]["method"] == "integrated_gradients"
    saliency = Saliency().attribute(adapter, copies.reshape(-1, 32, 1), repeated)["saliency"].reshape(4, 5, 32, 1)
    varied = VarGrad(noise_samples=5, noise=0.2, seed=3, smooth="saliency").attribute(adapter, x, targets)
    np.testing.assert_allclose(varied["vargrad_saliency"], saliency.var(axis=1), rtol=1e-4, atol=1e-9)


def test_smoothing_is_chosen_by_name_and_refuses_what_it_cannot_smooth():
    from signalscreen_cli.errors import UsageError

    assert SmoothGrad.Parameters(smooth="gradcam").wrapped() == "gradcam"
    assert SmoothGrad.Parameters().wrapped() is None
    with pytest.raises(UsageError, match="a SmoothGrad method cannot smooth another one"):
        SmoothGrad.Parameters(smooth="vargrad")
    with pytest.raises(UsageError, match="unknown method 'nosuch'"):
        SmoothGrad.Parameters(smooth="nosuch")
