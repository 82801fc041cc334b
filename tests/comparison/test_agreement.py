"""Agreement between two maps: known answers for the measure every surface shows and the gates use.

Pearson correlation, like with like (signed values when both maps are signed, magnitudes otherwise), on
maps shaped like the sample beats: a salient QRS-like bump and a long zero-padded tail of near-zero values.
"""

from __future__ import annotations

import numpy as np
import pytest

from signalscreen_cli.comparison.scores import score_pair
from signalscreen_cli.similarity import MAGNITUDE, SIGNED, has_negative, like_with_like, pearson, spearman
from signalscreen_cli.summaries.stats import agreement

LENGTH, SIGNALS = 187, 64


def bumps(rng: np.random.Generator, signed: bool = False) -> np.ndarray:
    """Maps ``(n, L)`` with one salient bump at 0.12-0.27 of the beat (positions 15-34) and near-zero noise."""
    positions = np.arange(LENGTH)
    centre = rng.uniform(22, 28, (SIGNALS, 1))
    bump = np.exp(-0.5 * ((positions - centre) / 4.0) ** 2)
    if signed:
        bump = bump - 0.6 * np.exp(-0.5 * ((positions - centre - 12) / 3.0) ** 2)
    return bump + 1e-4 * rng.standard_normal((SIGNALS, LENGTH))


def test_a_map_against_itself_with_small_noise_scores_about_one():
    rng = np.random.default_rng(0)
    a = bumps(rng)
    r = pearson(a, a + 0.02 * rng.standard_normal(a.shape))
    assert r.min() > 0.97


def test_a_map_against_a_shuffled_copy_scores_about_zero():
    rng = np.random.default_rng(1)
    a = bumps(rng)
    shuffled = rng.permuted(a, axis=1)
    r = pearson(a, shuffled)
    assert abs(float(np.median(r))) < 0.1 and np.abs(r).max() < 0.4


def test_the_same_salient_region_with_a_different_near_zero_tail_scores_high():
    # The failure the rank correlation had: ~150 tail positions of noise outvote the 20 salient ones.
    rng = np.random.default_rng(2)
    a = bumps(rng)
    b = 0.8 * a + 1e-3 * rng.standard_normal(a.shape)  # same bump, another tail
    assert np.median(pearson(a, b)) > 0.99
    assert np.median(spearman(a, b)) < 0.5  # what the old headline said about these maps


def test_a_signed_map_against_its_negation_is_minus_one_and_like_with_like_keeps_the_sign():
    rng = np.random.default_rng(3)
    a = bumps(rng, signed=True)
    assert has_negative(a) and not has_negative(np.abs(a))
    first, second, compared = like_with_like(a, -a, True, True)
    assert compared == SIGNED
    np.testing.assert_allclose(pearson(first, second), -1.0)
    scores = score_pair("gxi", "gxi", a, -a, 10)
    assert scores.compared == SIGNED and np.allclose(scores.pearson, -1.0)


def test_a_signed_map_beside_an_unsigned_one_is_compared_by_magnitude():
    # Occlusion (signed) against saliency (|gradient|) of the same region: magnitudes agree.
    rng = np.random.default_rng(4)
    signed = bumps(rng, signed=True)
    unsigned = np.abs(signed) * rng.uniform(0.8, 1.2, signed.shape)
    scores = score_pair("occlusion", "saliency", signed[..., None], unsigned, 10)
    assert scores.compared == MAGNITUDE
    assert np.median(scores.pearson) > 0.95 and np.median(scores.top_overlap) > 0.7
    # Compared as they are, the negative lobe would read as disagreement.
    assert np.median(pearson(signed, unsigned)) < np.median(scores.pearson) - 0.1


def test_class_mean_agreement_is_like_with_like():
    rng = np.random.default_rng(5)
    occlusion = bumps(rng, signed=True)
    saliency = np.abs(occlusion) * rng.uniform(0.8, 1.2, occlusion.shape)
    shuffled = rng.permuted(saliency, axis=1)
    maps = {"o": occlusion, "s": saliency, "x": shuffled}
    means = {name: values.mean(axis=0) for name, values in maps.items()}
    mean_abs = {name: np.abs(values).mean(axis=0) for name, values in maps.items()}
    table = agreement(means, mean_abs)
    assert table[0][0] == pytest.approx(1.0) and table[0][1] > 0.95 and table[1][0] == table[0][1]
    assert abs(table[1][2]) < 0.5  # the per-signal shuffle leaves a flat class mean: unrelated
    # Two signed methods compare signed class means: a negated one is opposite.
    assert agreement({"a": means["o"], "b": -means["o"]}, {"a": mean_abs["o"], "b": mean_abs["o"]})[0][1] == (
        pytest.approx(-1.0)
    )


def test_a_constant_map_has_no_correlation():
    rng = np.random.default_rng(6)
    a = bumps(rng)
    assert np.isnan(pearson(np.zeros_like(a), a)).all()
    assert agreement({"a": a[0], "b": np.zeros(LENGTH)}, {"a": a[0], "b": np.zeros(LENGTH)})[0][1] is None
