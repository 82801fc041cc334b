"""HDF5 datasets as bounded-memory row sources, and plain words for files that hold none.

h5py reads a row range of a chunked or compressed dataset by decompressing only the storage chunks that
hold it, so memory stays bounded by the rows asked for, as long as one chunk is of reasonable size: a
dataset stored as one huge compressed chunk would be inflated whole to read any row, and is refused.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SignalFileError

MAX_CHUNK_BYTES = 256 << 20
"""A storage chunk larger than this (uncompressed) is refused: reading one row would hold all of it."""


def check_chunks(dataset: Any, path: Path) -> Any:
    """``dataset``, unless one of its storage chunks is too large to read a row range in bounded memory."""
    chunks = dataset.chunks
    if chunks is not None:
        size = int(np.prod(chunks, dtype=np.int64)) * dataset.dtype.itemsize
        if size > MAX_CHUNK_BYTES:
            raise SignalFileError(
                f"{path}: dataset {dataset.name!r} is stored in chunks of {size / 2**20:.0f} MB {tuple(chunks)}, "
                f"which would be inflated whole to read one row (at most {MAX_CHUNK_BYTES >> 20} MB)",
                "rewrite it with smaller chunks, e.g. h5py's chunks=(1024, L) or chunks=True",
            )
    return dataset


def describe_empty(handle: Any) -> str:
    """What a file without datasets holds: links that resolve to nothing, groups, or nothing at all."""
    import h5py

    dangling: list[str] = []
    groups: list[str] = []

    def look(name: str, link: Any) -> None:
        if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)) and handle.get(name) is None:
            dangling.append(f"/{name}")
        elif isinstance(handle.get(name), h5py.Group):
            groups.append(f"/{name}")

    with contextlib.suppress(KeyError, OSError, RuntimeError):  # a link that cannot be followed at all
        handle.visititems_links(look)
    if dangling:
        shown = ", ".join(dangling[:5]) + (f" and {len(dangling) - 5} more" if len(dangling) > 5 else "")
        return f"only links that resolve to nothing: {shown}"
    if groups:
        return f"only empty groups: {', '.join(groups[:5])}"
    return "it is empty"
