"""The pipeline stage that scores each chunk's maps for concentration and robustness, where the model is.

Sparseness and complexity read the maps alone; with ``samples > 0`` every method is run again on ``samples``
noisy copies of each signal (``sensitivity``), a block of signals at a time so that at most
``perturbation.copies_per_call`` copies exist at once, each method called once per block on all of them.
Arrays ``robust:SCORE:MAP``, one number per signal, join the chunk before ``scoring.ScoreChunk``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..methods.arrays import batched_rows
from ..methods.base import Adapter, Method
from ..methods.perturbation import copies_per_call
from ..pipeline.chunks import normalize, run_method
from ..records import ChunkResult
from .complexity import complexity, sparseness
from .maps import StageKey, input_maps, with_scores
from .sensitivity import sensitivity_noise, sensitivity_scores

ROBUST = "robust:"


robust_key = StageKey(ROBUST)


@dataclass(frozen=True)
class RobustnessChunk:
    """Sparseness and complexity of every input map; max/average sensitivity and local Lipschitz estimate.

    Attributes
    ----------
    samples : int
        Noisy copies per signal for the sensitivities (0: none computed).
    radius : float
        Half-width of the uniform noise as a fraction of each signal's range.
    seed : int
        Seed of the noise (with each signal's values).
    normalize : str
        The scaling the maps went through (``explain --normalize``), applied to the recomputed maps.
    """

    samples: int = 0
    radius: float = 0.02
    seed: int = 0
    normalize: str = "none"

    def __call__(self, adapter: Adapter, methods: list[Method], chunk: ChunkResult) -> ChunkResult:
        started = time.perf_counter()
        x, targets = chunk.signals, chunk.arrays["targets"]
        maps = input_maps(chunk)
        found = {}
        for name, values in maps.items():
            found[robust_key("sparseness", name)] = sparseness(values)
            found[robust_key("complexity", name)] = complexity(values)
        if self.samples > 0:
            found.update(self._sensitivities(adapter, methods, x, targets, maps))
        return with_scores(chunk, found, "robustness", started)

    def _sensitivities(
        self, adapter: Adapter, methods: list[Method], x: np.ndarray, targets: np.ndarray, maps: dict[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        n, samples = len(x), self.samples
        parts: dict[str, list[np.ndarray]] = {}
        per_block = max(1, copies_per_call(adapter, x.shape[1], x.shape[2]) // samples)
        for block in batched_rows(n, per_block):
            noise = sensitivity_noise(x[block], self.radius, samples, self.seed)
            copies = (x[block][:, None] + noise).reshape(-1, *x.shape[1:])
            repeated = np.repeat(targets[block], samples)
            for method in methods:
                for name, values in run_method(method, adapter, copies, repeated).items():
                    if name not in maps:
                        continue
                    moved = normalize(np.asarray(values), self.normalize, False)
                    moved = moved.reshape(len(noise), samples, *moved.shape[1:])
                    for score, per_signal in sensitivity_scores(maps[name][block], moved, noise).items():
                        parts.setdefault(robust_key(score, name), []).append(per_signal)
        return {key: np.concatenate(values) for key, values in parts.items()}
