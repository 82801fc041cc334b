"""Faithfulness correlation, ROAD and random-logit: known answers on hand-weighted Keras models."""

import numpy as np
import pytest
from scipy.stats import spearmanr
from zoo import FORMATS, adapter_for, build_linear

from signalscreen_cli.evaluation.faithfulness_correlation import (
    faithfulness_correlation,
    output_drops,
    row_pearson,
    subset_masks,
)
from signalscreen_cli.evaluation.maps import ranking
from signalscreen_cli.evaluation.random_logit import other_classes, random_logit
from signalscreen_cli.evaluation.road import linear_imputation, road_scores
from signalscreen_cli.methods import get_method

LENGTH = 10


@pytest.mark.parametrize("fmt", FORMATS)
def test_gradient_times_input_of_a_linear_model_correlates_perfectly(fmt, tmp_path):
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(LENGTH * 2, 1))
    adapter = adapter_for(build_linear(LENGTH, 2, weights, np.array([0.3])), fmt, tmp_path)
    x = rng.normal(size=(4, LENGTH, 2)).astype(np.float32)
    targets = np.zeros(4, np.int32)
    masks = subset_masks(x, 12, 0.3, seed=1)
    drops = output_drops(adapter, x, np.zeros_like(x), targets, masks)
    exact = weights[:, 0].reshape(LENGTH, 2) * x  # w ⊙ x: every drop is the map's sum over the subset
    np.testing.assert_allclose(drops, np.einsum("nsl,nl->ns", masks, exact.sum(axis=2)), rtol=1e-4, atol=1e-5)
    found = faithfulness_correlation({"exact": exact, "negated": -exact}, masks, drops)
    np.testing.assert_allclose(found["exact"], 1.0, atol=1e-5)
    np.testing.assert_allclose(found["negated"], -1.0, atol=1e-5)


def test_subsets_have_the_asked_size_and_pearson_is_undefined_on_constants():
    x = np.random.default_rng(1).normal(size=(3, 20, 1)).astype(np.float32)
    masks = subset_masks(x, 5, 0.25, seed=0)
    assert (masks.sum(axis=2) == 5).all()
    np.testing.assert_array_equal(subset_masks(x[2:], 5, 0.25, seed=0)[0], masks[2])  # alone or in a batch
    assert np.isnan(row_pearson(np.ones((1, 4)), np.arange(4.0)[None]))[0]


def test_noisy_linear_imputation_reproduces_the_stencil_by_hand():
    x = np.array([0, 1, 2, 9, 9, 5, 6, 0], np.float32)[None, :, None]
    removed = np.zeros((1, 8), bool)
    removed[0, [2, 3, 4, 7]] = True
    filled = linear_imputation(x, removed)[0, :, 0]
    # inner gap: the line from 1 (position 1) to 5 (position 5); the end: its one neighbour, 6
    np.testing.assert_allclose(filled, [0, 1, 2, 3, 4, 5, 6, 6])


def test_imputation_solves_the_stencil_system():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 15, 2)).astype(np.float32)
    removed = rng.random((6, 15)) < 0.5
    removed[:, 4] = False  # at least one kept position per copy
    filled = linear_imputation(x, removed)
    for i in range(6):
        gone = np.flatnonzero(removed[i])
        for c in range(2):  # v_i − mean of its neighbours = 0 at every removed i, kept values fixed
            system, right = np.zeros((len(gone), len(gone))), np.zeros(len(gone))
            for row, p in enumerate(gone):
                neighbours = [q for q in (p - 1, p + 1) if 0 <= q < 15]
                system[row, row] = len(neighbours)
                for q in neighbours:
                    if removed[i, q]:
                        system[row, np.searchsorted(gone, q)] -= 1
                    else:
                        right[row] += x[i, q, c]
            np.testing.assert_allclose(filled[i, gone, c], np.linalg.solve(system, right), rtol=1e-5, atol=1e-5)
            np.testing.assert_array_equal(filled[i, ~removed[i], c], x[i, ~removed[i], c])


def test_road_on_a_one_weight_model_by_hand(tmp_path):
    weights = np.zeros((8, 1))
    weights[3] = 1.0  # f(x) = x_3
    adapter = adapter_for(build_linear(8, 1, weights, np.zeros(1)), ".keras", tmp_path)
    x = np.zeros((1, 8, 1), np.float32)
    x[0, 3] = 5.0
    relevance = np.zeros((1, 8))
    relevance[0, 3] = 1.0  # ranking 3, 0, 1, 2, 4, 5, 6, 7
    found = road_scores(adapter, x, np.zeros(1, np.int32), {"map": ranking(relevance)}, steps=4, noise=0.0, seed=0)
    morf, lerf = found["map"]
    # MoRF removes 3 first: it is filled from zero neighbours at every level; LeRF never removes it
    assert morf[0] == pytest.approx(0.0) and lerf[0] == pytest.approx(5.0)
    noisy = road_scores(adapter, x, np.zeros(1, np.int32), {"map": ranking(relevance)}, steps=4, noise=0.1, seed=0)
    assert noisy["map"][0][0] != 0.0 and abs(noisy["map"][0][0]) < 1.5  # noise of 0.1 x the range 5


def test_random_logit_of_saliency_on_a_two_class_linear_model(tmp_path):
    rng = np.random.default_rng(4)
    weights = rng.normal(size=(LENGTH, 2))
    adapter = adapter_for(build_linear(LENGTH, 1, weights, np.zeros(2)), ".h5", tmp_path)
    x = rng.normal(size=(3, LENGTH, 1)).astype(np.float32)
    targets = np.zeros(3, np.int32)
    saliency = get_method("saliency")(get_method("saliency").Parameters())
    maps = saliency.attribute(adapter, x, targets)
    found = random_logit(adapter, [saliency], x, targets, maps, seed=0, how="none")
    expected = spearmanr(np.abs(weights[:, 0]), np.abs(weights[:, 1])).statistic  # the other class is class 1
    np.testing.assert_allclose(found["saliency"], expected, rtol=1e-6)
    same = adapter_for(build_linear(LENGTH, 1, weights[:, [0, 0]], np.zeros(2)), "memory", tmp_path)
    np.testing.assert_allclose(random_logit(same, [saliency], x, targets, maps, 0, "none")["saliency"], 1.0)


def test_the_other_class_is_never_the_target():
    x = np.random.default_rng(5).normal(size=(300, 6, 1)).astype(np.float32)
    targets = np.arange(300, dtype=np.int32) % 4
    others = other_classes(x, targets, 4, seed=0)
    assert (others != targets).all() and set(others.tolist()) == {0, 1, 2, 3}
