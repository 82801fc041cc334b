"""Sinks: each receives every chunk's arrays in input order, then is closed once with the run's record.

A sink never calls the model and owns its failures: a write that fails is an ``OutputError`` naming the
path and the cause.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..records import ChunkResult, RunRecord


class Sink(Protocol):
    """Optional attributes: ``needs_all_rows`` (every row of every array must come back to this process),
    ``rows_needed`` (how many first rows it uses), ``remote_stage(keep_rows)`` (a pipeline stage that writes
    the arrays where they are computed, for an executor whose ``remote`` is true)."""

    def write(self, start: int, chunk: ChunkResult) -> None:
        """Take the chunk whose first signal is output row ``start``."""

    def close(self, record: RunRecord) -> None:
        """Finish: every chunk has been written."""
