"""Faithfulness correlation (Bhatt et al. 2020, "Evaluating and aggregating feature-based model explanations").

For each signal, ``S`` random subsets of ``round(fraction·L)`` positions (every channel of a position, as the
curves) are set to the baseline; the score is the Pearson correlation, over the subsets, between the map's
sum over the subset and the drop of the target's output, ``f(x) − f(x with the subset at the baseline)``.
1 for a map that predicts every drop (gradient×input of a linear model against a zero baseline), −1 for its
negation; NaN where either side is constant. The subsets are drawn from the seed and the signal's values and
are the same for every map, so the model runs ``S + 1`` times per signal for all maps together.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..methods.arrays import signal_rng
from ..methods.perturbation import perturbed_scores
from .maps import position_scores


def subset_masks(x: np.ndarray, subsets: int, fraction: float, seed: int) -> np.ndarray:
    """``(n, S, L)`` bool: the positions of each subset of each signal."""
    n, length = x.shape[:2]
    size = min(length, max(1, round(fraction * length)))
    draws = np.empty((n, subsets, size))
    for i, signal in enumerate(x):  # drawn from each signal's own values: alone or in any chunk alike
        draws[i] = signal_rng(seed + 2, signal).random((subsets, size))
    # a partial Fisher–Yates shuffle of every subset at once: the first `size` of a uniform random permutation
    draws = draws.reshape(n * subsets, size)
    every = np.arange(n * subsets)
    order = np.tile(np.arange(length, dtype=np.int32), (n * subsets, 1))
    for j in range(size):
        other = j + (draws[:, j] * (length - j)).astype(np.int64)
        order[every, j], order[every, other] = order[every, other], order[every, j]
    masks = np.zeros((n * subsets, length), bool)
    np.put_along_axis(masks, order[:, :size], True, axis=1)
    masks = masks.reshape(n, subsets, length)
    return masks


def row_pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of each row pair of ``a`` and ``b`` ``(n, S)``; NaN where a row is constant."""
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    scale = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    tiny = 1e-12 * np.maximum(np.abs(a).max(axis=1) * np.abs(b).max(axis=1), 1e-300)
    return np.where(scale > tiny, (a * b).sum(axis=1) / np.where(scale > 0, scale, 1.0), np.nan)


def output_drops(
    adapter: Any, x: np.ndarray, baseline: np.ndarray, targets: np.ndarray, masks: np.ndarray
) -> np.ndarray:
    """``f(x) − f(x with each subset at the baseline)`` ``(n, S)``, through the perturbation engine."""
    n, subsets = masks.shape[:2]
    per_signal = subsets + 1

    def build(block: slice) -> tuple[np.ndarray, np.ndarray]:
        signals, bases, chunk = x[block], baseline[block], len(x[block])
        copies = np.empty((chunk, per_signal, *x.shape[1:]), np.float32)
        copies[:, 0] = signals
        # x·(1 − m) + b·m, exact for a 0/1 mask m, and faster than a masked copy
        chosen = masks[block][..., None].view(np.int8).astype(np.float32)
        np.multiply(1 - chosen, signals[:, None], out=copies[:, 1:])
        copies[:, 1:] += chosen * bases[:, None]
        return copies.reshape(-1, *x.shape[1:]), np.repeat(targets[block], per_signal)

    outputs = perturbed_scores(adapter, n, build, x.shape[1:], per_signal).astype(np.float64)
    return outputs[:, :1] - outputs[:, 1:]


def faithfulness_correlation(
    maps: dict[str, np.ndarray], masks: np.ndarray, drops: np.ndarray
) -> dict[str, np.ndarray]:
    """Per map ``(n,)``: the correlation of its subset sums with the output drops."""
    found = {}
    for name, values in maps.items():
        sums = np.einsum("nsl,nl->ns", masks.astype(np.float64), position_scores(values))
        found[name] = row_pearson(sums, drops)
    return found
