"""The values of a multi-input model's other inputs: ``--input NAME=FILE`` (or the API's dict), one row a signal.

Read with the signal readers (``.npy``, ``.csv`` with or without a header, ``.npz`` as ``FILE:KEY``),
checked for row count and shape against the model's input, and held by the plan as plain arrays indexed by row number
(a few numbers a signal), so chunks, ``--shard``, ``--resume`` and ``--dask`` take each chunk's rows of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ShapeMismatchError, SignalFileError, UsageError
from .files import array_rows, open_rows, read_rows


def file_and_key(text: str) -> tuple[Path, str | None]:
    """``meta.npz:age_sex`` as the file and its key, ``beats.csv:age+sex`` as the file and its columns; other
    files as they are."""
    head, colon, key = text.rpartition(":")
    if colon and head.lower().endswith((".npz", ".csv")) and key:
        return Path(head), key
    return Path(text), None


def csv_columns(path: Path, columns: str) -> tuple[np.ndarray, list[str] | None]:
    """Columns of a CSV (by header name or index, joined by ``+``: a comma would split the option's values) as
    numbers ``(rows, columns)``, and their header names (``None`` without a header): another input kept in the
    signal file beside the samples (``--drop-columns`` leaves those columns out of the signal)."""
    from .columns import column_index, parse_column
    from .csv_rows import CsvRows

    if not path.is_file():
        raise SignalFileError(f"{path}: no such file")
    source = CsvRows(path)
    rows = np.arange(source.shape[0])
    found, names = [], []  # names: a header's, or none when the file has no header
    for given in columns.split("+"):
        index = column_index(parse_column(given), source.header, source.columns, path, "--input")
        if source.header and index < len(source.header):
            names.append(source.header[index])
        try:
            found.append(source.text(index, rows).astype(np.float64))
        except ValueError:
            raise SignalFileError(f"{path}: column {given.strip()} holds text, not numbers") from None
    return np.column_stack(found), (names if len(names) == len(found) else None)


def _read(text: str, rows_in_file: int, data_path: Path) -> tuple[np.ndarray, str, list[str] | None]:
    """Every row of the file ``text`` names, as numbers, first axis the row (its row count checked first), and
    the names of its values where the file has them (a CSV's header)."""
    path, key = file_and_key(text)
    if path.suffix.lower() == ".csv" and key:
        values, names = csv_columns(path, key)
        if len(values) != rows_in_file:
            raise SignalFileError(f"{path}: {len(values)} rows, but {data_path} has {rows_in_file} signals")
        return values, f"{path}:{key}", names
    if path.suffix.lower() == ".npy" and path.is_file():
        try:
            values = np.load(path, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise SignalFileError(f"{path}: cannot read ({exc})") from None
        if values.ndim == 1:  # one value a signal
            values = values[:, None]
        rows, read, names = len(values), None, None
    else:
        source = open_rows(path, key=key)
        rows, read = source.shape[0], source
        header = getattr(source, "header", None)  # a whole CSV with a header row names every column
        names = list(header) if header and len(header) == int(np.prod(source.shape[1:])) else None
    if rows != rows_in_file:
        raise SignalFileError(f"{path}: {rows} rows, but {data_path} has {rows_in_file} signals")
    if read is not None:
        values = read_rows(read, np.arange(rows_in_file), path)
    return np.asarray(values), str(path), names


def context_values(
    inputs: tuple[Any, ...],
    files: Mapping[str, str],
    memory: Mapping[str, Any],
    rows_in_file: int,
    rows: np.ndarray,
    data_path: Path,
) -> tuple[list[np.ndarray], dict[str, dict[str, Any]]]:
    """Each context input's values for every row of the file (in the model's order; the planned ``rows``
    checked), and what the manifest says of each.

    ``inputs`` are the adapter's ``context_inputs``; ``files`` the ``--input`` files by name; ``memory`` the
    API's arrays by name. Indexed by row number in the file, any chunk, shard or resumed subset takes its own.
    """
    names = [item.name for item in inputs]
    for name in [*files, *memory]:
        if name not in names:
            others = ", ".join(names) or "none besides the signal"
            raise UsageError(f"--input {name}: the model has no such input (its other inputs: {others})")
    values, described = [], {}
    for item in inputs:
        features = None
        if item.name in files:
            found, where, features = _read(files[item.name], rows_in_file, data_path)
        elif item.name in memory:
            found, where = np.asarray(memory[item.name]), f"<{item.name} array>"
            if found.dtype.kind not in "biuf":
                raise SignalFileError(f"{where}: values must be numbers, not {found.dtype}")
            found = found[:, None] if found.ndim == 1 else found
        else:
            raise UsageError(
                f"model input {item.name} {item.shape} has no values",
                f"give --input {item.name}=FILE (.npy, .csv or .npz:KEY), one row per signal",
            )
        if len(found) != rows_in_file:
            raise SignalFileError(f"{where}: {len(found)} rows, but {data_path} has {rows_in_file} signals")
        row = found.reshape(len(found), -1) if found.ndim > 1 else found
        if row.shape[1] != int(np.prod(item.shape)):
            raise ShapeMismatchError(
                f"{where}: rows of {row.shape[1]} values, but model input {item.name} takes {item.shape}"
            )
        if not np.isfinite(np.asarray(row[rows], np.float64)).all():
            raise SignalFileError(f"{where}: non-finite values in the rows explained")
        values.append(np.asarray(row, item.dtype).reshape(len(row), *item.shape))
        described[item.name] = {"shape": list(item.shape), "source": where}
        if features is not None and len(features) == row.shape[1]:
            described[item.name]["features"] = features  # the bar charts' names for the values
    return values, described


def signal_array(signals: Any, signal_input: str) -> Any:
    """The signal's array from the API's dict of inputs (or the one array given)."""
    if not isinstance(signals, Mapping):
        return signals
    if signal_input not in signals:
        given = ", ".join(map(str, signals))
        raise UsageError(f"the inputs given ({given}) do not include the signal's, {signal_input}")
    return array_rows(signals[signal_input], Path(f"<{signal_input} array>"))


def memory_context(signals: Any, signal_input: str) -> dict[str, Any]:
    """The API's arrays of the other inputs, by name."""
    if not isinstance(signals, Mapping):
        return {}
    return {str(name): values for name, values in signals.items() if name != signal_input}
