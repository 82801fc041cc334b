"""``explain --report``: ``report.html`` written into the run's folder once everything else is there."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..records import RunRecord

if TYPE_CHECKING:
    from ..records import ChunkResult
    from .table import RunOutputs


class ReportWriter:
    """Reads the finished folder back (arrays, manifest, class summaries) and writes ``report.html``; it
    must be the last sink, so the others have closed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, start: int, chunk: ChunkResult) -> None:
        """Nothing per chunk: the report reads what the other sinks wrote."""

    def close(self, record: RunRecord) -> None:
        from ..report.build import REPORT_FILE, write_report

        write_report(self.folder, None, self.folder / REPORT_FILE)


def for_run(run: RunOutputs) -> ReportWriter:
    return ReportWriter(run.folder)
