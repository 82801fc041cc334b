"""What every attribution method shares: the adapter protocol it calls, a base class, input checks."""

from __future__ import annotations

import zlib
from typing import Any, ClassVar, Protocol

import numpy as np

from ..errors import UsageError


class Adapter(Protocol):
    """The model calls a method may make (``models.ModelAdapter`` implements it; tests may fake it)."""

    n_outputs: int
    batch_size: int

    def predict(self, x: np.ndarray, batch_size: int | None = None) -> np.ndarray: ...

    def logits(self, x: np.ndarray) -> np.ndarray: ...

    def gradients(self, x: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    def layer_activations_and_gradients(
        self, x: np.ndarray, layer: str, targets: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def layer_activations(self, x: np.ndarray, layer: str) -> np.ndarray: ...

    def resolve_layer(self, layer: str | int | None) -> str: ...


class Method:
    """Base of the attribution methods: the constructor only stores parameters.

    ``attribute(adapter, x, targets)`` returns named arrays whose first axis is the signal. Names listed in
    ``diagnostics`` are per-signal numbers (e.g. a completeness gap), not maps: never normalised or plotted.
    """

    name: ClassVar[str] = ""
    diagnostics: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_request(cls, request: Any, context: dict[str, Any]) -> Method:
        """Build from an ``ExplainRequest``; ``context`` holds data-derived inputs (e.g. ``dataset_mean``)."""
        return cls()

    def parameters(self) -> dict[str, Any]:
        """Parameters recorded in the manifest (attributes that do not start with ``_``, arrays left out)."""
        return {k: v for k, v in vars(self).items() if not k.startswith("_") and not isinstance(v, np.ndarray)}

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        raise NotImplementedError


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


def signal_rng(seed: int, signal: np.ndarray) -> np.random.Generator:
    """A generator seeded by ``seed`` and the signal's own values.

    Random draws then depend on the signal, not on its position in a batch or chunk, so results are the
    same alone, in any batch, in any shard.
    """
    return np.random.default_rng([seed, zlib.crc32(np.ascontiguousarray(signal, dtype=np.float32).tobytes())])


def batched_rows(total: int, size: int) -> list[slice]:
    """Consecutive slices of at most ``size`` covering ``range(total)``."""
    return [slice(start, min(start + size, total)) for start in range(0, total, max(1, size))]


PERTURBATION_BYTES = 64 << 20


def perturbation_batch(adapter: Adapter, length: int, channels: int) -> int:
    """Perturbed copies per forward call: forward passes are cheap, so up to 8 gradient batches at once,
    never more than 64 MiB of copies."""
    return max(1, min(8 * adapter.batch_size, PERTURBATION_BYTES // (4 * length * channels)))
