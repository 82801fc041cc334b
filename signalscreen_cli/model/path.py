"""What the MODEL argument must be, checked before TensorFlow is imported: answers in well under a second."""

from __future__ import annotations

from pathlib import Path

from ..errors import ModelFileError

MODEL_SUFFIXES = (".keras", ".h5", ".hdf5")
SAVED_MODEL = "saved_model.pb"
KINDS = "a .keras or .h5 file, or a SavedModel folder"


def check_model_path(path: Path, data_path: Path | None = None) -> None:
    """A model file or SavedModel folder exists at ``path``; ``data_path`` helps spot swapped arguments."""
    swapped = data_path is not None and is_model_path(data_path) and not is_model_path(path)
    hint = "did you swap MODEL and DATA? The model comes first" if swapped else f"give {KINDS}"
    if not path.exists():
        raise ModelFileError(f"{path}: no such file", hint)
    if path.is_dir():
        if not (path / SAVED_MODEL).is_file():
            raise ModelFileError(f"{path}: is a directory, not {KINDS}", hint)
        return
    if path.suffix.lower() not in MODEL_SUFFIXES:
        raise ModelFileError(f"{path}: unsupported model file type {path.suffix or '(none)'!r}", hint)


def is_model_path(path: Path) -> bool:
    return path.suffix.lower() in MODEL_SUFFIXES or (path.is_dir() and (path / SAVED_MODEL).is_file())
