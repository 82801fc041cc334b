"""The array store: arrays written chunk by chunk into a staging folder, then packed as one ``attributions.npz``.

Each array is a ``.npy`` file created at its full size on its first chunk and filled by plain file writes
(no memory map, so the process's memory does not grow with the output). Packing copies each file's bytes
into an uncompressed ``.npz`` member (an ``.npz`` member *is* an ``.npy`` file) with a fixed timestamp, so
identical arrays give identical bytes, and removes the files.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np
from numpy.lib import format as npy_format

from ..layout import ARRAYS_FILE
from ..records import RunRecord, writing
from ..results.integrity import INTEGRITY_KEY, ArrayDigest, array_entry, integrity_table

if TYPE_CHECKING:
    from ..records import ChunkResult
    from .table import RunOutputs



class ArrayStore:
    """Full-size arrays in ``folder``, filled by row ranges, packed into ``folder/attributions.npz``."""

    def __init__(self, folder: Path, n_rows: int) -> None:
        self.folder = folder
        self.n_rows = n_rows
        self._layout: dict[str, tuple[tuple[int, ...], np.dtype, int]] = {}  # shape, dtype, data offset
        self.digests: dict[str, dict] = {}  # each packed array's manifest entry (``integrity``)

    def write(self, start: int, chunk: ChunkResult) -> None:
        self.write_arrays(start, chunk.arrays)

    def write_arrays(self, start: int, arrays: dict[str, np.ndarray]) -> None:
        """Put each array's rows at row ``start``."""
        for name, values in arrays.items():
            values = np.ascontiguousarray(values)
            if name not in self._layout:
                self._create(name, (self.n_rows, *values.shape[1:]), values.dtype)
            shape, dtype, offset = self._layout[name]
            row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize
            path = self.folder / f"{name}.npy"
            with writing(path), open(path, "r+b") as handle:
                handle.seek(offset + start * row_bytes)
                handle.write(values.astype(dtype, copy=False).tobytes())

    def shapes(self) -> dict[str, list[int]]:
        return {name: list(shape) for name, (shape, _, _) in self._layout.items()}

    def read(self, name: str) -> np.ndarray:
        """The whole array ``name`` (meant for small per-signal arrays)."""
        return np.load(self.folder / f"{name}.npy")

    def close(self, record: RunRecord) -> None:
        self.pack(record.extra)
        # the manifest writer comes after the array store, so the manifest it writes carries the digests
        record.manifest[INTEGRITY_KEY] = integrity_table(self.digests, "npz")

    def pack(self, extra: dict[str, np.ndarray]) -> None:
        """Write every array (and ``extra``) into ``attributions.npz`` and delete the ``.npy`` files."""
        path = self.folder / ARRAYS_FILE
        with writing(path), zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            for name, (shape, dtype, offset) in self._layout.items():
                digest = ArrayDigest(shape, dtype)
                with open(self.folder / f"{name}.npy", "rb") as source, _member(archive, name) as target:
                    target.write(source.read(offset))
                    for block in iter(lambda source=source: source.read(1 << 22), b""):
                        digest.update(block)  # hashed as it is packed: no second read
                        target.write(block)
                self.digests[name] = digest.entry()
                (self.folder / f"{name}.npy").unlink()
            for name, values in extra.items():
                with _member(archive, name) as target:
                    npy_format.write_array(target, np.asanyarray(values), allow_pickle=False)
                self.digests[name] = array_entry(values)

    def _create(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> None:
        header = {"descr": npy_format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}
        path = self.folder / f"{name}.npy"
        with writing(path), open(path, "wb") as handle:
            npy_format.write_array_header_2_0(handle, header)
            offset = handle.tell()
            handle.truncate(offset + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize)
        self._layout[name] = (shape, dtype, offset)


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An uncompressed ``.npz`` with fixed timestamps: identical arrays give identical bytes."""
    with writing(path), zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, values in arrays.items():
            with _member(archive, name) as target:
                npy_format.write_array(target, np.asanyarray(values), allow_pickle=False)


def _member(archive: zipfile.ZipFile, name: str) -> IO[bytes]:
    info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
    return archive.open(info, "w", force_zip64=True)


def for_run(run: RunOutputs) -> ArrayStore:
    return ArrayStore(run.folder, len(run.plan.rows))
