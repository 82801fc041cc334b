"""The pipeline stage for faithfulness correlation, ROAD and the random-logit test, on each chunk where the model is.

Arrays ``faith:SCORE:MAP`` (one number per signal) join the chunk before ``scoring.ScoreChunk``; the random
order (``report.RANDOM``, the curves' own) is scored too, as the chance level of faithfulness correlation and
ROAD.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..methods.base import Adapter, Method
from ..methods.baselines import BaselineParameters
from ..records import ChunkResult
from .faithfulness_correlation import faithfulness_correlation, output_drops, subset_masks
from .maps import StageKey, input_maps, random_ranking, ranking, with_scores
from .random_logit import random_logit
from .report import RANDOM
from .road import road_scores
from .truth_stage import random_map

FAITH = "faith:"
FAITHFULNESS_SCORES = ("faithfulness_correlation", "road_morf", "road_lerf", "random_logit")


faith_key = StageKey(FAITH)


@dataclass(frozen=True)
class FaithfulnessChunk:
    """Faithfulness correlation, ROAD MoRF/LeRF and random-logit of every input map of a chunk.

    Attributes
    ----------
    steps : int
        ROAD removes ``k/steps`` of the positions, ``k = 1..steps-1``.
    baseline : Parameters
        What faithfulness correlation sets a subset to (the curves' baseline).
    dataset_mean : numpy.ndarray or None
        The file's mean signal, for a ``dataset-mean`` baseline.
    subsets, fraction : int, float
        Faithfulness correlation: random subsets per signal, and each subset's share of the positions.
    road_noise : float
        ROAD's imputation noise, as a fraction of each signal's range.
    seed : int
        Seed of the subsets, the noise and the other class.
    normalize : str
        The scaling the maps went through, applied to the maps recomputed for another class.
    """

    steps: int
    baseline: BaselineParameters
    dataset_mean: np.ndarray | None = None
    subsets: int = 32
    fraction: float = 0.1
    road_noise: float = 0.01
    seed: int = 0
    normalize: str = "none"

    def __call__(self, adapter: Adapter, methods: list[Method], chunk: ChunkResult) -> ChunkResult:
        started = time.perf_counter()
        x, targets = chunk.signals, chunk.arrays["targets"]
        maps = {name: np.asarray(values, np.float32) for name, values in input_maps(chunk).items()}
        base = self.baseline.baseline_of(x, self.dataset_mean)
        found: dict[str, np.ndarray] = {}
        masks = subset_masks(x, self.subsets, self.fraction, self.seed)
        drops = output_drops(adapter, x, base, targets, masks)
        scored = {**maps, RANDOM: random_map(x, self.seed)}
        for name, values in faithfulness_correlation(scored, masks, drops).items():
            found[faith_key("faithfulness_correlation", name)] = values
        rankings = {name: ranking(values) for name, values in maps.items()}
        rankings[RANDOM] = random_ranking(x, self.seed)
        road = road_scores(adapter, x, targets, rankings, self.steps, self.road_noise, self.seed)
        for name, (morf, lerf) in road.items():
            found[faith_key("road_morf", name)], found[faith_key("road_lerf", name)] = morf, lerf
        for name, values in random_logit(adapter, methods, x, targets, maps, self.seed, self.normalize).items():
            found[faith_key("random_logit", name)] = values
        return with_scores(chunk, found, "faithfulness", started)
