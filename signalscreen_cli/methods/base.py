"""What every attribution method shares: the adapter protocol it calls and input checks."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ..errors import UsageError


class Adapter(Protocol):
    """The model calls a method may make (``models.ModelAdapter`` implements it; tests may fake it)."""

    n_outputs: int
    batch_size: int

    def predict(self, x: np.ndarray) -> np.ndarray: ...

    def logits(self, x: np.ndarray) -> np.ndarray: ...

    def gradients(self, x: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    def layer_activations_and_gradients(
        self, x: np.ndarray, layer: str, targets: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def resolve_layer(self, layer: str | int | None) -> str: ...


def check_inputs(x: np.ndarray, targets: np.ndarray, n_outputs: int) -> tuple[np.ndarray, np.ndarray]:
    """Validate a batch ``(n, L, C)`` and its per-sample target indices."""
    x = np.asarray(x, dtype=np.float32)
    targets = np.asarray(targets, dtype=np.int32)
    if x.ndim != 3:
        raise UsageError(f"signals must have shape (n, L, C), not {x.shape}")
    if targets.shape != (x.shape[0],):
        raise UsageError(f"need one target per signal: {targets.shape} targets for {x.shape[0]} signals")
    if targets.size and (targets.min() < 0 or targets.max() >= n_outputs):
        raise UsageError(f"target {int(targets.max())} is outside the model's {n_outputs} outputs")
    return x, targets
