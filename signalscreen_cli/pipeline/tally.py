"""What the run learns about its arrays as chunks pass: kinds, shapes, makers, diagnostics and timings."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..records import ChunkResult


class Tally:
    """Everything the manifest says about the arrays of ``n_rows`` signals, gathered chunk by chunk.

    Diagnostics are one number per signal (or window), so they are kept whole for their summary.
    """

    def __init__(self, n_rows: int) -> None:
        self.n_rows = n_rows
        self.kinds: dict[str, str] = {}
        self.parameters: dict[str, dict[str, Any]] = {}
        self.row_shapes: dict[str, tuple[int, ...]] = {}
        self.seconds: dict[str, float] = {}
        self._diagnostics: dict[str, list[np.ndarray]] = {}

    def add(self, chunk: ChunkResult) -> None:
        self.kinds.update(chunk.kinds)
        self.parameters.update(chunk.parameters)
        for name, values in chunk.arrays.items():
            self.row_shapes.setdefault(name, tuple(values.shape[1:]))
            if chunk.kinds.get(name) == "diagnostic":
                self._diagnostics.setdefault(name, []).append(np.asarray(values))
        for name, seconds in chunk.seconds.items():
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def shapes(self) -> dict[str, list[int]]:
        return {name: [self.n_rows, *shape] for name, shape in self.row_shapes.items()}

    def diagnostics(self) -> dict[str, np.ndarray]:
        return {name: np.concatenate(parts) for name, parts in self._diagnostics.items()}
