"""The pipeline stage that scores each chunk's maps against the ``--truth`` masks, where the chunk is.

It runs before ``scoring.ScoreChunk`` (which keeps only a few numbers per signal) and adds, per map and for
the random order, one array of each score of ``truth_scores.TRUTH_SCORES`` per signal: ``truth:SCORE:MAP``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..methods.base import Adapter, Method
from ..records import ChunkResult
from .maps import StageKey, input_maps, random_ranking, with_scores
from .report import RANDOM
from .truth_masks import fitted, truth_rows
from .truth_scores import truth_scores

TRUTH = "truth:"


truth_key = StageKey(TRUTH)


def random_map(x: np.ndarray, seed: int) -> np.ndarray:
    """The random order as a map ``(n, L)``: the first-ranked position gets ``L``, the last 1."""
    order = random_ranking(x, seed)
    values = np.empty(order.shape, np.float64)
    np.put_along_axis(values, order, np.arange(x.shape[1], 0, -1, dtype=np.float64)[None, :], axis=1)
    return values


@dataclass(frozen=True)
class TruthChunk:
    """Ground-truth scores of every input map of a chunk, and of the random order.

    Attributes
    ----------
    path : str or None
        The mask file (``truth_masks.check_truth`` has accepted it), or ``None`` for ``window``.
    seed : int
        Seed of the random order (the curves' own, so both references are one order).
    window : tuple of int or None
        ``[start, stop)`` samples marked in every row (``--truth qrs:±50ms``) when there is no file.
    """

    path: str | None
    seed: int = 0
    window: tuple[int, int] | None = None

    def __call__(self, adapter: Adapter, methods: list[Method], chunk: ChunkResult) -> ChunkResult:
        started = time.perf_counter()
        x = chunk.signals
        masks = truth_rows(self.path, chunk.rows, self.window, x.shape[1])
        maps = {**input_maps(chunk), RANDOM: random_map(x, self.seed)}
        found = {}
        for name, values in maps.items():
            for score, per_signal in truth_scores(values, fitted(masks, values)).items():
                found[truth_key(score, name)] = per_signal
        return with_scores(chunk, found, "truth", started)
