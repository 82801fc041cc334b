"""True classes of the rows: the dropped ``--label-column`` of a 2-D file, or a ``--labels FILE.npy``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import SignalFileError, UsageError
from .files import RowSource


def row_labels(
    source: RowSource,
    rows: np.ndarray,
    labels_path: Path | None,
    n_outputs: int,
    data_path: Path,
    class_names: tuple[str, ...] = (),
) -> np.ndarray | None:
    """The class index of each planned row (int64), or ``None`` where the data has no labels."""
    if labels_path is not None:
        values, where = _labels_file(labels_path, source.shape[0]), f"--labels {labels_path}"
        values = values[rows]
    elif hasattr(source, "label_values") and getattr(source, "label", 0) is not None:
        values, where = source.label_values(rows), f"{data_path}: --label-column"
    else:
        return None
    return as_classes(values, max(n_outputs, 2), where, class_names)


def as_classes(values: np.ndarray, n_classes: int, where: str, class_names: tuple[str, ...] = ()) -> np.ndarray:
    """Labels as class indices ``0..n_classes-1`` (text labels through ``class_names``); anything else is a
    usage error naming ``where``."""
    values = np.asarray(values)
    if values.dtype.kind in "US":
        values = _by_name(values.astype(str), class_names, where)
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


def _by_name(values: np.ndarray, class_names: tuple[str, ...], where: str) -> np.ndarray:
    """Text labels: numbers written as text, or class names (``--class-names``) as their indices."""
    try:
        return values.astype(np.float64)
    except ValueError:
        pass
    if not class_names:
        shown = ", ".join(sorted(set(values[:1000].tolist()))[:5])
        raise UsageError(f"{where}: labels are names ({shown}), not class indices", "give --class-names to map them")
    index = {name: k for k, name in enumerate(class_names)}
    unknown = sorted(set(values.tolist()) - set(index))
    if unknown:
        raise UsageError(
            f"{where}: label {unknown[0]!r} is not among the --class-names", "known: " + ", ".join(class_names)
        )
    return np.asarray([index[value] for value in values.tolist()], np.int64)


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
