"""Array helpers the methods share: input checks, per-signal random generators, row batches."""

from __future__ import annotations

import zlib

import numpy as np

from ..errors import UsageError


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
