"""The containers a signal file may be: a memory-mapped ``.npy``, an ``.npz`` member, an HDF5 dataset."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import SignalFileError, UsageError


class RowSource(Protocol):
    """Anything indexable by row with a shape: ndarray, memmap, h5py dataset."""

    shape: tuple[int, ...]

    def __getitem__(self, index: object) -> np.ndarray: ...


def as_rows(source: RowSource, path: Path) -> RowSource:
    dtype = getattr(source, "dtype", np.dtype(np.float64))
    if not (np.issubdtype(dtype, np.number) or np.issubdtype(dtype, np.bool_)) or np.issubdtype(
        dtype, np.complexfloating
    ):
        raise SignalFileError(f"{path}: holds {dtype} values, not real numbers")
    shape = tuple(source.shape)
    if len(shape) not in (1, 2, 3):
        raise SignalFileError(f"{path}: array of rank {len(shape)} {shape}; expected (L,), (n, L) or (n, L, C)")
    if 0 in shape:
        raise SignalFileError(f"{path}: array of shape {shape} holds no signal values")
    return np.asarray(source[...]).reshape(1, -1) if len(shape) == 1 else source


def open_npy(path: Path) -> RowSource:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # a header whose shape overflows: a bad header
            warnings.simplefilter("ignore", DeprecationWarning)  # old dtype aliases ('a') still name a dtype
            return NpyRows(path)
    except ValueError as exc:
        if "pickle" in str(exc).lower() or "object" in str(exc).lower():
            raise SignalFileError(f"{path}: holds Python objects, not numbers") from exc
        raise SignalFileError(f"{path}: not a valid .npy file ({exc})") from exc
    except (OSError, EOFError) as exc:
        raise SignalFileError(f"{path}: not a valid .npy file ({exc})") from exc
    except (SyntaxError, MemoryError, TypeError, IndexError, ArithmeticError, RuntimeWarning) as exc:
        # numpy parses the header text with Python's tokenizer and literal_eval: their errors are a bad header
        raise SignalFileError(f"{path}: not a valid .npy file (unreadable header: {type(exc).__name__})") from None
    except Exception as exc:
        if type(exc).__name__ != "TokenError":
            raise
        raise SignalFileError(f"{path}: not a valid .npy file (unreadable header: TokenError)") from None


class NpyRows:
    """A ``.npy`` file read by row through a memory map opened for each read and closed after it, so
    unselected rows are never read and pages read earlier do not stay in the process's memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        probe = np.load(path, mmap_mode="r", allow_pickle=False)
        self.shape, self.dtype = tuple(probe.shape), probe.dtype
        del probe

    def __getitem__(self, index: object) -> np.ndarray:
        mapped = np.load(self.path, mmap_mode="r", allow_pickle=False)
        try:
            return np.array(mapped[index])
        finally:
            del mapped


def open_npz(path: Path, key: str | None) -> RowSource:
    from .npz_members import open_member

    return open_member(path, key, chosen_key)


def open_hdf5(path: Path, key: str | None) -> RowSource:
    import h5py

    try:
        handle = h5py.File(path, "r")
    except OSError as exc:
        raise SignalFileError(f"{path}: not a valid HDF5 file ({exc})") from exc
    names: list[str] = []
    handle.visititems(lambda name, item: names.append(name) if isinstance(item, h5py.Dataset) else None)
    if not names:
        from .h5_rows import describe_empty

        raise SignalFileError(f"{path}: holds no dataset ({describe_empty(handle)})")
    from .h5_rows import check_chunks

    return check_chunks(handle[chosen_key(path, names, key, "dataset")], path)


def chosen_key(path: Path, names: list[str], key: str | None, kind: str) -> str:
    """``key``, or the only name; several names and no key, or a key not among them, is an error."""
    if key is None and len(names) == 1:
        return names[0]
    if key is None and not names:
        raise SignalFileError(f"{path}: holds no {kind}", f"give a file with one {kind} (n, L) or (n, L, C)")
    if key is None:
        raise UsageError(f"{path}: holds several {kind}s; choose one with --key", "keys: " + ", ".join(names))
    if key not in names:
        raise SignalFileError(f"{path}: no {kind} named {key!r}", "keys: " + (", ".join(names) or "(none)"))
    return key
