"""The Zarr array store (``--store zarr``): ``attributions.zarr`` (Zarr v3), one array per name, chunked
along the signal axis on the run's chunk boundaries, so that chunks land in their own storage chunks.

Arrays are created on their first chunk and filled by row ranges; the ``dask`` extra provides ``zarr``.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..layout import ZARR_FILE, import_zarr
from ..records import RunRecord, writing
from ..results.integrity import INTEGRITY_KEY, integrity_table, zarr_digests

if TYPE_CHECKING:
    from ..records import ChunkResult
    from .table import RunOutputs



class ZarrStore:
    """Full-size arrays in ``folder/attributions.zarr``, ``chunk_rows`` signals to a storage chunk."""

    def __init__(self, folder: Path, n_rows: int, chunk_rows: int) -> None:
        self.path = folder / ZARR_FILE
        self.n_rows = n_rows
        self.chunk_rows = chunk_rows
        with writing(self.path):
            self.group = import_zarr().open_group(self.path, mode="w")
        self._arrays: dict[str, Any] = {}

    def write(self, start: int, chunk: ChunkResult) -> None:
        self.write_arrays(start, {name: values for name, values in chunk.arrays.items() if name not in chunk.written})

    def write_arrays(self, start: int, arrays: dict[str, np.ndarray]) -> None:
        """Put each array's rows at row ``start``."""
        with writing(self.path):
            for name, values in arrays.items():
                if name not in self._arrays:
                    self._arrays[name] = self._create(name, (self.n_rows, *values.shape[1:]), values.dtype)
                self._arrays[name][start : start + len(values)] = values

    def shapes(self) -> dict[str, list[int]]:
        return {name: list(array.shape) for name, array in self._arrays.items()}

    def remote_stage(self, keep_rows: int) -> WriteMaps:
        """The stage that writes the maps into this store where they are computed."""
        return WriteMaps(self.path, self.n_rows, self.chunk_rows, keep_rows)

    def read(self, name: str) -> np.ndarray:
        return np.asarray(self._arrays[name][...])

    def close(self, record: RunRecord) -> None:
        self.pack(record.extra)
        # the manifest writer comes after the array store, so the manifest it writes carries the digests
        record.manifest[INTEGRITY_KEY] = integrity_table(zarr_digests(self.group), "zarr")

    def pack(self, extra: dict[str, np.ndarray]) -> None:
        """Add the arrays that are not per chunk (``sample_index``…); the store is then complete."""
        with writing(self.path), warnings.catch_warnings():
            # row ids and record names are text, which Zarr v3 stores but warns has no settled specification
            warnings.filterwarnings("ignore", message="The data type .* does not have a Zarr V3 specification")
            for name, values in extra.items():
                self.group.create_array(name, data=np.asarray(values), chunks=values.shape or (1,))

    def _create(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> Any:
        return create_array(self.group, name, shape, dtype, self.chunk_rows)


def create_array(group: Any, name: str, shape: tuple[int, ...], dtype: np.dtype, chunk_rows: int) -> Any:
    """The array ``name`` of the store, made by whoever comes first (several workers may try at once)."""
    chunks = (min(chunk_rows, max(shape[0], 1)), *shape[1:])
    try:
        return group.create_array(name, shape=shape, chunks=chunks, dtype=dtype, fill_value=0)
    except Exception:  # another worker created it between our look and our write
        return group[name]


@dataclass(frozen=True)
class WriteMaps:
    """A pipeline stage: the chunk's maps go straight into the store where they were computed; the chunk
    goes on with only the rows the plots need (the first ``keep_rows`` of the run).

    Used with ``--dask --store zarr``, so the client never holds the maps.
    """

    path: Path
    n_rows: int
    chunk_rows: int
    keep_rows: int

    def __call__(self, adapter: Any, methods: list[Any], chunk: ChunkResult) -> ChunkResult:
        group = _opened_group(str(self.path))
        maps = [name for name, kind in chunk.kinds.items() if kind == "attribution"]
        with writing(self.path):
            for name in maps:
                values = chunk.arrays[name]
                array = create_array(group, name, (self.n_rows, *values.shape[1:]), values.dtype, self.chunk_rows)
                array[chunk.start : chunk.start + len(values)] = values
        keep = max(0, self.keep_rows - chunk.start)
        arrays = {name: values[:keep] if name in maps else values for name, values in chunk.arrays.items()}
        return replace(chunk, arrays=arrays, written=frozenset(maps))


@functools.lru_cache(maxsize=4)
def _opened_group(path: str) -> Any:
    return import_zarr().open_group(path, mode="r+")


def for_run(run: RunOutputs) -> ZarrStore:
    return ZarrStore(run.folder, len(run.plan.rows), run.plan.chunk_rows)
