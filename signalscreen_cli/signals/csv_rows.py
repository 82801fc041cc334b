"""CSV files as row sources: one signal per line, read by row number without loading the whole file.

Opening scans the file once for line offsets (8 bytes a row); reading parses only the requested lines.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np

from ..errors import SignalFileError


class CsvRows:
    """Rows of a comma-separated file, an optional header row skipped; the numbers of every column but the
    ``skipped`` ones (labels, ids: text is fine there, read by :meth:`text`).

    Attributes
    ----------
    shape : tuple of int
        ``(rows, columns)`` of the data rows' numeric columns.
    dtype : numpy.dtype
        Always float64.
    header : tuple of str or None
        The header row's names.
    columns : int
        Columns of the file, skipped ones included.
    """

    dtype = np.dtype(np.float64)

    def __init__(self, path: Path, skipped: tuple[int, ...] = ()) -> None:
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
        second = self._line(offsets[1]).split(",") if len(offsets) > 1 else None
        self.header: tuple[str, ...] | None = None
        if _is_header(first.split(","), second):
            self.header = tuple(cell.strip() for cell in first.split(","))
            offsets, numbers = offsets[1:], numbers[1:]
        if not offsets:
            raise SignalFileError(f"{path}: has a header but no data rows")
        self._offsets = np.asarray(offsets, np.int64)
        self._numbers = np.asarray(numbers, np.int64)
        self.columns = len(self._line(offsets[0]).split(","))
        self.skipped = skipped
        self.numeric = [column for column in range(self.columns) if column not in skipped]
        self.width = len(self.numeric)
        self.shape = (len(offsets), self.width)

    def text(self, column: int, rows: np.ndarray) -> np.ndarray:
        """The cells of one column at ``rows``, as text."""
        with open(self.path, "rb") as handle:
            lines = [self._decode(_read_line(handle, int(offset))) for offset in self._offsets[rows]]
        cells = [line.split(",") for line in lines]
        return np.asarray([row[column].strip() if column < len(row) else "" for row in cells])

    def __getitem__(self, index: object) -> np.ndarray:
        rows = np.arange(self.shape[0])[index] if not isinstance(index, np.ndarray) else index
        rows = np.atleast_1d(rows)
        with open(self.path, "rb") as handle:
            lines = [self._decode(_read_line(handle, int(offset))) for offset in self._offsets[rows]]
        try:
            with warnings.catch_warnings():  # an empty parse is reported below in our words
                warnings.simplefilter("ignore", UserWarning)
                text = io.StringIO("\n".join(lines))
                values = np.loadtxt(
                    text, delimiter=",", dtype=np.float64, ndmin=2, comments=None, usecols=self.numeric
                )
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
            if len(cells) != self.columns:
                raise SignalFileError(
                    f"{self.path}: line {number} has {len(cells)} values, the first data row {self.columns}"
                )
            for column in self.numeric:
                if not _is_float(cells[column]):
                    named = self.header[column] if column < len(self.header or ()) else str(column - self.columns)
                    cell = cells[column].strip()[:40]
                    raise SignalFileError(
                        f"{self.path}: line {number}, column {column + 1}: {cell!r} is not a number",
                        f"if that column holds labels or ids, pass --label-column {named} or --drop-columns {named}",
                    )
        raise SignalFileError(f"{self.path}: cannot read rows")


def _is_header(first: list[str], second: list[str] | None) -> bool:
    """The first row names the columns: text where the next row has numbers (or text everywhere)."""
    if second is None or len(second) != len(first):
        return not all(_is_float(cell) for cell in first)
    return any(not _is_float(a) and _is_float(b) for a, b in zip(first, second, strict=True)) or not any(
        _is_float(cell) for cell in first
    )


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
