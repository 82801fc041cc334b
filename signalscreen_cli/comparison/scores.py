"""How alike one pair of maps is, per signal."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import UsageError
from ..similarity import cosine, has_negative, like_with_like, pearson, spearman, top_overlap


@dataclass(frozen=True)
class PairScores:
    """Per-signal similarity of one pair of maps.

    Attributes
    ----------
    name, map_a, map_b : str
        The pair's name (``map_a`` alone when both have one name) and each run's map.
    compared : str
        ``signed`` (both maps have negative values: compared as they are) or ``magnitude`` (|values|).
    pearson, spearman, cosine, top_overlap : numpy.ndarray
        One value per signal ``(n,)``, of the values as compared; ``pearson`` is the headline and the gate.
    profile_a, profile_b : numpy.ndarray or None
        Each signal's map as one score per position ``(n, L)`` (channels summed), where the maps have one.
    """

    name: str
    map_a: str
    map_b: str
    compared: str
    pearson: np.ndarray
    spearman: np.ndarray
    cosine: np.ndarray
    top_overlap: np.ndarray
    profile_a: np.ndarray | None
    profile_b: np.ndarray | None


def comparable(name_a: str, name_b: str, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if a.shape == b.shape:
        return a, b
    if a.ndim == b.ndim + 1 and a.shape[:-1] == b.shape:
        return a.sum(axis=-1), b
    if b.ndim == a.ndim + 1 and b.shape[:-1] == a.shape:
        return a, b.sum(axis=-1)
    raise UsageError(f"maps {name_a} {a.shape} and {name_b} {b.shape} do not cover the same positions")


def score_pair(name_a: str, name_b: str, a: np.ndarray, b: np.ndarray, top: float) -> PairScores:
    a, b = comparable(name_a, name_b, np.asarray(a, np.float64), np.asarray(b, np.float64))
    # Signedness is the whole map's (every signal), so all signals of a pair are compared the same way.
    a, b, compared = like_with_like(a, b, has_negative(a), has_negative(b))
    n = len(a)
    same = np.all(a.reshape(n, -1) == b.reshape(n, -1), axis=1)
    r = np.where(same, 1.0, np.nan_to_num(pearson(a, b), nan=0.0))
    rho = np.where(same, 1.0, np.nan_to_num(spearman(a, b), nan=0.0))
    cos = np.where(same, 1.0, np.nan_to_num(cosine(a, b), nan=0.0))

    def profile(values: np.ndarray) -> np.ndarray | None:
        return values.sum(axis=2) if values.ndim == 3 else values if values.ndim == 2 else None

    return PairScores(
        name_a if name_a == name_b else f"{name_a}~{name_b}",
        name_a,
        name_b,
        compared,
        r,
        rho,
        cos,
        top_overlap(a, b, top),
        profile(a),
        profile(b),
    )
