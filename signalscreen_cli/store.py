"""Arrays written chunk by chunk into a staging folder, then packed as one ``attributions.npz``.

Each array is a ``.npy`` file created at its full size on its first chunk and filled by plain file writes
(no memory map, so the process's memory does not grow with the output). Packing copies each file's bytes
into an uncompressed ``.npz`` member (an ``.npz`` member *is* an ``.npy`` file) with a fixed timestamp, so
identical arrays give identical bytes, and removes the files.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import IO

import numpy as np
from numpy.lib import format as npy_format

NOT_MAPS = ("predictions", "targets", "segment_starts")


class ArrayStore:
    """Full-size arrays in ``folder``, filled by row ranges; optional CSV copies of univariate arrays."""

    def __init__(
        self, folder: Path, n_rows: int, csv_folder: Path | None = None, csv_classes: list[str] | None = None
    ) -> None:
        """``csv_classes``: the arrays have a class axis after the signal axis; one CSV per class."""
        self.folder = folder
        self.n_rows = n_rows
        self.csv_folder = csv_folder
        self.csv_classes = csv_classes
        self._layout: dict[str, tuple[tuple[int, ...], np.dtype, int]] = {}  # shape, dtype, data offset
        self._csv: dict[str, IO[str]] = {}

    def write(self, start: int, arrays: dict[str, np.ndarray], sample_index: np.ndarray) -> None:
        """Put each array's rows at row ``start``; ``sample_index`` labels the CSV rows."""
        for name, values in arrays.items():
            values = np.ascontiguousarray(values)
            if name not in self._layout:
                self._create(name, (self.n_rows, *values.shape[1:]), values.dtype)
            shape, dtype, offset = self._layout[name]
            row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize
            with open(self.folder / f"{name}.npy", "r+b") as handle:
                handle.seek(offset + start * row_bytes)
                handle.write(values.astype(dtype, copy=False).tobytes())
            if self.csv_folder is not None and name not in NOT_MAPS:
                if self.csv_classes and values.ndim >= 2 and values.shape[1] == len(self.csv_classes):
                    for k, label in enumerate(self.csv_classes):
                        self._append_csv(f"{name}_{label}", values[:, k], sample_index)
                else:
                    self._append_csv(name, values, sample_index)

    def shapes(self) -> dict[str, list[int]]:
        return {name: list(shape) for name, (shape, _, _) in self._layout.items()}

    def read(self, name: str) -> np.ndarray:
        """The whole array ``name`` (meant for small per-signal arrays)."""
        return np.load(self.folder / f"{name}.npy")

    def pack(self, path: Path, extra: dict[str, np.ndarray]) -> None:
        """Write every array (and ``extra``) into ``path`` and delete the ``.npy`` files."""
        for handle in self._csv.values():
            handle.close()
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            for name in self._layout:
                with open(self.folder / f"{name}.npy", "rb") as source, _member(archive, name) as target:
                    shutil.copyfileobj(source, target, 1 << 22)
                (self.folder / f"{name}.npy").unlink()
            for name, values in extra.items():
                with _member(archive, name) as target:
                    npy_format.write_array(target, np.asanyarray(values), allow_pickle=False)

    def _create(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> None:
        header = {"descr": npy_format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}
        with open(self.folder / f"{name}.npy", "wb") as handle:
            npy_format.write_array_header_2_0(handle, header)
            offset = handle.tell()
            handle.truncate(offset + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize)
        self._layout[name] = (shape, dtype, offset)

    def _append_csv(self, name: str, values: np.ndarray, sample_index: np.ndarray) -> None:
        if values.ndim == 3 and values.shape[2] == 1:
            values = values[:, :, 0]
        if values.ndim != 2 or self.csv_folder is None:
            return
        if name not in self._csv:
            self.csv_folder.mkdir(exist_ok=True)
            self._csv[name] = open(self.csv_folder / f"{name}.csv", "w")  # noqa: SIM115 (closed in pack)
            self._csv[name].write("sample_index," + ",".join(f"t{i}" for i in range(values.shape[1])) + "\n")
        table = np.column_stack([sample_index, values])
        np.savetxt(self._csv[name], table, delimiter=",", fmt=["%d"] + ["%.7g"] * values.shape[1])


def _member(archive: zipfile.ZipFile, name: str) -> IO[bytes]:
    info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
    return archive.open(info, "w", force_zip64=True)
