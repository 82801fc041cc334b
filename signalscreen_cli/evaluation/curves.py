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
from ..perturbation import copies_per_call as default_copies
from ..perturbation import perturbed_outputs


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
    budget = max(copies_per_call or default_copies(adapter, length, channels), per_signal)

    def build(block: slice) -> tuple[np.ndarray, np.ndarray]:
        """Copies of signals ``block``: every signal, every baseline, then (removed, restored) per ranking
        and step."""
        signals, bases, chunk = x[block], baseline[block], len(x[block])
        changed = (rank[block][:, :, None, :] < inner[None, None, :, None])[..., None]  # (k, R, S-1, L, 1)
        copies = np.empty((chunk * per_signal, length, channels), np.float32)
        copies[:chunk], copies[chunk : 2 * chunk] = signals, bases
        removed, restored = copies[2 * chunk :].reshape(2, chunk, len(names), len(inner), length, channels)
        removed[...] = signals[:, None, None]
        np.copyto(removed, bases[:, None, None], where=changed)
        restored[...] = bases[:, None, None]
        np.copyto(restored, signals[:, None, None], where=changed)
        target = targets[block]
        middle = np.broadcast_to(target[None, :, None, None], (2, chunk, len(names), len(inner)))
        return copies, np.concatenate([target, target, middle.reshape(-1)])

    return gather_curves(adapter, n, build, per_signal, budget // per_signal, names, fractions, progress)


def gather_curves(
    adapter: Any,
    n: int,
    build: Callable[[slice], tuple[np.ndarray, np.ndarray]],
    per_signal: int,
    signals_per_call: int,
    names: list[str],
    fractions: np.ndarray,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Curves]:
    """Every ranking's curves from the copies ``build`` makes of a block of signals: each signal, its fully
    changed copy, then (removed, restored) copies per ranking and inner step."""
    inner = len(fractions) - 2
    deletion = np.empty((n, len(names), len(fractions)), np.float64)
    insertion = np.empty_like(deletion)
    for rows, outputs in perturbed_outputs(adapter, n, build, signals_per_call):
        chunk = rows.stop - rows.start
        full, empty = outputs[:chunk], outputs[chunk : 2 * chunk]
        middle = outputs[2 * chunk :].reshape(2, chunk, len(names), inner)
        deletion[rows, :, 0], deletion[rows, :, -1] = full[:, None], empty[:, None]
        insertion[rows, :, 0], insertion[rows, :, -1] = empty[:, None], full[:, None]
        deletion[rows, :, 1:-1], insertion[rows, :, 1:-1] = middle[0], middle[1]
        if progress:
            progress("deletion/insertion", rows.stop, n)
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
