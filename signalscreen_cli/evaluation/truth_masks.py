"""``evaluate --truth``: the known informative region of each signal, checked before any work.

``--truth FILE.npy`` holds one mask per row of the data file, ``(n, L)`` (every channel at a position) or
``(n, L, C)``: booleans, or weights in [0, 1]. It is read memory-mapped, a chunk's rows at a time, where the
chunk is scored (so a Dask worker reads it itself).

``--truth qrs:±50ms`` (or ``qrs:50ms``, ``qrs:0.05s``, ``qrs:6`` samples) marks the samples within that
distance of each beat's annotated R peak, for beat windows cut from WFDB/EDF records with ``--beats`` (the
peak sits ``--before`` samples into every window).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import SignalFileError, UsageError

QRS = "qrs:"


def is_qrs(truth: Path | str) -> bool:
    return str(truth).startswith(QRS)


def qrs_window(truth: Path | str, reading: dict, length: int) -> tuple[int, int]:
    """The ``[start, stop)`` samples of every beat window within the spec's distance of its R peak."""
    spec = str(truth)
    if not reading.get("beats"):
        raise UsageError(
            f"--truth {spec} needs beat windows around annotated R peaks",
            "give a WFDB/EDF record with --beats, --before and --after",
        )
    text = spec.removeprefix(QRS).removeprefix("±").removeprefix("+-")
    try:
        if text.endswith("ms"):
            half = float(text[:-2]) / 1000 * float(reading["sampling_rate"])
        elif text.endswith("s"):
            half = float(text[:-1]) * float(reading["sampling_rate"])
        else:
            half = float(text)
    except ValueError:
        hint = "write qrs:±50ms, qrs:0.05s or qrs:6 (samples)"
        raise UsageError(f"--truth {spec}: cannot read {text!r}", hint) from None
    if not half >= 0:
        raise UsageError(f"--truth {spec}: the distance must not be negative")
    centre, reach = int(reading["before"]), round(half)
    return max(0, centre - reach), min(length, centre + reach + 1)


def open_truth(path: Path) -> np.ndarray:
    """The mask file, memory-mapped, or a ``SignalFileError`` naming it and the problem."""
    if path.suffix.lower() != ".npy":
        raise UsageError(f"--truth {path}: expected a .npy mask file", "shape (n, L) or (n, L, C), bool or 0..1")
    if not path.is_file():
        raise SignalFileError(f"--truth {path}: no such file")
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise SignalFileError(f"--truth {path}: not a readable .npy array ({exc})") from None


def check_truth(path: Path, source_shape: tuple[int, ...], chunk_rows: int = 4096) -> None:
    """Refuse a mask file that does not fit the data ``(n, L, C)`` or holds other than bools or 0..1."""
    mask = open_truth(path)
    n, length, channels = (*source_shape, 1)[:3]
    if mask.ndim not in (2, 3):
        raise SignalFileError(f"--truth {path}: a mask must be (n, L) or (n, L, C), not shape {mask.shape}")
    wanted = (n, length) if mask.ndim == 2 else (n, length, channels)
    if mask.shape != wanted:
        raise SignalFileError(f"--truth {path}: shape {mask.shape} does not match the data's {wanted}")
    if not (mask.dtype == np.bool_ or np.issubdtype(mask.dtype, np.number)):
        raise SignalFileError(f"--truth {path}: dtype {mask.dtype} is neither bool nor numeric")
    if mask.dtype == np.bool_:
        return
    for start in range(0, n, chunk_rows):
        part = np.asarray(mask[start : start + chunk_rows], dtype=np.float64)
        if not np.isfinite(part).all() or part.min(initial=0) < 0 or part.max(initial=0) > 1:
            bad = start + int(np.flatnonzero(~((part >= 0) & (part <= 1)).reshape(len(part), -1).all(axis=1))[0])
            raise SignalFileError(f"--truth {path}: row {bad} has a value outside 0..1 (weights must be in [0, 1])")


def truth_rows(
    path: str | None, rows: np.ndarray, window: tuple[int, int] | None = None, length: int = 0
) -> np.ndarray:
    """The masks of data-file ``rows``, float64: read from ``path``, or ``window`` of ``length`` in every row."""
    if path is None:
        mask = np.zeros((len(rows), length))
        mask[:, slice(*window or (0, 0))] = 1.0
        return mask
    return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False)[rows], dtype=np.float64)


def fitted(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``mask`` ``(k, L)``/``(k, L, C)`` shaped like a map ``values``: broadcast over channels, or (for a CAM map
    ``(k, L)``) the largest weight of the position's channels."""
    if values.ndim == mask.ndim:
        return mask
    if values.ndim == 3:
        return np.broadcast_to(mask[:, :, None], values.shape)
    return mask.max(axis=2)
