"""Ground-truth scores: known answers from the papers' definitions, and an independent brute-force check."""

import numpy as np
import pytest

from signalscreen_cli.evaluation.truth_masks import fitted
from signalscreen_cli.evaluation.truth_scores import (
    auprc,
    mass_accuracy,
    pointing_game,
    precision_recall_areas,
    rank_accuracy,
    truth_scores,
)
from signalscreen_cli.evaluation.truth_stage import random_map


def one(values):
    return np.asarray(values, dtype=np.float64)[None]


MASK = one([0, 1, 1, 0, 0, 1, 0, 0])


def test_a_map_equal_to_the_mask_scores_one_on_everything():
    for score, value in truth_scores(MASK, MASK).items():
        assert value[0] == pytest.approx(1.0), score


def test_a_map_with_all_relevance_outside_scores_zero():
    scores = truth_scores(1 - MASK, MASK)
    for score in ("mass_accuracy", "rank_accuracy", "pointing_game", "aup", "aur"):
        assert scores[score][0] == 0.0, score
    assert scores["auprc"][0] == pytest.approx(3 / 8)  # every position at once: the mask's share


def test_mass_accuracy_counts_positive_relevance_and_weighs_a_weight_mask():
    r = one([2, -1, 1, 1])
    assert mass_accuracy(r, one([1, 1, 0, 0]))[0] == pytest.approx(2 / 4)  # -1 is not relevance
    assert mass_accuracy(r, one([0.5, 1, 0, 0.25]))[0] == pytest.approx((2 * 0.5 + 1 * 0.25) / 4)


def test_rank_accuracy_takes_the_top_k_for_a_mask_of_k():
    assert rank_accuracy(one([4, 3, 2, 1]), one([1, 0, 1, 0]))[0] == 0.5
    assert rank_accuracy(one([4, 3, 2, 1]), one([0, 0, 1, 1]))[0] == 0.0
    assert rank_accuracy(one([1, 1, 1, 1]), one([1, 0, 0, 0]))[0] == 1.0  # ties in position order


def test_pointing_game_on_a_hand_made_case():
    r = one([0, 3, 1, 3])  # two maxima: the first, position 1, is the point
    assert pointing_game(r, one([0, 0, 0, 1]))[0] == 0.0
    assert pointing_game(r, one([0, 1, 0, 0]))[0] == 1.0
    assert pointing_game(np.stack([r[0], r[0]]), np.stack([one([0, 1, 0, 0])[0], one([1, 0, 1, 1])[0]])).tolist() == [
        1.0,
        0.0,
    ]


def test_aup_and_aur_by_hand():
    # s = [1, .5, 0, 0]: tau in (.5, 1] selects {0}, tau in (0, .5] selects {0, 1}
    aup, aur = precision_recall_areas(one([2, 1, 0, -3]), one([1, 0, 0, 0]))
    assert aup[0] == pytest.approx(0.5 * 1 + 0.5 * 0.5) and aur[0] == pytest.approx(1.0)
    aup, aur = precision_recall_areas(one([2, 1, 0, -3]), one([0, 1, 0, 0]))
    assert aup[0] == pytest.approx(0.5 * 0 + 0.5 * 0.5) and aur[0] == pytest.approx(0.5)


def test_aup_aur_match_a_fine_threshold_grid():
    rng = np.random.default_rng(3)
    r, w = rng.normal(size=(5, 30)), rng.random((5, 30)) < 0.3
    aup, aur = precision_recall_areas(r, w)
    taus = (np.arange(200_000) + 0.5) / 200_000  # midpoint rule over [0, 1]
    for i in range(5):
        s = np.maximum(r[i], 0) / np.maximum(r[i], 0).max()
        selected = s[None, :] >= taus[:, None]
        hits = (selected & w[i][None]).sum(axis=1)
        assert aup[i] == pytest.approx((hits / selected.sum(axis=1)).mean(), abs=1e-4)
        assert aur[i] == pytest.approx((hits / w[i].sum()).mean(), abs=1e-4)


def test_auprc_is_average_precision():
    assert auprc(one([3, 2, 1, 0]), one([1, 0, 1, 0]))[0] == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    assert auprc(one([1, 1, 0, 0]), one([1, 0, 0, 0]))[0] == pytest.approx(0.5)  # tied positions enter together


def test_auprc_by_brute_force_over_thresholds():
    rng = np.random.default_rng(5)
    r, w = rng.integers(0, 6, size=(6, 25)).astype(float), rng.random((6, 25)) < 0.4
    for i, found in enumerate(auprc(r, w)):
        expected, last_recall = 0.0, 0.0
        for level in np.unique(r[i])[::-1]:  # every distinct threshold, highest first
            selected = r[i] >= level
            recall = (selected & w[i]).sum() / w[i].sum()
            expected += (recall - last_recall) * (selected & w[i]).sum() / selected.sum()
            last_recall = recall
        assert found == pytest.approx(expected)


def test_undefined_scores_are_nan():
    empty = np.zeros((1, 4))
    assert np.isnan(list(truth_scores(one([1, 2, 3, 4]), empty).values())).all()
    negative = truth_scores(one([-1, -2, -3, -4]), one([1, 0, 0, 0]))
    assert np.isnan(negative["mass_accuracy"][0]) and np.isnan(negative["aup"][0])
    assert negative["rank_accuracy"][0] == 1.0  # the highest value is still a ranking


def test_channels_are_positions_and_cam_maps_take_any_channel():
    mask = np.zeros((1, 4, 2))
    mask[0, 1, 0] = 1
    r = np.zeros((1, 4, 2))
    r[0, 1, 0] = 5
    assert mass_accuracy(r, fitted(mask, r))[0] == 1.0
    cam = one([0, 1, 0, 0])
    assert fitted(mask, cam).tolist() == [[0, 1, 0, 0]]
    assert mass_accuracy(cam, fitted(mask, cam))[0] == 1.0
    assert fitted(one([0, 1, 0, 0]), r).shape == (1, 4, 2)


def test_the_random_order_scores_the_chance_level():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 50, 1)).astype(np.float32)
    r = random_map(x, seed=1)
    assert sorted(r[0]) == list(range(1, 51))
    w = np.zeros((400, 50))
    w[:, 10:20] = 1  # a fifth of the signal
    scores = truth_scores(r, w)
    assert scores["rank_accuracy"].mean() == pytest.approx(0.2, abs=0.02)
    assert scores["pointing_game"].mean() == pytest.approx(0.2, abs=0.05)
    assert 0.2 < scores["auprc"].mean() < 0.3  # a random ranking's expected AP is a little above the share
    assert scores["aur"].mean() == pytest.approx(0.5, abs=0.02)
    assert np.array_equal(random_map(x[:3], 1), r[:3])  # the same order alone or in a batch
