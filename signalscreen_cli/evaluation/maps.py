"""Attribution maps as the evaluation sees them: which arrays count, how positions are ranked, maps in chunks.

Ranking rule: a map ``(n, L, C)`` is summed over channels to one signed score per position ``(n, L)``
(CAM maps are already ``(n, L)``); positions are taken highest score first, ties in position order. The
curves then remove or restore a whole position, every channel at once, so every method, CAM or not, is
judged on the same unit. Signed scores are used as they are: a position with negative attribution is
evidence *against* the target and comes last, as in Petsiuk et al.'s ordering by saliency value.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..methods.base import batched_rows, signal_rng


def is_input_map(name: str, values: np.ndarray, x: np.ndarray, diagnostics: Sequence[str] = ()) -> bool:
    """Whether ``values`` is a per-position map of ``x`` ``(n, L, C)``: ``(n, L)`` or ``(n, L, C)``.

    Diagnostics (one number per signal) and ``*_raw`` arrays at a layer's resolution are not.
    """
    if name in diagnostics or name.endswith("_raw"):
        return False
    n, length, channels = x.shape
    return values.shape in ((n, length), (n, length, channels))


def position_scores(values: np.ndarray) -> np.ndarray:
    """One float64 score per position ``(n, L)``: the map summed over channels."""
    values = np.asarray(values, dtype=np.float64)
    return values.sum(axis=2) if values.ndim == 3 else values


def ranking(values: np.ndarray) -> np.ndarray:
    """Positions of each signal, most important first ``(n, L)``: by descending score, ties by position."""
    return np.argsort(-position_scores(values), axis=1, kind="stable")


def random_ranking(x: np.ndarray, seed: int) -> np.ndarray:
    """A random order of positions for each signal, drawn from ``seed`` and the signal's own values.

    So a signal gets the same order alone or in any batch.
    """
    orders = [signal_rng(seed, signal).permutation(x.shape[1]) for signal in x]
    return np.stack(orders) if orders else np.zeros((0, x.shape[1]), np.int64)


@dataclass(frozen=True)
class MethodMaps:
    """What a set of methods gave for a set of signals.

    Attributes
    ----------
    maps : dict of str to numpy.ndarray
        The arrays that are input maps (``is_input_map``), float32, by name.
    method_of : dict of str to str
        The method that made each map.
    diagnostics : dict of str to numpy.ndarray
        Per-signal numbers the methods declare in ``diagnostics`` (e.g. ``integrated_gradients_delta``).
    seconds : dict of str to float
        Each method's wall time.
    """

    maps: dict[str, np.ndarray]
    method_of: dict[str, str]
    diagnostics: dict[str, np.ndarray]
    seconds: dict[str, float]


def compute_maps(
    methods: Sequence[Any],
    adapter: Any,
    x: np.ndarray,
    targets: np.ndarray,
    chunk: int,
    progress: Callable[[str, int, int], None] | None = None,
) -> MethodMaps:
    """Run each method on ``x`` in chunks of ``chunk`` signals, as ``explain`` does (no normalisation).

    ``methods`` are objects with ``name`` and ``attribute(adapter, x, targets) -> dict`` (registered
    methods, or any object with that interface, e.g. a test's).
    """
    result = MethodMaps({}, {}, {}, {})
    for method in methods:
        diagnostics = getattr(method, "diagnostics", ())
        started = time.perf_counter()
        parts: dict[str, list[np.ndarray]] = {}
        for rows in batched_rows(len(x), chunk):
            for name, values in method.attribute(adapter, x[rows], targets[rows]).items():
                parts.setdefault(name, []).append(np.asarray(values))
            if progress:
                progress(method.name, rows.stop, len(x))
        result.seconds[method.name] = time.perf_counter() - started
        for name, values in parts.items():
            joined = np.concatenate(values)
            if name in diagnostics:
                result.diagnostics[name] = joined
            elif is_input_map(name, joined, x, diagnostics):
                result.maps[name] = joined.astype(np.float32)
                result.method_of[name] = method.name
    return result
