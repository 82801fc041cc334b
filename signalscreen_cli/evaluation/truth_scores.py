"""Scores of a map against a known answer: where the informative part of each signal is.

Every function takes maps ``r`` and masks ``w`` of one shape, ``(n, L)`` or ``(n, L, C)``, and returns one
float64 score per signal ``(n,)``; a signal whose score is undefined (an empty mask, no positive relevance)
gets NaN. Positions are the map's elements (a position in one channel for ``(n, L, C)``).

* **relevance mass accuracy** (Arras et al. 2022, "CLEVR-XAI"): the share of the positive relevance that
  falls inside the mask, ``Σ max(r, 0)·w / Σ max(r, 0)``; a weight mask in [0, 1] weighs each position.
* **relevance rank accuracy** (Arras et al. 2022): with ``K`` the mask's size, the share of the ``K``
  highest-relevance positions that lie inside it (ties in position order, as ``maps.ranking``).
* **pointing game** (Zhang et al. 2018, no tolerance): 1 if the highest-relevance position is inside, else 0.
* **AUP / AUR** (Crabbé & van der Schaar 2021, "Dynamask"): the positive relevance scaled to [0, 1] by its
  maximum is thresholded at every ``τ`` in [0, 1]; precision and recall of ``{s ≥ τ}`` against the mask,
  integrated exactly over ``τ`` (AUR is then the mean scaled relevance inside the mask).
* **AUPRC** (Ismail et al. 2020): area under the precision–recall curve of the ranking by relevance, as
  average precision ``Σ (R_k − R_{k−1}) P_k`` over the distinct relevance values (tied positions enter
  together); a random map scores about the mask's share of the signal.

Rank accuracy, pointing game, AUP/AUR and AUPRC are defined for binary masks: a weight mask counts as
``w > 0`` there.
"""

from __future__ import annotations

import numpy as np

TRUTH_SCORES = ("mass_accuracy", "rank_accuracy", "pointing_game", "aup", "aur", "auprc")
"""Every score this module computes, in the order of the tables; each is higher for a better map."""


def flat(values: np.ndarray) -> np.ndarray:
    """``(n, L)`` or ``(n, L, C)`` as float64 ``(n, L·C)``."""
    values = np.asarray(values, dtype=np.float64)
    return values.reshape(len(values), -1)


def mass_accuracy(r: np.ndarray, w: np.ndarray) -> np.ndarray:
    positive, weights = np.maximum(flat(r), 0.0), flat(w)
    total = positive.sum(axis=1)
    inside = (positive * weights).sum(axis=1)
    defined = (total > 0) & (weights.sum(axis=1) > 0)
    return np.where(defined, inside / np.where(total > 0, total, 1.0), np.nan)


def _order(r: np.ndarray) -> np.ndarray:
    """Positions by descending relevance, ties in position order ``(n, L·C)``."""
    return np.argsort(-flat(r), axis=1, kind="stable")


def rank_accuracy(r: np.ndarray, w: np.ndarray) -> np.ndarray:
    inside = flat(w) > 0
    sizes = inside.sum(axis=1)
    ordered = np.take_along_axis(inside, _order(r), axis=1)
    in_top = np.cumsum(ordered, axis=1)  # in_top[i, k-1]: mask positions among the k highest
    hits = in_top[np.arange(len(sizes)), np.maximum(sizes, 1) - 1]
    return np.where(sizes > 0, hits / np.maximum(sizes, 1), np.nan)


def pointing_game(r: np.ndarray, w: np.ndarray) -> np.ndarray:
    inside = flat(w) > 0
    top = _order(r)[:, 0]
    hit = inside[np.arange(len(top)), top].astype(np.float64)
    return np.where(inside.any(axis=1), hit, np.nan)


def precision_recall_areas(r: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """AUP and AUR of each signal over thresholds ``τ`` in [0, 1] of the scaled positive relevance."""
    positive, inside = np.maximum(flat(r), 0.0), flat(w) > 0
    peak, sizes = positive.max(axis=1, initial=0.0), inside.sum(axis=1)
    defined = (peak > 0) & (sizes > 0)
    s = positive / np.where(peak > 0, peak, 1.0)[:, None]
    aur = (s * inside).sum(axis=1) / np.maximum(sizes, 1)  # ∫ recall dτ: the mean of s over the mask
    order = np.argsort(-s, axis=1, kind="stable")
    levels = np.take_along_axis(s, order, axis=1)
    hits = np.cumsum(np.take_along_axis(inside, order, axis=1), axis=1)
    # for τ in (levels[j+1], levels[j]] the selection is the first j+1 positions; inside a tie the width is 0
    widths = levels - np.concatenate([levels[:, 1:], np.zeros((len(s), 1))], axis=1)
    aup = (widths * hits / np.arange(1, s.shape[1] + 1)).sum(axis=1)
    return np.where(defined, aup, np.nan), np.where(defined, aur, np.nan)


def auprc(r: np.ndarray, w: np.ndarray) -> np.ndarray:
    values, inside = flat(r), flat(w) > 0
    sizes = inside.sum(axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    ranked = np.take_along_axis(values, order, axis=1)
    hits = np.cumsum(np.take_along_axis(inside, order, axis=1), axis=1)
    ends = np.concatenate([ranked[:, 1:] != ranked[:, :-1], np.ones((len(values), 1), bool)], axis=1)  # tie ends
    at_ends = np.where(ends, hits, 0)
    before = np.concatenate([np.zeros((len(values), 1)), np.maximum.accumulate(at_ends, axis=1)[:, :-1]], axis=1)
    precision = hits / np.arange(1, values.shape[1] + 1)
    gained = np.where(ends, (hits - before) * precision, 0.0).sum(axis=1)  # Σ ΔR·P, ΔR = new hits / size
    return np.where(sizes > 0, gained / np.maximum(sizes, 1), np.nan)


def truth_scores(r: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    """Every score of :data:`TRUTH_SCORES` for maps ``r`` against masks ``w`` of the same shape."""
    aup, aur = precision_recall_areas(r, w)
    return {
        "mass_accuracy": mass_accuracy(r, w),
        "rank_accuracy": rank_accuracy(r, w),
        "pointing_game": pointing_game(r, w),
        "aup": aup,
        "aur": aur,
        "auprc": auprc(r, w),
    }
