"""The evaluation's work on one chunk, done where the model is: curves and randomisation correlations.

:class:`ScoreChunk` is a pipeline stage: the executor hands it each chunk of maps, and it returns the
chunk's scores in their place (a few numbers per signal), so ``evaluate``'s memory does not grow with the
maps of every signal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..methods.base import Adapter, Method
from ..methods.baselines import BaselineParameters
from ..records import ChunkResult
from .curves import perturbation_curves
from .maps import is_input_map, random_ranking, ranking
from .report import RANDOM

DELETION, INSERTION, CORRELATION = "deletion:", "insertion:", "correlation:"


@dataclass(frozen=True)
class ScoreChunk:
    """Deletion/insertion curves of every map and a random order, and the randomisation correlations.

    Attributes
    ----------
    steps : int
        Curve steps.
    baseline : BaselineParameters
        The curves' baseline.
    dataset_mean : numpy.ndarray or None
        The file's mean signal, for a ``dataset-mean`` baseline.
    randomization : bool
        Also correlate the maps recomputed on cascading randomised models.
    seed : int
        Seed of the random order and the randomisation.
    normalize : str
        The scaling the maps went through (``explain --normalize``), applied to recomputed maps.
    baseline_values : numpy.ndarray or None
        A ``.npy`` baseline, already read.
    """

    steps: int
    baseline: BaselineParameters
    dataset_mean: np.ndarray | None = None
    randomization: bool = True
    seed: int = 0
    normalize: str = "none"
    baseline_values: np.ndarray | None = None

    def __call__(self, adapter: Adapter, methods: list[Method], chunk: ChunkResult) -> ChunkResult:
        from .randomization import correlations, randomized_adapters

        x, targets = chunk.signals, chunk.arrays["targets"]
        maps = {
            name: values.astype(np.float32)
            for name, values in chunk.arrays.items()
            if chunk.kinds[name] == "attribution" and is_input_map(name, values, x)
        }
        kept_kinds = ("index", "diagnostic", "score")  # scores of earlier stages (truth_stage) travel on
        kept = {name: chunk.arrays[name] for name, kind in chunk.kinds.items() if kind in kept_kinds}
        scored = ChunkResult(chunk.rows, x, kept, {name: chunk.kinds[name] for name in kept}, {}, dict(chunk.seconds))
        scored.arrays["target_output"] = chunk.arrays["predictions"][np.arange(len(x)), targets]
        started = time.perf_counter()
        base = self.baseline.baseline_of(x, self.dataset_mean, self.baseline_values)
        rankings = {name: ranking(values) for name, values in maps.items()}
        rankings[RANDOM] = random_ranking(x, self.seed)
        for name, curve in perturbation_curves(adapter, x, base, targets, rankings, self.steps).items():
            scored.arrays[DELETION + name], scored.arrays[INSERTION + name] = curve.deletion, curve.insertion
            scored.parameters[DELETION + name] = chunk.parameters.get(name, {"method": None})
        self._band_curves(adapter, chunk, scored)
        scored.seconds["curves"] = time.perf_counter() - started
        if self.randomization:
            started = time.perf_counter()
            _, randomized = randomized_adapters(adapter, self.seed)
            found = correlations(randomized, methods, x, targets, maps, self.normalize)
            scored.arrays.update({CORRELATION + name: values.T for name, values in found.items()})
            scored.seconds["randomization"] = time.perf_counter() - started
        scored.kinds.update({name: "score" for name in scored.arrays if name not in scored.kinds})
        return scored

    def _band_curves(self, adapter: Adapter, chunk: ChunkResult, scored: ChunkResult) -> None:
        """Band deletion/insertion curves of the band maps and of a random band order (``bands``)."""
        from ..methods.spectral import band_edges, band_weights
        from .bands import RANDOM_BANDS, band_curves, band_ranking, random_band_ranking

        x, targets = chunk.signals, chunk.arrays["targets"]
        for name, kind in chunk.kinds.items():
            if kind != "band":
                continue
            made = chunk.parameters[name]
            p = made["parameters"]
            weights = band_weights(x.shape[1], band_edges(x.shape[1], p["bands"], p["band_scale"]), p["band_taper"])
            rankings = {name: band_ranking(chunk.arrays[name])}
            rankings[RANDOM_BANDS] = random_band_ranking(x, p["bands"], self.seed)
            for curve_name, curve in band_curves(adapter, x, targets, weights, rankings, self.steps).items():
                scored.arrays[DELETION + curve_name] = curve.deletion
                scored.arrays[INSERTION + curve_name] = curve.insertion
                scored.parameters[DELETION + curve_name] = {**made, "unit": "band"}
            scored.parameters[DELETION + RANDOM_BANDS]["method"] = None
