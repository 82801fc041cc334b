"""The one perturbation engine: masked copies → model → the target's output, batched and memory-bounded.

Occlusion, Score-CAM and the deletion/insertion curves describe their perturbations as numbered *cases*
and a function that builds the copies of a block of cases; the engine walks the blocks, calls the model
and picks each copy's target output (Captum's ``FeatureAblation`` with ``perturbations_per_eval``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from .methods.arrays import batched_rows
from .methods.base import Adapter

COPY_BYTES = 64 << 20
"""At most this many bytes of perturbed copies exist at once (unless one case needs more)."""
COPIES_IN_BATCHES = 8
"""Forward passes are cheap: up to this many gradient batches of copies per call."""

Build = Callable[[slice], tuple[np.ndarray, np.ndarray]]
"""``build(cases) -> (copies (m, L, C), target of each copy (m,))``."""


def copies_per_call(adapter: Adapter, length: int, channels: int) -> int:
    """Perturbed copies per forward call: up to ``COPIES_IN_BATCHES`` batches, never over ``COPY_BYTES``."""
    return max(1, min(COPIES_IN_BATCHES * adapter.batch_size, COPY_BYTES // (4 * length * channels)))


def perturbed_outputs(
    adapter: Adapter, cases: int, build: Build, cases_per_call: int, batch_size: int | None = None
) -> Iterator[tuple[slice, np.ndarray]]:
    """For each block of at most ``cases_per_call`` cases: the block and its copies' target outputs.

    ``batch_size`` is passed to ``adapter.predict`` (``None``: the adapter's own).
    """
    for block in batched_rows(cases, cases_per_call):
        copies, targets = build(block)
        outputs = adapter.predict(copies) if batch_size is None else adapter.predict(copies, batch_size=batch_size)
        yield block, outputs[np.arange(len(copies)), targets]
