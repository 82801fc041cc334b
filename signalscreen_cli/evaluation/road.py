"""ROAD: RemOve And Debias (Rong et al. 2022), with noisy linear imputation, for 1D signals.

Removing positions by setting them to a baseline leaves a trace of *which* positions were removed, and the
model reacts to that trace as much as to the missing information. ROAD instead fills each removed position
from its neighbours: the imputed values ``v`` solve, for every removed position ``i`` of every channel, the
paper's stencil ``v_i = Σ_j w_j v_j / Σ_j w_j`` over its neighbours ``j`` (in 1D the two adjacent samples,
weight 1 each; one at an end), the kept positions fixed. In 1D that system's solution is the straight line
between the nearest kept samples on each side (constant beyond the last kept one), computed here directly.
Gaussian noise of standard deviation ``noise × (max x − min x)`` is then added to the imputed positions, as
the paper adds to break the remaining correlation: one noise value per position and channel of a signal
(seeded by the signal's values), shared by all its copies, so the levels and orders differ only in what is
removed (common random numbers) and the draws cost one signal's worth, not one per copy.

For each ranking of positions (a map's, or the random order) and ``k = 1..S−1`` of ``S`` steps, the first
(MoRF, most relevant first) or last (LeRF, least relevant first) ``floor(k·L/S)`` positions are imputed; the
score is the mean of the target's output over those levels. MoRF: lower is better; LeRF: higher is better.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..methods.arrays import signal_rng
from ..methods.perturbation import perturbed_scores
from .curves import step_counts


def linear_imputation(x: np.ndarray, removed: np.ndarray, owner: np.ndarray | None = None) -> np.ndarray:
    """Copies of ``x`` ``(k, L, C)`` with the ``removed`` positions ``(m, L)`` filled by the stencil's solution (no
    noise); copy ``j`` is of signal ``owner[j]`` (default: ``j``, so ``m == k``).

    Every copy must keep at least one position.
    """
    m, length = removed.shape
    owner = np.arange(m, dtype=np.int32) if owner is None else np.asarray(owner, np.int32)
    small = np.int16 if length < np.iinfo(np.int16).max else np.int32  # half the memory traffic for short signals
    index = np.arange(length, dtype=small)
    gone = removed.view(np.int8)  # arithmetic on it is several times faster than np.where with a mask
    before = index - gone * (index + 1).astype(small)  # -1 where removed, else the position
    np.maximum.accumulate(before, axis=1, out=before)  # the nearest kept position at or before
    after = (index + gone * (small(length) - index))[:, ::-1]  # length where removed
    np.minimum.accumulate(after, axis=1, out=after)  # ... and at or after (reversed view)
    after = after[:, ::-1]
    left = before + (before < 0) * (after - before)  # none before: the first kept one
    right = after + (after >= length) * (before - after)  # none after: the last kept one
    # a kept position is its own left and right neighbour: weight 0 gives its own value back exactly
    span = (right - left).astype(np.float32)
    weight = (index - left).astype(np.float32)
    np.divide(weight, span, out=weight, where=span > 0)
    base = (owner * np.int32(length))[:, None]  # int32 from here: copies x length may pass int16
    flat = x.reshape(-1, x.shape[2])
    low = flat[left + base]
    low += (flat[right + base] - low) * weight[..., None]
    return low


def road_scores(
    adapter: Any,
    x: np.ndarray,
    targets: np.ndarray,
    rankings: dict[str, np.ndarray],
    steps: int,
    noise: float,
    seed: int,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per ranking ``(n, L)``: the (MoRF, LeRF) mean target output ``(n,)`` each."""
    n, length, channels = x.shape
    counts = step_counts(length, steps)[1:-1]
    names = list(rankings)
    rank = np.stack([np.argsort(np.asarray(rankings[name]), axis=1) for name in names], axis=1)  # (n, R, L)
    per_signal = 2 * len(names) * len(counts)
    if per_signal == 0:
        return {name: (np.full(n, np.nan), np.full(n, np.nan)) for name in names}

    def build(block: slice) -> tuple[np.ndarray, np.ndarray]:
        signals, ranks = x[block], rank[block]
        levels = counts[None, None, :, None]
        morf = ranks[:, :, None, :] < levels  # (k, R, S-1, L)
        lerf = ranks[:, :, None, :] >= length - levels
        removed = np.stack([morf, lerf], axis=1).reshape(-1, length)  # (k·2·R·(S-1), L)
        filled = linear_imputation(signals, removed, np.repeat(np.arange(len(signals)), per_signal))
        if noise > 0:
            for i, signal in enumerate(signals):  # one field per signal, drawn from it: alone or in any chunk alike
                sigma = np.float32(noise * float(signal.max() - signal.min()))
                part = slice(i * per_signal, (i + 1) * per_signal)
                drawn = signal_rng(seed + 3, signal).standard_normal(signal.shape, dtype=np.float32) * sigma
                filled[part] += drawn * removed[part][..., None]
        return filled, np.repeat(targets[block], per_signal)

    found = perturbed_scores(adapter, n, build, (length, channels), per_signal).astype(np.float64)
    found = found.reshape(n, 2, len(names), len(counts))
    means = found.mean(axis=3)
    return {name: (means[:, 0, r], means[:, 1, r]) for r, name in enumerate(names)}
