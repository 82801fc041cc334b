"""Tables as people keep them: a label column and id columns beside the signal, by index or header name.

``--label-column`` takes one column out of the signal and keeps it as each row's label (numbers, or class
names mapped through ``--class-names``); ``--drop-columns`` takes others out and keeps them as row ids. In a
``.npz`` or ``.h5`` file, ``--label-column NAME`` names the array of labels beside the signals.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SignalFileError, UsageError
from .csv_rows import CsvRows

Column = int | str
"""A column by index (negative from the end) or by its header name."""
BLOCK = 65536


def parse_column(text: str) -> Column:
    """``-1`` is an index, ``label`` a header name."""
    stripped = text.strip()
    return int(stripped) if stripped.lstrip("-").isdigit() else stripped


class SideColumns:
    """A 2-D row source without its label and id columns; the label and ids stay readable by row.

    Attributes
    ----------
    shape : tuple of int
        ``(rows, signal columns)``.
    label : int or None
        The label column's index in the source.
    ids : dict of str to int
        Each id column's output name (``row_id``, ``row_id_<name>``) and index.
    """

    def __init__(self, source: Any, label: int | None, ids: dict[str, int]) -> None:
        self.source, self.label, self.ids = source, label, ids
        if isinstance(source, CsvRows):
            self.keep = np.arange(source.shape[1])  # the reader already leaves them out
        else:
            self.keep = np.setdiff1d(np.arange(source.shape[1]), [*ids.values(), *([] if label is None else [label])])
        self.shape = (source.shape[0], len(self.keep))
        self.dtype = getattr(source, "dtype", np.dtype(np.float64))

    def __getitem__(self, index: object) -> np.ndarray:
        values = np.asarray(self.source[index])
        return values if isinstance(self.source, CsvRows) else values[..., self.keep]

    def label_values(self, rows: np.ndarray) -> np.ndarray:
        """The label of each row (numbers, or text as the file has it)."""
        if self.label is None:
            raise UsageError("the data has no --label-column")
        return self._column(self.label, rows)

    def row_arrays(self) -> dict[str, np.ndarray]:
        rows = np.arange(self.shape[0])
        return {name: self._column(column, rows) for name, column in self.ids.items()}

    def _column(self, column: int, rows: np.ndarray) -> np.ndarray:
        if isinstance(self.source, CsvRows):
            return self.source.text(column, rows)
        unique, inverse = np.unique(rows, return_inverse=True)
        parts = [np.asarray(self.source[unique[i : i + BLOCK]])[:, column] for i in range(0, len(unique), BLOCK)]
        return np.concatenate(parts)[inverse]


def side_columns(
    source: Any, label_column: Column | None, drop_columns: Sequence[Column], path: Path
) -> Any:
    """``source`` without the label and id columns (unchanged when none is given)."""
    if label_column is None and not drop_columns:
        return source
    if len(source.shape) != 2:
        raise UsageError(
            f"--label-column and --drop-columns apply to 2-D data (n, L); {path} has shape {tuple(source.shape)}"
        )
    header = source.header if isinstance(source, CsvRows) else None
    width = source.columns if isinstance(source, CsvRows) else source.shape[1]
    label = None if label_column is None else _index(label_column, header, width, path, "--label-column")
    ids: dict[str, int] = {}
    for given in drop_columns:
        column = _index(given, header, width, path, "--drop-columns")
        name = str(header[column]) if header else str(given)
        ids["row_id" if not ids else f"row_id_{name}"] = column
    taken = [*ids.values(), *([] if label is None else [label])]
    if len(set(taken)) < len(taken):
        raise UsageError(f"{path}: --label-column and --drop-columns name the same column twice")
    if len(taken) >= width:
        raise SignalFileError(f"{path}: dropping {len(taken)} of its {width} columns leaves no signal values")
    if isinstance(source, CsvRows):
        source = CsvRows(path, tuple(taken))
    return SideColumns(source, label, ids)


def column_index(column: Column, header: tuple[str, ...] | None, width: int, path: Path, option: str) -> int:
    """The index of ``column`` (an index, or a header name) in a table of ``width`` columns; ``option`` names
    the option that gave it in the error."""
    return _index(column, header, width, path, option)


def _index(column: Column, header: tuple[str, ...] | None, width: int, path: Path, option: str) -> int:
    if isinstance(column, int):
        if not -width <= column < width:
            raise UsageError(f"{option} {column} is outside {path}, which has {width} columns")
        return column % width
    if header is None:
        raise UsageError(f"{option} {column}: {path} has no header row to find it in", "give the column's index")
    if column not in header:
        raise UsageError(f"{option} {column}: {path} has no column of that name", "its columns: " + _shown(header))
    return header.index(column)


def _shown(names: Sequence[str]) -> str:
    return ", ".join(names[:6]) + (f", … ({len(names)} in all)" if len(names) > 6 else "")


class LabelsBeside:
    """A row source whose labels are an array of their own in the same ``.npz``/``.h5`` file."""

    def __init__(self, source: Any, labels: np.ndarray) -> None:
        self.source, self.labels = source, labels
        self.shape = source.shape
        self.dtype = getattr(source, "dtype", np.dtype(np.float64))

    def __getitem__(self, index: object) -> np.ndarray:
        return self.source[index]

    def label_values(self, rows: np.ndarray) -> np.ndarray:
        return self.labels[rows]


def labels_array(path: Path, name: str, key: str | None) -> tuple[str | None, np.ndarray]:
    """The array ``name`` of a ``.npz``/``.h5`` file (its labels), and the signals' key: ``key``, or the one
    other array."""
    names, labels = _container(path, name)
    others = [other for other in names if other != name]
    if key is None and len(others) == 1:
        key = others[0]
    labels = np.asarray(labels)
    labels = labels.reshape(-1) if labels.ndim == 2 and 1 in labels.shape else labels
    if labels.ndim != 1:
        raise SignalFileError(f"{path}: labels array {name!r} has shape {labels.shape}; give one label per row")
    return key, labels


def _check_named(name: str, names: list[str], path: Path) -> None:
    if name not in names:
        raise UsageError(f"--label-column {name}: {path} holds no array of that name", "it holds: " + _shown(names))


def _container(path: Path, name: str) -> tuple[list[str], np.ndarray]:
    try:
        if path.suffix.lower() == ".npz":
            with np.load(path, allow_pickle=False) as archive:
                names = list(archive.files)
                _check_named(name, names, path)
                return names, archive[name]
        import h5py

        with h5py.File(path, "r") as handle:
            found: list[str] = []
            handle.visititems(lambda item, value: found.append(item) if isinstance(value, h5py.Dataset) else None)
            _check_named(name, found, path)
            values = handle[name][()]
            return found, values.astype(str) if values.dtype.kind in "SO" else values
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise SignalFileError(f"{path}: cannot read labels {name!r} ({exc})") from exc
