"""Signal files in, float32 ``(n, L, C)`` arrays out.

Readers open ``.npy`` (memory-mapped), ``.npz``, ``.h5``/``.hdf5`` and ``.csv`` files as row-addressable
sources so that a selection or a chunk only reads the rows it needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ShapeMismatchError, SignalFileError, UsageError
from .clinical.options import ClinicalOptions, is_clinical
from .containers import RowSource, as_rows, open_hdf5, open_npy, open_npz
from .csv_rows import CsvRows

SUPPORTED_SUFFIXES = (".npy", ".npz", ".csv", ".h5", ".hdf5")
NAN_POLICIES = ("error", "zero", "interpolate")


@dataclass(frozen=True)
class SignalSet:
    """Signals selected from one file.

    Attributes
    ----------
    data : numpy.ndarray
        Float32 array of shape ``(n, L, C)``.
    sample_index : numpy.ndarray
        Row number of each signal in the source file, shape ``(n,)``.
    path : pathlib.Path
        The file the signals came from.
    """

    data: np.ndarray
    sample_index: np.ndarray
    path: Path


def read_signals(
    path: str | Path,
    *,
    key: str | None = None,
    label_column: int | None = None,
    samples: str | None = None,
    nan_policy: str = "error",
) -> SignalSet:
    """Read the selected rows of a signal file as float32 ``(n, L, C)``."""
    path = Path(path)
    source = open_rows(path, key=key, label_column=label_column)
    n_rows = source.shape[0]
    index = parse_samples(samples, n_rows, path) if samples else np.arange(n_rows)
    data = read_rows(source, index, path)
    data = apply_nan_policy(data, nan_policy, path, index)
    return SignalSet(data=data, sample_index=index.astype(np.int64), path=path)


def open_rows(
    path: Path,
    *,
    key: str | None = None,
    label_column: int | str | None = None,
    drop_columns: tuple[int | str, ...] = (),
    clinical: ClinicalOptions | None = None,
    sampling_rate: float | None = None,
) -> RowSource:
    """Open ``path`` as a row source of rank 2 ``(n, L)`` or 3 ``(n, L, C)``.

    WFDB records, EDF/BDF files and ``RECORDS`` lists are read by ``clinical`` (its options in ``clinical``).
    """
    if is_clinical(path):
        from .clinical.rows import open_clinical

        return open_clinical(path, clinical or ClinicalOptions(), sampling_rate)
    if clinical is not None and clinical.used:
        raise UsageError(
            f"{path}: --channels, --resample, --beats, --detrend and --standardize apply to WFDB/EDF input"
        )
    if path.is_dir():
        raise SignalFileError(f"{path}: is a directory, not a signal file")
    if not path.exists():
        raise SignalFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        from ..model.path import MODEL_SUFFIXES

        raise SignalFileError(
            f"{path}: unsupported signal file type {suffix or '(none)'!r}",
            "this is a model file: MODEL comes first, then DATA"
            if suffix in MODEL_SUFFIXES
            else "use one of " + ", ".join(SUPPORTED_SUFFIXES),
        )
    if path.stat().st_size == 0:
        raise SignalFileError(f"{path}: file is empty")
    from .columns import LabelsBeside, labels_array, side_columns

    if key is not None and suffix in (".npy", ".csv"):
        raise UsageError(f"--key applies to .npz and .h5 files, not to {path}")
    labels = None
    if isinstance(label_column, str) and suffix in (".npz", ".h5", ".hdf5"):
        key, labels = labels_array(path, label_column, key)
        label_column = None
    if suffix == ".npy":
        source = open_npy(path)
    elif suffix == ".npz":
        source = open_npz(path, key)
    elif suffix == ".csv":
        source = CsvRows(path)
    else:
        source = open_hdf5(path, key)
    source = side_columns(as_rows(source, path), label_column, drop_columns, path)
    if labels is not None:
        if len(labels) != source.shape[0]:
            raise SignalFileError(f"{path}: {len(labels)} labels for {source.shape[0]} signals")
        return LabelsBeside(source, labels)
    return source


def array_rows(values: Any, name: Path) -> np.ndarray:
    """Signals given as an array (the Python API): ``(L,)``, ``(n, L)`` or ``(n, L, C)`` numbers."""
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise SignalFileError(f"{name}: signals must be numbers, not {array.dtype}")
    if array.ndim not in (1, 2, 3) or array.size == 0:
        raise SignalFileError(f"{name}: signals must have shape (L,), (n, L) or (n, L, C), not {array.shape}")
    return array[None] if array.ndim == 1 else array


def dataset_mean(path: Path, **reading: Any) -> np.ndarray:
    """Per-position mean ``(L, C)`` over every row of the file, read in chunks (``reading``: as ``open_rows``)."""
    source = open_rows(path, **reading)
    total = np.zeros(read_rows(source, np.arange(1), path).shape[1:], np.float64)
    chunk = 4096
    for start in range(0, source.shape[0], chunk):
        total += read_rows(source, np.arange(start, min(start + chunk, source.shape[0])), path).sum(axis=0)
    return (total / source.shape[0]).astype(np.float32)


def read_rows(source: RowSource, index: np.ndarray, path: Path) -> np.ndarray:
    """Read rows ``index`` (any order) as float32 ``(n, L, C)``."""
    increasing = len(index) < 2 or bool((index[1:] > index[:-1]).all())  # as chunks and the API ask
    unique, inverse = (index, None) if increasing else np.unique(index, return_inverse=True)
    try:
        block = np.asarray(source[unique])
    except (OSError, ValueError) as exc:
        raise SignalFileError(f"{path}: cannot read rows: {exc}") from exc
    if inverse is not None:
        block = block[inverse]
    if block.ndim == 2:
        block = block[:, :, None]
    with np.errstate(over="ignore"):
        values = np.ascontiguousarray(block, dtype=np.float32)
    if block.dtype.kind == "f" and block.dtype.itemsize > 4:
        beyond = np.isinf(values) & np.isfinite(block)
        if beyond.any():
            sample, position = (int(v) for v in np.argwhere(beyond)[0][:2])
            raise SignalFileError(
                f"{path}: value {block[sample, position].max()} at row {int(index[sample])}, column {position} "
                "is beyond float32's range (about 3.4e38)"
            )
    return values


def parse_samples(spec: str, n_rows: int, path: Path) -> np.ndarray:
    """Parse ``"0:10,42"`` into row numbers, checked against ``n_rows``; negative numbers count from the end,
    as in Python (``-5:`` is the last five rows)."""

    def resolved(text: str, empty: int) -> int:
        value = int(text) if text else empty
        return value + n_rows if value < 0 else value

    rows: list[int] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        try:
            if ":" in part:
                start_text, stop_text = part.split(":", 1)
                start, stop = resolved(start_text, 0), resolved(stop_text, n_rows)
                if start < 0 or stop > n_rows:
                    raise IndexError
                if start >= stop:
                    raise UsageError(f"--samples: {part!r} is an empty range", "write start:stop with start < stop")
                rows.extend(range(start, stop))
            else:
                row = resolved(part, 0)
                if not 0 <= row < n_rows:
                    raise IndexError
                rows.append(row)
        except ValueError:
            raise UsageError(f"--samples: cannot read {part!r}", "write rows like 0:10,42") from None
        except IndexError:
            raise UsageError(f"--samples: {part!r} is outside {path}, which has {n_rows} rows") from None
    if not rows:
        raise UsageError("--samples selects no rows")
    return np.asarray(rows, dtype=np.int64)


def apply_nan_policy(data: np.ndarray, policy: str, path: Path, index: np.ndarray) -> np.ndarray:
    """Reject, zero or interpolate non-finite values."""
    if policy not in NAN_POLICIES:
        raise UsageError(f"--nan-policy must be one of {', '.join(NAN_POLICIES)}, not {policy!r}")
    bad = ~np.isfinite(data)
    if not bad.any():
        return data
    if policy == "error":
        sample, position, channel = (int(v) for v in np.argwhere(bad)[0])
        raise SignalFileError(
            f"{path}: non-finite value {data[sample, position, channel]} at row {index[sample]}, "
            f"column {position}" + (f", channel {channel}" if data.shape[2] > 1 else ""),
            "clean the file or pass --nan-policy zero|interpolate",
        )
    data = data.copy()
    if policy == "zero":
        data[bad] = 0.0
        return data
    positions = np.arange(data.shape[1])
    for sample, channel in zip(*np.nonzero(bad.any(axis=1)), strict=True):
        track = data[sample, :, channel]
        good = ~bad[sample, :, channel]
        track[~good] = np.interp(positions[~good], positions[good], track[good]) if good.any() else 0.0
    return data


def fit_to_model(
    data: np.ndarray, model_shape: Sequence[int | None], path: Path, count: int | None = None
) -> np.ndarray:
    """Check ``(n, L, C)`` data against the model's ``(L, C)`` input and explain any mismatch.

    ``count`` is the number of signals to report when ``data`` holds only the first of them.
    """
    length, channels = model_shape
    shape = (count if count is not None else data.shape[0], *data.shape[1:])
    shown = f"(n, {length if length is not None else 'any'}, {channels})"
    if data.shape[1] == 0:
        raise SignalFileError(f"{path}: signals have length 0")
    if length is not None and data.shape[1] != length:
        extra = data.shape[1] - length
        hint = "signal length differs from the model's input length"
        if 0 < extra <= 3 and data.shape[2] == 1:
            hint = f"{extra} value(s) a row more than the model takes: a label or an id? "
            hint += "give --label-column or --drop-columns"
        raise ShapeMismatchError(f"{path}: signals have shape {shape} but the model expects {shown}", hint)
    if data.shape[2] != channels:
        raise ShapeMismatchError(
            f"{path}: signals have shape {shape} but the model expects {shown}",
            f"{data.shape[2]} channel(s) in the file, {channels} in the model",
        )
    return data


