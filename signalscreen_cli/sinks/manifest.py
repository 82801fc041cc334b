"""``manifest.json``: written when the run is over, after the arrays are packed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..layout import MANIFEST_FILE
from ..outputs.provenance import json_default
from ..records import RunRecord, writing

if TYPE_CHECKING:
    from ..records import ChunkResult
    from .table import RunOutputs



def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    path = folder / MANIFEST_FILE
    with writing(path):
        path.write_text(json.dumps(manifest, indent=2, default=json_default) + "\n")


class ManifestWriter:
    """Writes the run's manifest into ``folder`` when closed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, start: int, chunk: ChunkResult) -> None:
        """Nothing per chunk: the manifest describes the whole run."""

    def close(self, record: RunRecord) -> None:
        write_manifest(self.folder, record.manifest)


def for_run(run: RunOutputs) -> ManifestWriter:
    return ManifestWriter(run.folder)
