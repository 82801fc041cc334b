"""True classes of the rows: the dropped ``--label-column`` of a 2-D file, or a ``--labels FILE.npy``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import SignalFileError, UsageError
from .signals import ColumnsDropped, RowSource

BLOCK = 65536


def row_labels(
    source: RowSource, rows: np.ndarray, labels_path: Path | None, n_outputs: int, data_path: Path
) -> np.ndarray | None:
    """The class index of each planned row (int64), or ``None`` where the data has no labels."""
    if labels_path is not None:
        values, where = _labels_file(labels_path, source.shape[0]), f"--labels {labels_path}"
        values = values[rows]
    elif isinstance(source, ColumnsDropped):
        values, where = _column(source, rows), f"{data_path}: --label-column"
    else:
        return None
    return as_classes(values, max(n_outputs, 2), where)


def as_classes(values: np.ndarray, n_classes: int, where: str) -> np.ndarray:
    """Labels as class indices ``0..n_classes-1``; anything else is a usage error naming ``where``."""
    values = np.asarray(values)
    if values.dtype.kind not in "biuf":
        raise UsageError(f"{where}: labels must be class indices (numbers), not {values.dtype}")
    whole = np.ones(len(values), bool)
    if values.dtype.kind == "f":
        whole = np.isfinite(values) & (np.round(values) == values)
    inside = whole & (values >= 0) & (values < n_classes)
    if not inside.all():
        first = int(np.flatnonzero(~inside)[0])
        raise UsageError(
            f"{where}: label {values[first].item()!r} (row {first}) is not a class index 0..{n_classes - 1}",
            "labels are the model's output numbers, e.g. 0 for N and 1 for V",
        )
    return values.astype(np.int64)


def _labels_file(path: Path, n_rows: int) -> np.ndarray:
    if path.suffix.lower() != ".npy":
        raise UsageError(f"--labels {path}: give a .npy file of one class index per row")
    try:
        values = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise SignalFileError(f"--labels {path}: cannot read ({exc})") from None
    values = values.reshape(-1) if values.ndim == 2 and 1 in values.shape else values
    if values.shape != (n_rows,):
        raise SignalFileError(f"--labels {path}: holds shape {values.shape}, but the data has {n_rows} rows")
    return values


def _column(source: ColumnsDropped, rows: np.ndarray) -> np.ndarray:
    """The dropped column's values at ``rows``, read in blocks of sorted rows."""
    column = int(np.setdiff1d(np.arange(source.source.shape[1]), source.keep)[0])
    unique, inverse = np.unique(rows, return_inverse=True)
    parts = [np.asarray(source.source[unique[i : i + BLOCK]])[:, column] for i in range(0, len(unique), BLOCK)]
    return np.concatenate(parts)[inverse]
