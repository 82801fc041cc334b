"""Known answers on f(x) = w·x + b, on the numpy stand-in adapter: no TensorFlow needed."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from signalscreen_cli.methods import builtin_methods, get_method
from signalscreen_cli.methods.shapley import segment_bounds
from tests.fakes import LinearAdapter
from tests.methods.table import LINEAR_ANSWERS

N, L, C, K = 5, 12, 2, 3


@pytest.fixture(scope="module")
def linear():
    rng = np.random.default_rng(21)
    adapter = LinearAdapter(rng.normal(size=(L, C, K)), rng.normal(size=K), batch_size=4)
    x = rng.normal(size=(N, L, C)).astype(np.float32)
    targets = np.array([0, 2, 1, 2, 0], np.int32)
    return adapter, x, targets, np.moveaxis(adapter.w[:, :, targets], 2, 0)


@pytest.mark.parametrize("name", sorted(LINEAR_ANSWERS))
def test_the_known_answer_of_a_linear_model(linear, name):
    adapter, x, targets, w = linear
    arguments, array, answer = LINEAR_ANSWERS[name]
    got = get_method(name.removesuffix("_each"))(**arguments).attribute(adapter, x, targets)[array]
    np.testing.assert_allclose(got, answer(w, x), rtol=1e-5, atol=1e-6)


def test_every_gradient_and_perturbation_method_has_a_linear_answer_or_its_own_test():
    own_tests = {"segment_shapley", "spectral_occlusion", "freqrise", "gradcam", "gradcam_plus_plus", "scorecam"}
    own_tests |= {"lrp", "deeplift", "guided_backprop", "deconvnet", "guided_gradcam"}  # tests/methods/test_relevance
    assert set(builtin_methods()) - own_tests <= set(LINEAR_ANSWERS)


def test_segment_shapley_of_a_linear_model_is_each_segments_share(linear):
    adapter, x, targets, w = linear
    got = get_method("segment_shapley")(segments=4).attribute(adapter, x, targets)
    bounds = segment_bounds(L, 4)
    shares = np.stack([(w * x)[:, a:b].sum(axis=(1, 2)) for a, b in itertools.pairwise(bounds)], 1)
    np.testing.assert_allclose(got["segment_shapley_values"], shares, rtol=1e-4, atol=1e-5)
    assert np.abs(got["segment_shapley_gap"]).max() < 1e-4


def test_spectral_occlusion_of_a_linear_model_sums_to_the_output(linear):
    """The bands' weights are a partition of unity, so removing every band in turn removes all of w·x."""
    adapter, x, targets, w = linear
    got = get_method("spectral_occlusion")(bands=5).attribute(adapter, x, targets)["spectral_occlusion"]
    np.testing.assert_allclose(got[:, :, 0].sum(axis=1), (w * x).sum(axis=(1, 2)), rtol=1e-4, atol=1e-4)


def test_occlusion_by_hand_with_a_mean_baseline_and_stride(linear):
    adapter, x, targets, w = linear
    got = get_method("occlusion")(sliding_window=(3,), baselines="mean").attribute(adapter, x, targets)["occlusion_w3"]
    centred = w * (x - x.mean(axis=1, keepdims=True))
    padded = np.pad(centred.sum(axis=2), ((0, 0), (1, 1)))
    by_hand = padded[:, :-2] + padded[:, 1:-1] + padded[:, 2:]  # the window centred at each position, clipped
    np.testing.assert_allclose(got, np.repeat(by_hand[:, :, None], C, axis=2), rtol=1e-4, atol=1e-5)


def test_the_engine_calls_the_model_in_blocks_within_its_budget(linear):
    adapter, x, _, _ = linear
    from signalscreen_cli.methods.perturbation import perturbed_scores

    seen: list[int] = []
    predict = adapter.predict

    def counting(copies, batch_size=None):
        seen.append(len(copies))
        return predict(copies, batch_size)

    adapter.predict = counting
    try:
        scores = perturbed_scores(
            adapter,
            7,
            lambda block: (
                np.repeat(x[:1], 3 * (block.stop - block.start), 0),
                np.zeros(3 * (block.stop - block.start), int),
            ),
            (L, C),
            copies_per_case=3,
            per_eval=7,
        )
    finally:
        del adapter.predict
    assert scores.shape == (7, 3) and seen == [6, 6, 6, 3]  # two cases (6 copies) per call, never over 7
    np.testing.assert_allclose(scores, predict(x[:1])[0, 0])
