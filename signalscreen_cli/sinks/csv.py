"""CSV copies of the univariate arrays: one file per map (per class with ``--target all``), a row per signal."""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np

from ..records import RunRecord, writing

if TYPE_CHECKING:
    from ..records import ChunkResult
    from .table import RunOutputs

NOT_MAPS = ("predictions", "targets", "segment_starts")


class CsvWriter:
    """``folder/<array>.csv`` with a ``sample_index`` column; ``classes``: the arrays have a class axis."""

    needs_all_rows = True

    def __init__(self, folder: Path, classes: list[str] | None = None) -> None:
        self.folder = folder
        self.classes = classes
        self._files: dict[str, IO[str]] = {}

    def write(self, start: int, chunk: ChunkResult) -> None:
        self.write_arrays(chunk.arrays, chunk.rows)

    def write_arrays(self, arrays: dict[str, np.ndarray], rows: np.ndarray) -> None:
        """Append a row per signal (``rows``: their row numbers in the data file) to each map's CSV."""
        for name, values in arrays.items():
            if name in NOT_MAPS:
                continue
            if self.classes and values.ndim >= 2 and values.shape[1] == len(self.classes):
                for k, label in enumerate(self.classes):
                    self._append(f"{name}_{label}", values[:, k], rows)
            else:
                self._append(name, values, rows)

    def close(self, record: RunRecord) -> None:
        self.close_files()

    def close_files(self) -> None:
        for handle in self._files.values():
            handle.close()

    def _append(self, name: str, values: np.ndarray, sample_index: np.ndarray) -> None:
        if values.ndim == 3 and values.shape[2] == 1:
            values = values[:, :, 0]
        if values.ndim != 2:
            return
        path = self.folder / f"{name}.csv"
        with writing(path):
            if name not in self._files:
                self.folder.mkdir(exist_ok=True)
                self._files[name] = open(path, "w")  # noqa: SIM115 (closed in close)
                self._files[name].write("sample_index," + ",".join(f"t{i}" for i in range(values.shape[1])) + "\n")
            table = np.column_stack([sample_index, values])
            np.savetxt(self._files[name], table, delimiter=",", fmt=["%d"] + ["%.7g"] * values.shape[1])


def for_run(run: RunOutputs) -> CsvWriter:
    """Per-class files with ``--target all``, named after the classes."""
    from ..outputs.staging import safe_name

    every_class = run.plan.target.every_class
    return CsvWriter(run.folder / "csv", [safe_name(name) for name in run.class_names] if every_class else None)
