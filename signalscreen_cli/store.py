"""Arrays written chunk by chunk into a staging folder, then packed as one ``attributions.npz``.

Each array is a ``.npy`` memory map created at its full size on its first chunk, so peak memory depends on
the chunk, not on the number of signals. Packing streams every map into an uncompressed ``.npz`` with fixed
member timestamps (identical arrays give identical bytes) and removes the maps.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

import numpy as np
from numpy.lib.format import open_memmap, write_array


class ArrayStore:
    """Full-size arrays in ``folder``, filled by row ranges; optional CSV copies of univariate arrays."""

    def __init__(self, folder: Path, n_rows: int, csv_folder: Path | None = None) -> None:
        self.folder = folder
        self.n_rows = n_rows
        self.csv_folder = csv_folder
        self._maps: dict[str, np.memmap] = {}
        self._csv: dict[str, IO[str]] = {}

    def write(self, start: int, arrays: dict[str, np.ndarray], sample_index: np.ndarray) -> None:
        """Put each array's rows at ``start``; ``sample_index`` labels the CSV rows."""
        for name, values in arrays.items():
            if name not in self._maps:
                self._maps[name] = open_memmap(
                    self.folder / f"{name}.npy", mode="w+", dtype=values.dtype, shape=(self.n_rows, *values.shape[1:])
                )
            self._maps[name][start : start + len(values)] = values
            if self.csv_folder is not None:
                self._append_csv(name, values, sample_index)

    def shapes(self) -> dict[str, list[int]]:
        return {name: list(values.shape) for name, values in self._maps.items()}

    def read(self, name: str) -> np.ndarray:
        return self._maps[name]

    def pack(self, path: Path, extra: dict[str, np.ndarray]) -> None:
        """Write every array (and ``extra``) into ``path`` and delete the memory maps."""
        for handle in self._csv.values():
            handle.close()
        write_npz(path, {**self._maps, **extra})
        for name, values in list(self._maps.items()):
            values._mmap.close()  # type: ignore[attr-defined]
            del self._maps[name]
            (self.folder / f"{name}.npy").unlink()

    def _append_csv(self, name: str, values: np.ndarray, sample_index: np.ndarray) -> None:
        if values.ndim == 3 and values.shape[2] == 1:
            values = values[:, :, 0]
        if values.ndim != 2:
            return
        if name not in self._csv:
            assert self.csv_folder is not None
            self.csv_folder.mkdir(exist_ok=True)
            self._csv[name] = open(self.csv_folder / f"{name}.csv", "w")  # noqa: SIM115 (closed in pack)
            self._csv[name].write("sample_index," + ",".join(f"t{i}" for i in range(values.shape[1])) + "\n")
        table = np.column_stack([sample_index, values])
        np.savetxt(self._csv[name], table, delimiter=",", fmt=["%d"] + ["%.7g"] * values.shape[1])


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like ``numpy.savez`` but streamed from memory maps and byte-identical for identical arrays."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, values in arrays.items():
            member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(member, "w", force_zip64=True) as handle:
                write_array(handle, values, allow_pickle=False)
