"""Attribution maps as the evaluation sees them: which arrays count and how positions are ranked.

Ranking rule: a map ``(n, L, C)`` is summed over channels to one signed score per position ``(n, L)``
(CAM maps are already ``(n, L)``); positions are taken highest score first, ties in position order. The
curves then remove or restore a whole position, every channel at once, so every method, CAM or not, is
judged on the same unit. Signed scores are used as they are: a position with negative attribution is
evidence *against* the target and comes last, as in Petsiuk et al.'s ordering by saliency value.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..methods.arrays import signal_rng

if TYPE_CHECKING:
    from ..records import ChunkResult


def is_input_map(name: str, values: np.ndarray, x: np.ndarray, diagnostics: Sequence[str] = ()) -> bool:
    """Whether ``values`` is a per-position map of ``x`` ``(n, L, C)``: ``(n, L)`` or ``(n, L, C)``.

    Diagnostics (one number per signal) and ``*_raw`` arrays at a layer's resolution are not.
    """
    if name in diagnostics or name.endswith("_raw"):
        return False
    n, length, channels = x.shape
    return values.shape in ((n, length), (n, length, channels))


@dataclass(frozen=True)
class StageKey:
    """Names of a score stage's per-signal arrays: ``key(score, map)`` is ``PREFIX:score:map``."""

    prefix: str
    """``robust:``, ``faith:``…: what every array of the stage begins with."""

    def __call__(self, score: str, name: str) -> str:
        return f"{self.prefix}{score}:{name}"


def input_maps(chunk: ChunkResult) -> dict[str, np.ndarray]:
    """The chunk's attribution maps that are per-position maps of its signals (what a score stage reads)."""
    return {
        name: values
        for name, values in chunk.arrays.items()
        if chunk.kinds.get(name) == "attribution" and is_input_map(name, values, chunk.signals)
    }


def with_scores(chunk: ChunkResult, found: dict[str, np.ndarray], stage: str, started: float) -> ChunkResult:
    """The chunk with a stage's scores (one number per signal, kind ``score``) and the stage's wall time."""
    chunk.arrays.update(found)
    chunk.kinds.update(dict.fromkeys(found, "score"))
    chunk.seconds[stage] = time.perf_counter() - started
    return chunk


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
