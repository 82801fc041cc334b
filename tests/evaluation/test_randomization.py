"""Model-parameter randomisation check: the correlation rule, the cascade, and its verdict on the sample model."""

from pathlib import Path

import keras
import numpy as np
import pytest
from scipy.stats import spearmanr

from signalscreen_cli.errors import MethodNotApplicableError
from signalscreen_cli.evaluation.randomization import (
    cascade,
    map_correlation,
    randomization_check,
    rank_correlation,
    weighted_layers,
)
from signalscreen_cli.methods.gradients import Saliency
from signalscreen_cli.model.files import load_model

ROOT = Path(__file__).parents[2]


class InputAsMap:
    """A "method" that ignores the model: the signal itself is the map."""

    name = "input_as_map"

    def attribute(self, adapter, x, targets):
        return {"input_as_map": np.array(x, dtype=np.float32)}


def test_rank_correlation_is_spearman_of_absolute_maps():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(5, 30, 2))
    b = a + rng.normal(scale=0.8, size=a.shape)
    b[2] = np.round(b[2])  # ties
    expected = [spearmanr(np.abs(a[i]).ravel(), np.abs(b[i]).ravel())[0] for i in range(5)]
    np.testing.assert_allclose(rank_correlation(a, b), expected, rtol=1e-12)
    np.testing.assert_allclose(rank_correlation(a, -a), 1.0)  # signs do not count
    constant = rank_correlation(a[:2], np.zeros_like(a[:2]))
    assert np.isnan(constant).all()


def beat_map(peak: int, length: int = 187, padded_from: int = 90) -> np.ndarray:
    """A map on one salient region (a bump at ``peak``), then a near-zero padded tail, ``(length, 1)``."""
    t = np.arange(length, dtype=float)
    values = np.exp(-0.5 * ((t - peak) / 4.0) ** 2)
    values[padded_from:] = 0.0
    return values[:, None]


def test_map_correlation_known_answers():
    rng = np.random.default_rng(0)
    salient = np.stack([beat_map(25), beat_map(40)])
    # itself plus small noise: about 1; a shuffled copy: about 0
    noisy = salient + 0.01 * rng.standard_normal(salient.shape)
    assert map_correlation(salient, noisy).min() > 0.99
    shuffled = np.stack([rng.permutation(row) for row in salient])
    assert np.abs(map_correlation(salient, shuffled)).max() < 0.3
    # the same salient region, another near-zero tail: high (Spearman of |maps|, the old measure, was fooled)
    tail = salient.copy()
    tail[:, 90:] = 1e-6 * rng.standard_normal((2, 97, 1))
    assert map_correlation(salient, tail).min() > 0.99
    assert rank_correlation(salient, tail).max() < 0.8
    # signed maps are compared signed: a negation is -1; a magnitude map against a signed one by magnitudes
    signed = salient - 0.5 * np.stack([beat_map(50), beat_map(65)])
    np.testing.assert_allclose(map_correlation(signed, -signed), -1.0)
    np.testing.assert_allclose(map_correlation(np.abs(signed), signed), 1.0)
    # by hand: Pearson of [1, 2, 3] and [1, 3, 2] is 0.5; constant maps have none
    np.testing.assert_allclose(map_correlation(np.array([[1.0, 2, 3]]), np.array([[1.0, 3, 2]])), 0.5)
    assert np.isnan(map_correlation(salient, np.zeros_like(salient))).all()


def test_map_correlation_decides_like_with_like_per_signal():
    """A signal's score is the same alone and beside others of another kind."""
    signed = beat_map(25) - 0.5 * beat_map(60)
    unsigned = beat_map(30)
    pair = map_correlation(np.stack([signed, unsigned]), np.stack([-signed, unsigned * 2]))
    alone = [map_correlation(signed[None], -signed[None])[0], map_correlation(unsigned[None], 2 * unsigned[None])[0]]
    np.testing.assert_allclose(pair, alone)
    np.testing.assert_allclose(pair, [-1.0, 1.0])


def test_cascade_goes_top_down_on_a_copy_and_keeps_running_statistics():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((20, 1)),
            keras.layers.Conv1D(3, 3, name="conv"),
            keras.layers.BatchNormalization(name="norm"),
            keras.layers.Dropout(0.2, name="drop"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dense(2, name="head"),
        ]
    )
    norm = model.get_layer("norm")
    norm.set_weights([w + 0.5 for w in norm.get_weights()])  # non-trivial running statistics
    original = [w.copy() for w in model.get_weights()]
    assert [layer.name for layer in weighted_layers(model)] == ["conv", "norm", "head"]
    steps = []
    for name, clone in cascade(model, seed=3):
        random = [name for name in ("conv", "norm", "head") if not _same(clone.get_layer(name), model.get_layer(name))]
        steps.append((name, random))
        assert clone is not model
    assert steps == [("head", ["head"]), ("norm", ["norm", "head"]), ("conv", ["conv", "norm", "head"])]
    for before, after in zip(original, model.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)  # the user's model is untouched
    *_, (_, clone) = cascade(model, seed=3)
    gamma, beta, mean, variance = clone.get_layer("norm").get_weights()
    assert not np.array_equal(gamma, norm.get_weights()[0]) and not np.array_equal(beta, norm.get_weights()[1])
    np.testing.assert_array_equal(mean, norm.get_weights()[2])
    np.testing.assert_array_equal(variance, norm.get_weights()[3])
    kernel = clone.get_layer("head").get_weights()[0]
    assert abs(kernel.std() / model.get_layer("head").get_weights()[0].std() - 1) < 0.35  # same scale
    first, second = ([w for _, c in cascade(model, seed=3) for w in c.get_weights()] for _ in range(2))
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))  # seeded


def _same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights(), strict=True))


@pytest.fixture(scope="module")
def ecg():
    adapter = load_model(ROOT / "sample_models" / "ecg_cnn.keras")
    x = np.load(ROOT / "sample_data" / "ecg_beats.npy")[:24, :, None].astype(np.float32)
    return adapter, x, adapter.predict(x).argmax(axis=1).astype(np.int32)


def test_saliency_changes_and_a_model_blind_map_fails_on_the_trained_ecg_model(ecg):
    adapter, x, targets = ecg
    weights = [w.copy() for w in adapter.model.get_weights()]
    methods = [Saliency(), InputAsMap()]
    reference = {name: values for method in methods for name, values in method.attribute(adapter, x, targets).items()}
    check = randomization_check(adapter, x, targets, methods, reference, seed=0, threshold=0.9)
    assert check.layers == ("logits", "conv2", "conv1")
    assert check.correlations["saliency"].shape == (3, 24)
    assert check.final("saliency") < 0.6 and check.passed("saliency")
    np.testing.assert_allclose(check.mean("input_as_map"), 1.0, rtol=1e-12)
    assert not check.passed("input_as_map")
    for before, after in zip(weights, adapter.model.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    again = randomization_check(adapter, x, targets, methods, reference, seed=0, threshold=0.9)
    np.testing.assert_array_equal(again.correlations["saliency"], check.correlations["saliency"])


def test_model_without_layers_is_refused():
    class LayerlessAdapter:
        has_layers = False

    with pytest.raises(MethodNotApplicableError, match="--no-randomization"):
        randomization_check(LayerlessAdapter(), np.zeros((1, 4, 1)), np.zeros(1, np.int32), [], {})
