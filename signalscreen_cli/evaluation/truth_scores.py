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
    n = len(positive)
    aup, aur = np.full(n, np.nan), np.full(n, np.nan)
    for i in range(n):
        peak, size = positive[i].max(initial=0.0), inside[i].sum()
        if peak <= 0 or size == 0:
            continue
        s = positive[i] / peak
        aur[i] = s[inside[i]].mean()  # ∫ recall dτ = mean over the mask of [s ≥ τ] integrated
        values = np.unique(s)[::-1]  # distinct levels, 1 first; {s ≥ τ} is fixed for τ in (next, level]
        order = np.argsort(-s, kind="stable")
        selected = np.searchsorted(-s[order], -values, side="right")  # positions with s ≥ level
        hits = np.cumsum(inside[i][order])[selected - 1]
        widths = values - np.append(values[1:], 0.0)
        aup[i] = (widths * hits / selected).sum()
    return aup, aur


def auprc(r: np.ndarray, w: np.ndarray) -> np.ndarray:
    values, inside = flat(r), flat(w) > 0
    n = len(values)
    found = np.full(n, np.nan)
    for i in range(n):
        size = inside[i].sum()
        if size == 0:
            continue
        order = np.argsort(-values[i], kind="stable")
        ranked = values[i][order]
        ends = np.flatnonzero(np.append(ranked[1:] != ranked[:-1], True))  # last position of each tie group
        hits = np.cumsum(inside[i][order])[ends]
        precision, recall = hits / (ends + 1), hits / size
        found[i] = (np.diff(np.append(0.0, recall)) * precision).sum()
    return found


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
