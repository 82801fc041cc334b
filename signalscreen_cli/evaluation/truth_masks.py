"""``evaluate --truth FILE.npy``: the known informative region of each signal, checked before any work.

The file holds one mask per row of the data file, ``(n, L)`` (every channel at a position) or
``(n, L, C)``: booleans, or weights in [0, 1]. It is read memory-mapped, a chunk's rows at a time, where the
chunk is scored (so a Dask worker reads it itself).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import SignalFileError, UsageError


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


def truth_rows(path: str, rows: np.ndarray) -> np.ndarray:
    """The masks of data-file ``rows``, float64."""
    return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False)[rows], dtype=np.float64)


def fitted(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``mask`` ``(k, L)``/``(k, L, C)`` shaped like a map ``values``: broadcast over channels, or (for a CAM map
    ``(k, L)``) the largest weight of the position's channels."""
    if values.ndim == mask.ndim:
        return mask
    if values.ndim == 3:
        return np.broadcast_to(mask[:, :, None], values.shape)
    return mask.max(axis=2)
