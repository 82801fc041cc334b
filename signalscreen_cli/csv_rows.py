"""CSV files as row sources: one signal per line, read by row number without loading the whole file.

Opening scans the file once for line offsets (8 bytes a row); reading parses only the requested lines.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np

from .errors import SignalFileError


class CsvRows:
    """Rows of a comma-separated file of numbers, an optional header row skipped.

    Attributes
    ----------
    shape : tuple of int
        ``(rows, columns)`` of the data rows.
    dtype : numpy.dtype
        Always float64.
    """

    dtype = np.dtype(np.float64)

    def __init__(self, path: Path) -> None:
        self.path = path
        offsets, numbers = [], []
        with open(path, "rb") as handle:
            position = 0
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    offsets.append(position)
                    numbers.append(number)
                position += len(line)
        if not offsets:
            raise SignalFileError(f"{path}: file has no rows")
        first = self._line(offsets[0])
        if ";" in first and "," not in first:
            raise SignalFileError(f"{path}: uses ';' as separator", "save the CSV with commas between values")
        if not all(_is_float(cell) for cell in first.split(",")):
            offsets, numbers = offsets[1:], numbers[1:]  # a header row
        if not offsets:
            raise SignalFileError(f"{path}: has a header but no data rows")
        self._offsets = np.asarray(offsets, np.int64)
        self._numbers = np.asarray(numbers, np.int64)
        self.width = len(self._line(offsets[0]).split(","))
        self.shape = (len(offsets), self.width)

    def __getitem__(self, index: object) -> np.ndarray:
        rows = np.arange(self.shape[0])[index] if not isinstance(index, np.ndarray) else index
        rows = np.atleast_1d(rows)
        with open(self.path, "rb") as handle:
            lines = [self._decode(_read_line(handle, int(offset))) for offset in self._offsets[rows]]
        try:
            with warnings.catch_warnings():  # an empty parse is reported below in our words
                warnings.simplefilter("ignore", UserWarning)
                text = io.StringIO("\n".join(lines))
                values = np.loadtxt(text, delimiter=",", dtype=np.float64, ndmin=2, comments=None)
        except ValueError:
            values = None
        if values is None or values.shape != (len(rows), self.width):
            self._raise_first_problem(rows, lines)
        return values

    def _line(self, offset: int) -> str:
        with open(self.path, "rb") as handle:
            return self._decode(_read_line(handle, offset))

    def _decode(self, raw: bytes) -> str:
        try:
            return raw.decode("utf-8-sig").strip()
        except UnicodeDecodeError as exc:
            raise SignalFileError(f"{self.path}: not a text CSV file ({exc.reason})") from exc

    def _raise_first_problem(self, rows: np.ndarray, lines: list[str]) -> None:
        for row, line in zip(rows, lines, strict=True):
            cells = line.split(",")
            number = int(self._numbers[row])
            for column, cell in enumerate(cells):
                if not _is_float(cell):
                    raise SignalFileError(
                        f"{self.path}: line {number}, column {column + 1}: {cell.strip()[:40]!r} is not a number"
                    )
            if len(cells) != self.width:
                raise SignalFileError(
                    f"{self.path}: line {number} has {len(cells)} values, the first data row {self.width}"
                )
        raise SignalFileError(f"{self.path}: cannot read rows")


def _read_line(handle: io.BufferedReader, offset: int) -> bytes:
    if handle.tell() != offset:
        handle.seek(offset)
    return handle.readline()


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
