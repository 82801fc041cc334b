"""Deletion and insertion curves (Petsiuk et al. 2018, "RISE"), adapted to 1D signals.

For each signal and each ranking of its positions (a method's, see ``maps.ranking``, or a random one):

* **deletion** starts from the signal and replaces the top-ranked positions (every channel) by the
  baseline, a fraction at a time, until the whole signal is the baseline;
* **insertion** starts from the baseline and puts the signal's own values back in the same order.

After ``k`` of ``steps`` steps the first ``floor(k·L / steps)`` positions of the ranking are changed; the
curve is the model's own output for the target there (the class probability of a softmax head, the unit of
a one-unit sigmoid, the raw value of a linear output), plotted against the fraction of positions changed.
Its area is the trapezoid rule over that fraction, 0 to 1. Deletion: lower is better (the output falls
fast); insertion: higher is better.

The copies go through the perturbation engine: each case is a signal with every ranking, step and both
curves of it; at most ``copies_per_call`` copies (``perturbation.copies_per_call`` by default) exist at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import UsageError
from ..methods.perturbation import perturbed_scores


@dataclass(frozen=True)
class Curves:
    """Deletion and insertion curves of one ranking of each signal's positions.

    Attributes
    ----------
    fractions : numpy.ndarray
        Fraction of positions removed (deletion) or restored (insertion), ``(steps + 1,)``, 0 to 1.
    deletion, insertion : numpy.ndarray
        The target's output along each curve, ``(n, steps + 1)``.
    deletion_auc, insertion_auc : numpy.ndarray
        Area under each signal's curve, ``(n,)``.
    """

    fractions: np.ndarray
    deletion: np.ndarray
    insertion: np.ndarray
    deletion_auc: np.ndarray
    insertion_auc: np.ndarray


def step_counts(length: int, steps: int) -> np.ndarray:
    """Positions changed after each step: ``floor(k·length / steps)`` for ``k = 0..steps``."""
    if not 1 <= steps <= length:
        raise UsageError(f"--steps {steps} must be between 1 and the signal length {length}")
    return (np.arange(steps + 1) * length) // steps


def area(fractions: np.ndarray, curves: np.ndarray) -> np.ndarray:
    """Trapezoid-rule area under each row of ``curves`` ``(n, m)`` over ``fractions`` ``(m,)``."""
    widths = np.diff(fractions)
    return ((curves[:, 1:] + curves[:, :-1]) / 2 * widths).sum(axis=1)


def perturbation_curves(
    adapter: Any,
    x: np.ndarray,
    baseline: np.ndarray,
    targets: np.ndarray,
    rankings: dict[str, np.ndarray],
    steps: int,
    copies_per_call: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Curves]:
    """Deletion and insertion curves of every ranking ``(n, L)`` (positions, most important first).

    ``x`` and ``baseline`` are ``(n, L, C)``; ``targets`` ``(n,)``. The two end points, ``f(x)`` and
    ``f(baseline)``, are shared by every ranking and computed once per signal.
    """
    x = np.asarray(x, dtype=np.float32)
    baseline = np.asarray(baseline, dtype=np.float32)
    targets = np.asarray(targets)
    n, length, channels = x.shape
    counts = step_counts(length, steps)
    fractions = counts / length
    inner = counts[1:-1]
    names = list(rankings)
    # rank[i, r, p]: where position p comes in ranking r of signal i
    rank = np.stack([np.argsort(np.asarray(rankings[name]), axis=1) for name in names], axis=1)
    per_signal = 2 + 2 * len(names) * len(inner)

    def build(block: slice) -> tuple[np.ndarray, np.ndarray]:
        """Per signal of ``block``: the signal, its baseline, then (removed, restored) per ranking and step."""
        signals, bases = x[block], baseline[block]
        changed = (rank[block][:, :, None, :] < inner[None, None, :, None])[..., None]  # (k, R, S-1, L, 1)
        copies = np.empty((len(signals), per_signal, length, channels), np.float32)
        copies[:, 0], copies[:, 1] = signals, bases
        removed, restored = np.moveaxis(copies[:, 2:].reshape(len(signals), 2, *changed.shape[1:4], channels), 1, 0)
        removed[...] = signals[:, None, None]
        np.copyto(removed, bases[:, None, None], where=changed)
        restored[...] = bases[:, None, None]
        np.copyto(restored, signals[:, None, None], where=changed)
        return copies.reshape(-1, length, channels), np.repeat(targets[block], per_signal)

    return gather_curves(adapter, n, build, per_signal, names, fractions, (length, channels), copies_per_call, progress)


def gather_curves(
    adapter: Any,
    n: int,
    build: Callable[[slice], tuple[np.ndarray, np.ndarray]],
    per_signal: int,
    names: list[str],
    fractions: np.ndarray,
    shape: tuple[int, int],
    copies_per_call: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Curves]:
    """Every ranking's curves from the copies ``build`` makes of each signal of a block: the signal, its fully
    changed copy, then (removed, restored) copies per ranking and inner step."""
    inner = len(fractions) - 2
    outputs = perturbed_scores(
        adapter,
        n,
        build,
        shape,
        per_signal,
        copies_per_call,
        (lambda done, total: progress("deletion/insertion", done, total)) if progress else None,
    ).astype(np.float64)
    full, empty = (np.broadcast_to(outputs[:, k, None, None], (n, len(names), 1)) for k in (0, 1))
    removed, restored = np.moveaxis(outputs[:, 2:].reshape(n, 2, len(names), inner), 1, 0)
    deletion = np.concatenate([full, removed, empty], axis=2)
    insertion = np.concatenate([empty, restored, full], axis=2)
    return {
        name: Curves(
            fractions=fractions,
            deletion=deletion[:, r],
            insertion=insertion[:, r],
            deletion_auc=area(fractions, deletion[:, r]),
            insertion_auc=area(fractions, insertion[:, r]),
        )
        for r, name in enumerate(names)
    }
