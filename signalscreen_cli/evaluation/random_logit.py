"""The random-logit test (Sixt et al. 2020, "When explanations lie"): does the map change with the class?

For each signal, a class other than its target is drawn (seeded by the signal's values) and each method is run
again for it; the score is the Spearman correlation of the two maps' magnitudes (as the randomisation check
compares maps). A map that explains the class scores low; one that only traces the input scores near 1. A
model with one output has no other class (NaN).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..methods.arrays import signal_rng


def other_classes(x: np.ndarray, targets: np.ndarray, n_outputs: int, seed: int) -> np.ndarray:
    """A class ``!= target`` for each signal ``(n,)``, uniformly among the others."""
    drawn = np.array([signal_rng(seed + 4, signal).integers(n_outputs - 1) for signal in x], np.int64)
    return (drawn + (drawn >= targets)).astype(np.int32) if n_outputs > 1 else np.zeros(len(x), np.int32)


def random_logit(
    adapter: Any,
    methods: list[Any],
    x: np.ndarray,
    targets: np.ndarray,
    maps: dict[str, np.ndarray],
    seed: int,
    how: str,
) -> dict[str, np.ndarray]:
    """Per map ``(n,)``: the rank correlation of the map with the same method's map for another class."""
    from ..pipeline.chunks import normalize, run_method
    from .randomization import rank_correlation

    n_outputs = int(adapter.n_outputs)
    if n_outputs < 2:
        return {name: np.full(len(x), np.nan) for name in maps}
    others = other_classes(x, targets, n_outputs, seed)
    found = {}
    for method in methods:
        for name, values in run_method(method, adapter, x, others).items():
            if name in maps:
                found[name] = rank_correlation(maps[name], normalize(np.asarray(values), how, False))
    return found
