"""Writing results: arrays, manifest, CSV and plots, built in a staging folder and renamed into place."""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from . import interrupts
from .errors import OutputError, UsageError
from .owners import remove_dead_stagings, staging_prefix
from .request import ExplainRequest

RESULT_FILES = ("manifest.json", "evaluation.json")  # what --overwrite may replace: our own results only
MANIFEST_VERSION = 2  # raised whenever a reader would need to know the layout changed
REPORTED_PACKAGES = ("signalscreen", "tensorflow", "keras", "numpy", "scipy", "matplotlib", "h5py")


def check_destination(out_dir: Path, overwrite: bool) -> None:
    """Refuse an existing output folder unless ``overwrite``; refuse a path that is a file."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: exists and is not a folder")
    if out_dir.exists() and not overwrite:
        raise OutputError(f"{out_dir}: already exists", "pass --overwrite to replace it, or choose another --out")
    if out_dir.exists() and any(out_dir.iterdir()) and not any((out_dir / name).exists() for name in RESULT_FILES):
        raise OutputError(
            f"{out_dir}: is not a SignalScreen result (no {' or '.join(RESULT_FILES)}), so --overwrite leaves it alone",
            "choose another --out",
        )


@contextlib.contextmanager
def staged_output(out_dir: Path, overwrite: bool) -> Iterator[Path]:
    """Yield an empty staging folder beside ``out_dir``; on success it replaces ``out_dir`` atomically.

    On any error or interruption the staging folder is removed and ``out_dir`` is left as it was.
    """
    check_destination(out_dir, overwrite)
    parent = out_dir.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_dead_stagings(out_dir)  # a killed run's folder without a journal: nothing to keep
        staging = Path(tempfile.mkdtemp(prefix=staging_prefix(out_dir), dir=parent))
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create output folder ({exc.strerror or exc})") from exc
    try:
        yield staging
        _move_into_place(staging, out_dir, overwrite)
    except OutputError as error:  # name the folder the user asked for, not the staging one
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(error.message.replace(str(staging), str(out_dir)), error.hint) from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _move_into_place(staging: Path, out_dir: Path, overwrite: bool) -> None:
    interrupts.check()
    shutil.rmtree(staging / "journal", ignore_errors=True)  # the resume journal (pipeline/resume.py): done with
    check_destination(out_dir, overwrite)
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=staging.parent))
        os.replace(out_dir, old / "previous")
    try:
        os.replace(staging, out_dir)
    except OSError as exc:
        if old is not None:
            os.replace(old / "previous", out_dir)
        raise OutputError(f"{out_dir}: cannot move results into place ({exc.strerror or exc})") from exc
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def safe_name(text: str) -> str:
    """A file-name fragment from user text: letters, digits, ``-``, ``_`` and ``.``, never ``..``."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "_"
    return cleaned.replace("..", "_")


def class_names(request: ExplainRequest, n_outputs: int) -> list[str]:
    """The request's class names, or ``0..K-1``; a count that does not match is a usage error."""
    if not request.class_names:
        return [str(k) for k in range(n_outputs)]
    if len(request.class_names) != n_outputs:
        raise UsageError(f"--class-names gives {len(request.class_names)} names but the model has {n_outputs} outputs")
    return list(request.class_names)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file; of a recording (a WFDB header with its data and annotation files, or a folder of
    records) over every file it is made of, names and bytes in name order."""
    if path.is_dir():
        files = sorted(item for item in path.rglob("*") if item.is_file())
    elif path.suffix.lower() == ".hea" or path.name == "RECORDS":
        files = sorted(
            item
            for item in path.parent.iterdir()
            if item.is_file() and (path.name == "RECORDS" or item.stem == path.stem)
        )
    else:
        files = [path]
    digest = hashlib.sha256()
    for item in files:
        if len(files) > 1:
            digest.update(item.relative_to(path.parent).as_posix().encode() + b"\0")
        with open(item, "rb") as handle:
            for block in iter(lambda handle=handle: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


IN_MEMORY = ("model", "signals")
"""Request fields that hold Python objects, not settings: never written out."""


def request_parameters(request: Any) -> dict[str, Any]:
    """A request's fields as JSON-ready values (paths as text, in-memory objects left out)."""
    return {
        key: (str(value) if isinstance(value, Path) else value)
        for key, value in asdict(request).items()
        if key not in IN_MEMORY
    }


def summary(values: np.ndarray) -> dict[str, float]:
    values = np.asarray(values)
    return {"min": float(values.min()), "mean": float(values.mean()), "max": float(values.max())}


def package_versions() -> dict[str, str]:
    """Python's and the installed versions of the packages that shape a result."""
    versions = {"python": platform.python_version()}
    for package in REPORTED_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions


def json_default(value: Any) -> Any:
    """``json.dumps`` fallback for numpy values and paths."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
