"""``.npz`` members read as streams: the ``.npy`` header parsed, the values read row range by row range.

A member is never inflated whole, whatever its compression (stored or deflated) and whatever its header
claims: reading rows ``a:b`` decompresses up to row ``b`` and keeps only one block of rows at a time, so
memory stays bounded by the rows asked for, as with a memory-mapped ``.npy``. Sequential chunks reuse one
open stream; a read before the current position starts the member again.
"""

from __future__ import annotations

import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from numpy.lib import format as npy_format

ZIP_FAILURES = (EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError)
"""What zipfile raises on a damaged or unusual archive: cut short, bad CRC or stream, other compression, encrypted."""
BLOCK_BYTES = 1 << 22  # how much of a member's values is held at once while skipping to a row


@dataclass(frozen=True)
class MemberHeader:
    """What a member's ``.npy`` header says."""

    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool


def member_names(archive: zipfile.ZipFile) -> list[str]:
    """The array names of an ``.npz``: its ``.npy`` members, without the suffix."""
    return [info.filename[:-4] for info in archive.infolist() if info.filename.endswith(".npy")]


def read_header(stream: IO[bytes]) -> MemberHeader:
    """Parse the ``.npy`` header at the stream's position; raises ``ValueError`` for anything else."""
    version = npy_format.read_magic(stream)
    reader = {(1, 0): npy_format.read_array_header_1_0, (2, 0): npy_format.read_array_header_2_0}.get(version)
    if reader is None:
        raise ValueError(f"unsupported .npy format version {version}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # old dtype aliases ('a') still name a dtype
            shape, fortran_order, dtype = reader(stream)
    except (ValueError, EOFError):
        raise
    except Exception as exc:  # numpy parses the header text with Python's tokenizer: any of its errors
        raise ValueError(f"the .npy header cannot be read ({type(exc).__name__})") from None
    if dtype.hasobject:
        raise ValueError("the member holds Python objects (pickles are not read)")
    if any(int(n) < 0 for n in shape):
        raise ValueError(f"the .npy header gives a negative shape {shape}")
    return MemberHeader(tuple(int(n) for n in shape), dtype, bool(fortran_order))


class MemberRows:
    """One ``.npz`` member as a row source: ``shape``, ``dtype`` and ``rows[index]``."""

    def __init__(self, path: Path, name: str) -> None:
        self.path, self.member = path, f"{name}.npy"
        self._archive: zipfile.ZipFile | None = None
        self._stream: IO[bytes] | None = None
        self._position = 0  # the next row the open stream gives
        header = self._open()
        if header.fortran_order and len(header.shape) > 1:
            raise ValueError("the member is stored in Fortran order, which cannot be read by rows")
        self.shape, self.dtype = header.shape, header.dtype
        self.row_bytes = int(np.prod(header.shape[1:], dtype=np.int64)) * header.dtype.itemsize

    def _open(self) -> MemberHeader:
        self.close()
        self._archive = zipfile.ZipFile(self.path)
        self._stream = self._archive.open(self.member)
        self._position = 0
        header = read_header(self._stream)
        # zipfile gives at most the member's recorded size: rows past it cannot be there, whatever the header says
        self._values_bytes = self._archive.getinfo(self.member).file_size - self._stream.tell()
        return header

    def __getstate__(self) -> dict[str, object]:  # sent to a worker: it opens the member itself
        return {**self.__dict__, "_archive": None, "_stream": None, "_position": 0}

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
        if self._archive is not None:
            self._archive.close()
        self._stream = self._archive = None

    def _skip_to(self, row: int) -> None:
        if self._stream is None or row < self._position:
            self._open()
        rows_per_block = max(1, BLOCK_BYTES // max(self.row_bytes, 1))
        while self._position < row:
            self._read(min(rows_per_block, row - self._position))

    def _read(self, count: int) -> np.ndarray:
        assert self._stream is not None
        wanted = count * self.row_bytes
        data = self._stream.read(wanted)
        if len(data) != wanted:
            raise EOFError(
                f"member {self.member!r} ends at row {self._position + len(data) // max(self.row_bytes, 1)} "
                f"although its header says {self.shape[0]} rows"
            )
        self._position += count
        return np.frombuffer(data, self.dtype).reshape(count, *self.shape[1:])

    def __getitem__(self, index: object) -> np.ndarray:
        try:
            return self._rows(index)
        except ZIP_FAILURES as exc:
            from ..errors import SignalFileError

            self.close()
            raise SignalFileError(f"{self.path}: cannot read rows of {self.member} ({exc})") from None

    def _rows(self, index: object) -> np.ndarray:
        if index is Ellipsis:
            index = slice(None)
        if isinstance(index, slice):
            index = np.arange(self.shape[0])[index]
        rows = np.atleast_1d(np.asarray(index, dtype=np.int64))
        if rows.size and (rows.min() < 0 or rows.max() >= self.shape[0]):
            raise IndexError(f"rows outside 0..{self.shape[0] - 1}")
        held = self._values_bytes // max(self.row_bytes, 1)
        if rows.size and rows.max() >= held:  # before any allocation: the claim is not what the member holds
            raise EOFError(f"member {self.member!r} ends at row {held} although its header says {self.shape[0]} rows")
        order = np.argsort(rows, kind="stable")
        out = np.empty((len(rows), *self.shape[1:]), self.dtype)
        i = 0
        while i < len(order):  # runs of consecutive rows are read at once
            first = int(rows[order[i]])
            j = i
            while j + 1 < len(order) and rows[order[j + 1]] - rows[order[j]] in (0, 1):
                j += 1
            last = int(rows[order[j]])
            self._skip_to(first)
            block = self._read(last - first + 1)
            out[order[i : j + 1]] = block[rows[order[i : j + 1]] - first]
            i = j + 1
        return out


def open_member(path: Path, key: str | None, choose: Callable[[Path, list[str], str | None, str], str]) -> MemberRows:
    """The member ``key`` of the ``.npz`` at ``path`` (``choose`` picks it among the names, or explains)."""
    from ..errors import SignalFileError

    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                parts = info.filename.replace("\\", "/").split("/")
                if info.filename.startswith(("/", "\\")) or ".." in parts:
                    raise SignalFileError(f"{path}: archive member {info.filename!r} points outside the archive")
            names = member_names(archive)
        return MemberRows(path, choose(path, names, key, "array"))
    except (ValueError, OSError, *ZIP_FAILURES) as exc:
        objects = "Python objects" in str(exc)
        message = "holds Python objects, not numbers" if objects else f"not a valid .npz file ({exc})"
        raise SignalFileError(f"{path}: {message}") from None
