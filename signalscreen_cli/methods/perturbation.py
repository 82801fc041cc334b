"""The one perturbation engine: masked copies → model → the target's output, batched and memory-bounded.

Occlusion, Score-CAM, the spectral methods, segment Shapley and the deletion/insertion curves describe
their perturbations as numbered *cases*, each with a fixed number of copies, and a function that builds the
copies of a block of cases; the engine sizes the blocks, calls the model and returns every copy's target
output (Captum's ``FeatureAblation`` with ``perturbations_per_eval``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..model.batching import copies_per_call
from .arrays import batched_rows
from .base import Adapter

Build = Callable[[slice], tuple[np.ndarray, np.ndarray]]
"""``build(cases) -> (copies (m, L, C), target of each copy (m,))``, the copies of each case together."""
Progress = Callable[[int, int], None]
"""``progress(cases_done, cases_total)``."""


def perturbed_scores(
    adapter: Adapter,
    cases: int,
    build: Build,
    shape: tuple[int, int],
    copies_per_case: int = 1,
    per_eval: int | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """The target output of every copy, ``(cases, copies_per_case)`` float32, in the order ``build`` makes them.

    ``shape`` is a copy's ``(L, C)``; at most ``per_eval`` copies (default: :func:`copies_per_call`, never
    fewer than one case's) exist at once and go through one forward call.
    """
    from ..model.context import copies_adapter

    budget = max(per_eval or copies_per_call(adapter, *shape), copies_per_case)
    scores = np.empty((cases, copies_per_case), np.float32)
    for block in batched_rows(cases, budget // copies_per_case):
        copies, targets = build(block)
        # a multi-input model: each copy goes with its signal's other inputs, held at their values
        outputs = copies_adapter(adapter, block, cases, copies_per_case).predict(copies, batch_size=budget)
        scores[block] = outputs[np.arange(len(copies)), targets].reshape(-1, copies_per_case)
        if progress:
            progress(block.stop, cases)
    return scores
