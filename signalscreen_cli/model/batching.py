"""How many inputs go through the model at once when the user asks for ``--batch-size auto``."""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_AUTO_BATCH = 2048
CHUNK_BYTES = 64 << 20
COPY_BYTES = 64 << 20
"""At most this many bytes of perturbed copies exist at once (unless one case needs more)."""
COPIES_IN_BATCHES = 8
"""Forward passes are cheap: up to this many gradient batches of copies per call."""


def auto_chunk_rows(row_shape: tuple[int, ...]) -> int:
    """Signals per pipeline step: about 64 MiB of input (each output map is about the same size), 16..4096."""
    row_bytes = 4 * int(np.prod(row_shape))
    return int(np.clip(CHUNK_BYTES // max(row_bytes, 1), 16, 4096))


def available_memory() -> int:
    """Bytes of memory available now (``MemAvailable``), or 4 GiB where that cannot be read."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 4 << 30


def auto_batch_size(model: Any, memory_budget: int | None = None) -> int:
    """The largest power-of-two batch whose activations (kept for the backward pass, twice over) fit the
    budget; default budget a quarter of available memory. Clamped to 16..2048: past a couple of thousand inputs a
    call gets no faster on a CPU, only bigger."""
    budget = memory_budget or available_memory() // 4
    floats = 0
    for layer in model.layers:
        try:
            floats += int(np.prod([d or 1 for d in layer.output.shape[1:]]))
        except (AttributeError, ValueError):
            continue
    per_input = max(floats, 1) * 4 * 3
    size = 16
    while size * 2 * per_input <= budget and size < MAX_AUTO_BATCH:
        size *= 2
    return size


def copies_per_call(adapter: Any, length: int, channels: int) -> int:
    """Perturbed copies per forward call: up to ``COPIES_IN_BATCHES`` batches, never over ``COPY_BYTES``."""
    return max(1, min(COPIES_IN_BATCHES * adapter.batch_size, COPY_BYTES // (4 * length * channels)))
