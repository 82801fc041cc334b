"""Verified results: a SHA-256 per stored array, recorded in the manifest when the arrays are written and
checked by the results reader before anything uses them.

The digest covers what the array *is*, not how a container happens to hold it: the SHA-256 of its C-order
data bytes, next to its shape and dtype. An ``.npz`` member and a Zarr array with the same values have the
same entry, so ``merge`` can move arrays between stores and a verification never depends on the zip or
Zarr framing. For Zarr the entry also records the storage chunk grid. A missing Zarr chunk reads as the
fill value, which changes the data bytes (unless the chunk held only fill values, when nothing is lost).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import OutputError

INTEGRITY_KEY = "integrity"
ALGORITHM = "sha256 of the C-order data bytes"


class DamagedResultError(OutputError):
    """A stored result does not match its manifest: an array is missing, changed, or of another shape."""


@dataclass
class ArrayDigest:
    """A SHA-256 fed with an array's data bytes in order, row range by row range."""

    shape: tuple[int, ...]
    dtype: np.dtype
    chunks: tuple[int, ...] | None = None
    _hash: Any = field(default_factory=hashlib.sha256)

    def update(self, data: bytes | memoryview | np.ndarray) -> None:
        if isinstance(data, np.ndarray):
            data = memoryview(np.ascontiguousarray(data, dtype=self.dtype)).cast("B")
        self._hash.update(data)

    def entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "sha256": self._hash.hexdigest(),
            "shape": list(self.shape),
            "dtype": np.dtype(self.dtype).str,
        }
        if self.chunks is not None:
            entry["chunks"] = list(self.chunks)
        return entry


def array_entry(values: np.ndarray, chunks: tuple[int, ...] | None = None) -> dict[str, Any]:
    """The manifest entry of an array held in memory."""
    values = np.asarray(values)
    digest = ArrayDigest(tuple(values.shape), values.dtype, chunks)
    digest.update(values)
    return digest.entry()


def integrity_table(entries: dict[str, dict[str, Any]], store: str) -> dict[str, Any]:
    """The manifest's ``integrity`` table."""
    return {"algorithm": ALGORITHM, "store": store, "arrays": dict(sorted(entries.items()))}


def verify_array(name: str, values: np.ndarray, expected: dict[str, Any], where: str) -> None:
    """Refuse ``values`` unless its shape, dtype and SHA-256 are the ones recorded."""
    _compare(name, array_entry(values), expected, where)


def check_names(present: set[str], manifest: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    """The recorded entries (empty for results written before verification); every array the manifest
    names (``arrays`` table, ``sample_index``, ``integrity`` table) must be present, and nothing else."""
    table = manifest.get(INTEGRITY_KEY)
    recorded: dict[str, dict[str, Any]] = dict(table.get("arrays") or {}) if isinstance(table, dict) else {}
    wanted = {*manifest.get("arrays", {}), "sample_index", *recorded}
    missing = sorted(wanted - present)
    if missing:
        raise DamagedResultError(
            f"{where}: the stored arrays lack {', '.join(repr(name) for name in missing)}, "
            "which the manifest lists",
            _HINT,
        )
    unexpected = sorted(present - set(recorded)) if recorded else []
    if unexpected:
        raise DamagedResultError(
            f"{where}: the stored arrays hold {', '.join(repr(n) for n in unexpected)}, "
            "which the manifest does not list",
            _HINT,
        )
    return recorded


_HINT = "the result is incomplete or was changed after it was written; run explain again for it"


def verify_npz(path: Path, manifest: dict[str, Any], where: str) -> None:
    """Check every member of an ``.npz`` against the manifest, streamed: one read, memory of one block."""
    import zipfile

    from ..signals.npz_members import BLOCK_BYTES, ZIP_FAILURES, member_names, read_header

    try:
        with zipfile.ZipFile(path) as archive:
            recorded = check_names(set(member_names(archive)), manifest, where)
            for name, expected in recorded.items():
                try:
                    with archive.open(f"{name}.npy") as stream:
                        header = read_header(stream)
                        if header.fortran_order:  # not written by explain; small enough to hold
                            stream.seek(0)
                            verify_array(name, np.load(stream, allow_pickle=False), expected, where)
                            continue
                        digest = ArrayDigest(header.shape, header.dtype)
                        for block in iter(lambda stream=stream: stream.read(BLOCK_BYTES), b""):
                            digest.update(block)
                except (ValueError, *ZIP_FAILURES) as exc:
                    raise DamagedResultError(f"{where}: array {name!r} is damaged ({exc})", _HINT) from None
                _compare(name, digest.entry(), expected, where)
    except (OSError, *ZIP_FAILURES) as exc:
        raise DamagedResultError(f"{where}: cannot be read ({exc})", _HINT) from None


def verify_zarr(path: Path, manifest: dict[str, Any], where: str) -> None:
    """Check every array of a Zarr store against the manifest, one storage chunk row at a time."""
    from ..layout import import_zarr

    group = import_zarr().open_group(path, mode="r")
    recorded = check_names(set(group.array_keys()), manifest, where)
    for name, found in zarr_digests(group, sorted(recorded)).items():
        _compare(name, found, recorded[name], where)


def _compare(name: str, found: dict[str, Any], expected: dict[str, Any], where: str) -> None:
    for key in ("shape", "dtype", "chunks"):
        if key in expected and key in found and found[key] != expected[key]:
            raise DamagedResultError(
                f"{where}: array {name!r} has {key} {found[key]}, but the manifest records {expected[key]}", _HINT
            )
    if found["sha256"] != expected.get("sha256"):
        raise DamagedResultError(
            f"{where}: array {name!r} does not match its SHA-256 in the manifest "
            "(a changed byte, or a missing storage chunk read as zeros)",
            _HINT,
        )


def zarr_digests(group: Any, names: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Every array's manifest entry (SHA-256, shape, dtype, chunk grid), read back one storage chunk row at a
    time: the maps may have been written by workers, so the store itself is the one place that holds them all."""
    entries = {}
    for name in sorted(group.array_keys()) if names is None else names:
        array = group[name]
        digest = ArrayDigest(tuple(array.shape), array.dtype, tuple(array.chunks))
        step = max(1, array.chunks[0]) if array.ndim else 1
        for start in range(0, array.shape[0], step) if array.ndim else [0]:
            digest.update(np.asarray(array[start : start + step] if array.ndim else array[...]))
        entries[name] = digest.entry()
    return entries
