"""The in-memory sink: every chunk's arrays joined into whole arrays (the Python API, ``evaluate``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..records import RunRecord

if TYPE_CHECKING:
    from ..records import ChunkResult


class MemorySink:
    """Keeps ``arrays`` (joined at ``close``) and the signals, if ``keep_signals``."""

    needs_all_rows = True

    def __init__(self, keep_signals: bool = False) -> None:
        self.keep_signals = keep_signals
        self._parts: dict[str, list[np.ndarray]] = {}
        self.arrays: dict[str, np.ndarray] = {}

    def write(self, start: int, chunk: ChunkResult) -> None:
        items = {**chunk.arrays, **({"signals": chunk.signals} if self.keep_signals else {})}
        for name, values in items.items():
            self._parts.setdefault(name, []).append(values)

    def close(self, record: RunRecord) -> None:
        self.arrays = {name: np.concatenate(parts) for name, parts in self._parts.items()}
        self.arrays.update(record.extra)
        self._parts.clear()
