"""A whole-run file as a sink: nothing per chunk, the file written once, when the run is closed.

``evaluate`` and ``compare`` write every output through these, from tables of :class:`~.table.SinkRow`
rows (``evaluation.sinks``, ``comparison.sinks``) on the protocol of ``explain``'s sinks; like
``explain``'s manifest and report, they describe the whole run, so they act at ``close``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..records import RunRecord, writing

if TYPE_CHECKING:
    from ..records import ChunkResult
    from .table import Outputs, SinkRow

Produce = Callable[[Path, RunRecord], object]
"""``produce(path, record)`` writes ``path`` (a file, or the folder a set of figures goes into)."""


@dataclass(frozen=True)
class FinishedOutputs:
    """What every sink of a whole-run table reads; each command's outputs add what its files show.

    Attributes
    ----------
    folder : pathlib.Path
        The staging folder, made the output folder once every file is written.
    request : object
        The command's request.
    """

    folder: Path
    request: Any


class FinishedFile:
    """``path`` written by ``produce`` at close; a failed write is an ``OutputError`` naming the path."""

    def __init__(self, path: Path, produce: Produce) -> None:
        self.path = path
        self._produce = produce

    def write(self, start: int, chunk: ChunkResult) -> None:
        """Nothing per chunk: the file describes the whole run."""

    def close(self, record: RunRecord) -> None:
        with writing(self.path):
            self._produce(self.path, record)


def write_finished(table: tuple[SinkRow[Outputs], ...], outputs: Outputs, record: RunRecord) -> None:
    """Build the sinks of ``table`` that ``outputs`` want and close each, in table order, with ``record``."""
    from .table import wanted_sinks

    for sink in wanted_sinks(table, outputs):
        sink.close(record)
