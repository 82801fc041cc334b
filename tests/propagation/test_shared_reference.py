"""DeepLIFT with one reference shared by every signal (zero, dataset-mean, a file) runs the reference's forward
pass on one row and broadcasts it: the maps and gaps must equal those of the same references given row by
row, through tiling and overlapping max-pooling (each with its own winner rule) and both nonlinearity rules."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from signalscreen_cli.model.adapter import ModelAdapter
from signalscreen_cli.propagation.composites import Backward
from signalscreen_cli.propagation.engine import propagate, shared_or_each


def pooled_cnn() -> keras.Model:
    keras.utils.set_random_seed(3)
    return keras.Sequential(
        [
            keras.Input((40, 2)),
            keras.layers.Conv1D(6, 5, padding="same", activation="relu"),
            keras.layers.MaxPooling1D(2),  # tiles the signal
            keras.layers.Conv1D(8, 3, activation="tanh"),
            keras.layers.MaxPooling1D(3, strides=2, padding="same"),  # overlapping windows
            keras.layers.Dense(4, activation="relu"),
            keras.layers.GlobalMaxPooling1D(),
            keras.layers.Dense(3),
        ]
    )


def test_only_a_reference_every_signal_shares_is_kept_as_one_row():
    same = np.ones((4, 5, 1), np.float32)
    assert shared_or_each(same).shape == (1, 5, 1)
    different = same.copy()
    different[2, 3] = 0.5
    assert shared_or_each(different) is different


@pytest.mark.parametrize("reveal_cancel", [False, True])
def test_a_shared_reference_gives_the_maps_of_the_same_reference_given_per_signal(reveal_cancel):
    adapter = ModelAdapter(pooled_cnn(), batch_size=7)  # batches of both kinds: full and the last, short one
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 40, 2)).astype(np.float32)
    targets = rng.integers(0, 3, 16).astype(np.int32)
    reference = np.broadcast_to(rng.normal(size=(1, 40, 2)).astype(np.float32), x.shape)
    backward = Backward("deeplift", reveal_cancel=reveal_cancel)
    shared = propagate(adapter, x, targets, backward, reference)
    # one extra signal with a reference of its own makes the rows differ: every reference then runs per signal
    each = propagate(
        adapter,
        np.concatenate([x, x[:1]]),
        np.r_[targets, 0].astype(np.int32),
        backward,
        np.concatenate([reference, np.zeros((1, 40, 2), np.float32)]),
    )
    for got, want in zip(shared, each, strict=True):
        np.testing.assert_allclose(got, want[:16], rtol=1e-5, atol=1e-6)
    maps, logits, reference_logits = shared
    np.testing.assert_allclose(maps.sum(axis=(1, 2)), logits - reference_logits, rtol=1e-4, atol=1e-4)
