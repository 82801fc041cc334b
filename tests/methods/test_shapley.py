"""Segment Shapley values against known answers: additive models, efficiency, and Kernel SHAP's convergence."""

import functools
import itertools
import math

import keras
import numpy as np
import pytest

from signalscreen_cli.methods.arrays import signal_rng
from signalscreen_cli.methods.shapley import (
    SegmentShapley,
    exact_shapley,
    kernel_coalitions,
    kernel_shap,
    segment_bounds,
)
from tests.zoo import adapter_for, small_cnn


def additive_model(length: int, seed: int) -> tuple[keras.Model, np.ndarray]:
    """``f(x) = Σ_t w_t tanh(2 x_t + 0.3)``: a sum of per-sample (so per-segment) functions."""
    inputs = keras.Input((length, 1))
    per_sample = keras.layers.Conv1D(1, 1, activation="tanh", name="g")(inputs)
    output = keras.layers.Dense(1, use_bias=False, name="w")(keras.layers.Flatten()(per_sample))
    model = keras.Model(inputs, output)
    weights = np.random.default_rng(seed).normal(size=(length, 1)).astype(np.float32)
    model.get_layer("g").set_weights([np.full((1, 1, 1), 2.0, np.float32), np.array([0.3], np.float32)])
    model.get_layer("w").set_weights([weights])
    return model, weights[:, 0]


def permutation_shapley(game, players: int) -> np.ndarray:
    """Shapley values as the mean marginal contribution over every order of the players (the definition).
    Each coalition's value is asked of ``game`` once (2^players calls, not two per player per order)."""
    game = functools.cache(game)
    phi = np.zeros(players)
    for order in itertools.permutations(range(players)):
        held = frozenset()
        for player in order:
            phi[player] += game(held | {player}) - game(held)
            held = held | {player}
    return phi / math.factorial(players)


@pytest.mark.parametrize(("fmt", "baseline"), [(".keras", "zero"), (".h5", "mean")])
def test_additive_model_gets_each_segment_contribution_exactly(tmp_path, fmt, baseline):
    length, segments = 30, 7
    model, w = additive_model(length, seed=1)
    adapter = adapter_for(model, fmt, tmp_path)
    x = np.random.default_rng(2).normal(size=(3, length, 1)).astype(np.float32)
    out = SegmentShapley(segments=segments, baselines=baseline).attribute(adapter, x, np.zeros(3, np.int32))
    base = np.zeros_like(x) if baseline == "zero" else np.broadcast_to(x.mean(axis=1, keepdims=True), x.shape)
    per_sample = w * (np.tanh(2 * x[:, :, 0] + 0.3) - np.tanh(2 * base[:, :, 0] + 0.3))
    bounds = segment_bounds(length, segments)
    expected = np.stack([per_sample[:, a:b].sum(axis=1) for a, b in itertools.pairwise(bounds)], axis=1)
    np.testing.assert_allclose(out["segment_shapley_values"], expected, rtol=1e-4, atol=1e-5)
    owner = np.repeat(np.arange(segments), np.diff(bounds))
    np.testing.assert_allclose(out["segment_shapley"][:, :, 0], out["segment_shapley_values"][:, owner])
    assert out["segment_shapley_gap"].max() < 1e-5


def test_exact_enumeration_is_efficient_and_matches_the_permutation_definition(tmp_path):
    adapter = adapter_for(small_cnn(length=20, outputs=3, seed=3), "memory", tmp_path)
    x = np.random.default_rng(4).normal(size=(2, 20, 1)).astype(np.float32)
    targets = np.array([0, 2], np.int32)
    out = SegmentShapley(segments=5).attribute(adapter, x, targets)
    bounds = segment_bounds(20, 5)
    for i in range(2):

        def game(held, i=i):
            copy = np.zeros_like(x[i])
            for player in held:
                copy[bounds[player] : bounds[player + 1]] = x[i, bounds[player] : bounds[player + 1]]
            return float(adapter.predict(copy[None])[0, targets[i]])

        np.testing.assert_allclose(out["segment_shapley_values"][i], permutation_shapley(game, 5), atol=2e-6)
        efficiency = out["segment_shapley_values"][i].sum() - (game(set(range(5))) - game(set()))
        assert abs(efficiency) < 1e-6 and out["segment_shapley_gap"][i] < 1e-6


def test_kernel_shap_converges_to_the_exact_values():
    players = 9
    rng = np.random.default_rng(5)
    members = (np.arange(2**players)[:, None] >> np.arange(players)) & 1
    table = members @ rng.normal(size=players) + 0.3 * rng.normal(size=2**players)  # additive + every interaction
    exact = exact_shapley(table[None], players)[0]
    errors = []
    for count in (64, 1024, 16384):
        drawn = kernel_coalitions(players, count, np.random.default_rng(6))
        index = (drawn * (1 << np.arange(players))).sum(axis=1)
        phi = kernel_shap(drawn, table[index], table[0], table[-1])
        assert phi.sum() == pytest.approx(table[-1] - table[0], abs=1e-9)  # efficiency imposed exactly
        errors.append(np.abs(phi - exact).max())
    assert errors[0] > errors[1] > errors[2] and errors[2] < 0.03 * np.abs(exact).max()


def test_kernel_coalitions_follow_the_shapley_kernel():
    players = 10
    drawn = kernel_coalitions(players, 40000, np.random.default_rng(7))
    sizes = np.bincount(drawn.sum(axis=1), minlength=players + 1)[1:players] / len(drawn)
    k = np.arange(1, players)
    kernel = (players - 1) / (k * (players - k))
    np.testing.assert_allclose(sizes, kernel / kernel.sum(), atol=0.01)
    assert not drawn.all(axis=1).any() and drawn.any(axis=1).all()


def test_sampled_values_are_seeded_by_the_signal_and_batch_invariant(tmp_path):
    adapter = adapter_for(small_cnn(length=32, outputs=3, seed=8), "memory", tmp_path)
    x = np.random.default_rng(9).normal(size=(4, 32, 1)).astype(np.float32)
    targets = np.array([0, 1, 2, 0], np.int32)
    method = SegmentShapley(segments=16, coalitions=256, seed=3)
    together = method.attribute(adapter, x, targets)
    alone = method.attribute(adapter, x[2:3], targets[2:3])
    np.testing.assert_allclose(alone["segment_shapley_values"], together["segment_shapley_values"][2:3], atol=1e-6)
    other = SegmentShapley(segments=16, coalitions=256, seed=4).attribute(adapter, x[2:3], targets[2:3])
    assert np.abs(other["segment_shapley_values"] - alone["segment_shapley_values"]).max() > 1e-6
    assert together["segment_shapley_gap"].max() < 1e-5
    assert signal_rng(3, x[2]).random() == signal_rng(3, x[2].copy()).random()


def test_segment_boundaries_are_the_documented_ones():
    from signalscreen_cli.methods.shapley import segment_bounds

    # README: segment k holds samples round(k·L/S) to round((k+1)·L/S) - 1 (numpy's rounding)
    assert segment_bounds(187, 12).tolist() == [0, 16, 31, 47, 62, 78, 94, 109, 125, 140, 156, 171, 187]
    assert segment_bounds(10, 4).tolist() == [0, 2, 5, 8, 10]  # 2.5 and 7.5 round to the even neighbour
