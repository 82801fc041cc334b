"""Quadrature rules on the straight path α ∈ [0, 1], and their refinement levels for integrated gradients.

Clenshaw–Curtis and the trapezoid rule are nested: refining ``N`` intervals to ``2N`` keeps every node and
adds the midpoints, so a signal redone with more steps only evaluates the new nodes. Gauss–Legendre is not
nested: each of its levels is evaluated afresh.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

NESTED_RULES = ("clenshawcurtis", "trapezoid")
RULES = (*NESTED_RULES, "gausslegendre")


def path_rule(points: int, rule: str) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``alpha`` in [0, 1] (ascending) and weights summing to 1 of ``rule`` with ``points`` nodes."""
    import numpy as np

    if rule == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(points)
        return ((nodes + 1) / 2).astype(np.float32), (weights / 2).astype(np.float32)
    if rule == "clenshawcurtis":
        alphas, weights = _clenshaw_curtis(points - 1)
        return alphas.astype(np.float32), weights.astype(np.float32)
    alphas = np.linspace(0.0, 1.0, points, dtype=np.float32)
    weights = np.full(points, 1.0 / (points - 1), np.float32)
    weights[[0, -1]] /= 2
    return alphas, weights


def _clenshaw_curtis(intervals: int) -> tuple[np.ndarray, np.ndarray]:
    """Clenshaw–Curtis on ``intervals + 1`` Chebyshev extreme points (Trefethen 2008, "Is Gauss quadrature
    better than Clenshaw–Curtis?", the explicit weight formula), mapped from [-1, 1] to [0, 1]."""
    import numpy as np

    theta = np.arange(intervals + 1) * np.pi / intervals
    weights = np.ones(intervals + 1)
    for k in range(1, intervals // 2 + 1):
        doubled = 1.0 if 2 * k == intervals else 2.0
        weights -= doubled * np.cos(2 * k * theta) / (4 * k * k - 1)
    weights *= np.where((np.arange(intervals + 1) == 0) | (np.arange(intervals + 1) == intervals), 1, 2) / intervals
    return (1 - np.cos(theta)) / 2, weights / 2


@dataclass(frozen=True)
class RefinementLevels:
    """The levels a signal may be refined through, and what each level's new nodes weigh at every level.

    Attributes
    ----------
    points : tuple of int
        Nodes of each level's rule: ``n, 2n-1, 4n-3, …`` for nested rules, ``n, 2n, 4n, …`` for
        Gauss–Legendre; none above ``max_points``.
    fresh : tuple of ndarray
        The nodes first evaluated at each level (all of level 0; the midpoints after, or all again when the
        rule is not nested).
    weights : tuple of tuple of ndarray
        ``weights[m][l - m]``: the weights of level ``m``'s fresh nodes in level ``l``'s rule (``l ≥ m``); zero
        where a level's rule does not use them.
    """

    points: tuple[int, ...]
    fresh: tuple[np.ndarray, ...]
    weights: tuple[tuple[np.ndarray, ...], ...]


@functools.lru_cache(maxsize=16)
def refinement_levels(points: int, rule: str, max_points: int) -> RefinementLevels:
    """The levels from ``points`` nodes, refined by doubling the steps while at most ``max_points`` nodes.

    Made once per process and arguments, its arrays read-only: the weights up to 1,009 Clenshaw–Curtis nodes
    take about 15 ms, paid by every integrated-gradients call before."""
    import numpy as np

    nested = rule in NESTED_RULES
    counts = [points]
    while (2 * counts[-1] - 1 if nested else 2 * counts[-1]) <= max_points:
        counts.append(2 * counts[-1] - 1 if nested else 2 * counts[-1])
    rules = [path_rule(count, rule) for count in counts]
    fresh, weights = [], []
    for m, (alphas, _) in enumerate(rules):
        # a node's index at level m becomes index * 2**(l - m) at level l (nested rules only)
        new = np.arange(len(alphas)) if m == 0 or not nested else np.arange(1, len(alphas), 2)
        fresh.append(alphas[new])
        weights.append(
            tuple(
                rules[level][1][new * 2 ** (level - m)] if nested or level == m else np.zeros(len(new), np.float32)
                for level in range(m, len(counts))
            )
        )
    for array in (*fresh, *(w for per_level in weights for w in per_level)):
        array.setflags(write=False)
    return RefinementLevels(tuple(counts), tuple(fresh), tuple(weights))
