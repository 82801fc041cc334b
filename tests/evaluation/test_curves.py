"""Deletion/insertion curves: known answers on a linear model, a brute-force cross-check, chance level."""

import numpy as np
import pytest

from signalscreen_cli.errors import UsageError
from signalscreen_cli.evaluation.curves import area, perturbation_curves, step_counts
from signalscreen_cli.evaluation.maps import random_ranking, ranking
from signalscreen_cli.model.adapter import ModelAdapter
from tests.zoo import build_linear

LENGTH, CHANNELS, STEPS = 24, 2, 8


class RandomMaps:
    """A deliberately wrong "method": maps of noise, whatever the model and the signal."""

    name = "random_maps"

    def attribute(self, adapter, x, targets):
        return {"random_maps": np.random.default_rng(len(x)).normal(size=x.shape).astype(np.float32)}


@pytest.fixture(scope="module")
def linear():
    """f(x) = w·x with a linear head: the model's output is the raw value, exactly w⊙x summed."""
    rng = np.random.default_rng(4)
    weights = rng.normal(size=(LENGTH * CHANNELS, 1))
    model = build_linear(LENGTH, CHANNELS, weights, np.zeros(1), head="linear")
    x = rng.normal(size=(64, LENGTH, CHANNELS)).astype(np.float32)
    return model, weights.reshape(LENGTH, CHANNELS), x


def brute_force(model, x, scores, steps):
    """Deletion and insertion areas built by hand, one signal and one step at a time, with ``model(x)``."""
    n, length, _ = x.shape
    fractions = np.array([(k * length // steps) / length for k in range(steps + 1)])
    deletion, insertion = np.zeros(n), np.zeros(n)
    for i in range(n):
        order = sorted(range(length), key=lambda p: (-scores[i, p], p))
        removed, restored = [], []
        for k in range(steps + 1):
            chosen = order[: k * length // steps]
            gone = x[i].copy()
            gone[chosen, :] = 0.0  # the zero baseline
            back = np.zeros_like(x[i])
            back[chosen, :] = x[i][chosen, :]
            removed.append(float(np.asarray(model(gone[None]))[0, 0]))
            restored.append(float(np.asarray(model(back[None]))[0, 0]))
        deletion[i] = np.trapezoid(removed, fractions)
        insertion[i] = np.trapezoid(restored, fractions)
    return deletion, insertion


def test_step_counts_and_area():
    np.testing.assert_array_equal(step_counts(10, 4), [0, 2, 5, 7, 10])
    np.testing.assert_array_equal(step_counts(5, 5), [0, 1, 2, 3, 4, 5])
    for bad in (0, 11):
        with pytest.raises(UsageError, match="--steps"):
            step_counts(10, bad)
    fractions = np.array([0.0, 0.25, 1.0])
    np.testing.assert_allclose(area(fractions, np.array([[1.0, 1.0, 1.0], [0.0, 1.0, 1.0]])), [1.0, 0.875])


def test_one_step_curves_join_the_end_points():
    class Mean:
        batch_size = 4

        def predict(self, x, batch_size=None):
            return np.stack([x.mean(axis=(1, 2)), -x.mean(axis=(1, 2))], axis=1)

    x = np.arange(12, dtype=np.float32).reshape(2, 6, 1)
    curves = perturbation_curves(Mean(), x, np.zeros_like(x), np.array([0, 1]), {"a": random_ranking(x, 0)}, 1)
    np.testing.assert_allclose(curves["a"].deletion, [[2.5, 0.0], [-8.5, 0.0]])
    np.testing.assert_allclose(curves["a"].insertion_auc, [1.25, -4.25])


def test_exact_attribution_of_linear_model_beats_random_and_matches_brute_force(linear):
    model, weights, x = linear
    adapter = ModelAdapter(model, batch_size=64)
    exact = weights[None] * x  # gradient x input = the exact contribution of each cell
    rankings = {"exact": ranking(exact), "random": random_ranking(x, seed=0)}
    curves = perturbation_curves(adapter, x, np.zeros_like(x), np.zeros(len(x), np.int32), rankings, STEPS)
    best, chance = curves["exact"], curves["random"]
    assert best.deletion_auc.mean() < chance.deletion_auc.mean() - 1.0
    assert best.insertion_auc.mean() > chance.insertion_auc.mean() + 1.0
    # removing the largest contributions first is optimal at every step for a linear model
    assert (best.deletion <= chance.deletion + 1e-4).all()
    assert (best.insertion >= chance.insertion - 1e-4).all()
    deletion, insertion = brute_force(model, x[:12], exact[:12].sum(axis=2), STEPS)
    np.testing.assert_allclose(best.deletion_auc[:12], deletion, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(best.insertion_auc[:12], insertion, rtol=1e-5, atol=1e-5)


def test_random_maps_score_at_chance(linear):
    model, weights, x = linear
    adapter = ModelAdapter(model, batch_size=64)
    targets = np.zeros(len(x), np.int32)
    maps = RandomMaps().attribute(adapter, x, targets)
    rankings = {
        "random_maps": ranking(maps["random_maps"]),
        "random": random_ranking(x, seed=1),
        "exact": ranking(weights[None] * x),
    }
    curves = perturbation_curves(adapter, x, np.zeros_like(x), targets, rankings, STEPS)
    for kind in ("deletion_auc", "insertion_auc"):
        wrong, chance = getattr(curves["random_maps"], kind), getattr(curves["random"], kind)
        gap = abs(wrong.mean() - chance.mean())
        noise = np.sqrt((wrong.var() + chance.var()) / len(x))
        assert gap < 4 * noise, kind
        assert gap < 0.25 * abs(getattr(curves["exact"], kind).mean() - chance.mean()), kind


def test_curves_use_the_targets_probability_and_any_chunking(tmp_path):
    rng = np.random.default_rng(7)
    model = build_linear(16, 1, rng.normal(size=(16, 3)), rng.normal(size=3), head="fused")
    x = rng.normal(size=(9, 16, 1)).astype(np.float32)
    base = np.broadcast_to(x.mean(axis=1, keepdims=True), x.shape).astype(np.float32)
    targets = np.array([0, 1, 2, 2, 1, 0, 1, 1, 2], np.int32)
    rankings = {"a": random_ranking(x, 3), "b": np.tile(np.arange(16), (9, 1))}
    one_call = perturbation_curves(ModelAdapter(model, batch_size=512), x, base, targets, rankings, 4)
    tiny = perturbation_curves(ModelAdapter(model, batch_size=5), x, base, targets, rankings, 4, copies_per_call=1)
    probabilities = np.asarray(model(x))[np.arange(9), targets]
    emptied = np.asarray(model(base))[np.arange(9), targets]
    for name in rankings:
        curve = one_call[name]
        np.testing.assert_allclose(curve.deletion[:, 0], probabilities, rtol=1e-5)
        np.testing.assert_allclose(curve.deletion[:, -1], emptied, rtol=1e-5)
        np.testing.assert_allclose(curve.insertion[:, 0], emptied, rtol=1e-5)
        np.testing.assert_allclose(curve.insertion[:, -1], probabilities, rtol=1e-5)
        assert ((curve.deletion >= 0) & (curve.deletion <= 1)).all()
        np.testing.assert_allclose(tiny[name].deletion, curve.deletion, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(tiny[name].insertion_auc, curve.insertion_auc, rtol=1e-5, atol=1e-7)


def test_ranking_sums_channels_and_breaks_ties_by_position():
    maps = np.array([[[1.0, -3.0], [0.5, 0.5], [2.0, 0.0], [1.0, 0.0]]])  # position sums -2, 1, 2, 1
    np.testing.assert_array_equal(ranking(maps), [[2, 1, 3, 0]])
    np.testing.assert_array_equal(ranking(maps.sum(axis=2)), [[2, 1, 3, 0]])  # CAM-like (n, L) maps
    x = np.random.default_rng(0).normal(size=(3, 50, 1)).astype(np.float32)
    np.testing.assert_array_equal(random_ranking(x, 5)[1], random_ranking(x[1:2], 5)[0])  # batch-invariant
    assert sorted(random_ranking(x, 5)[0]) == list(range(50))
