"""Provenance: what a manifest records of a run (files' SHA-256, the request, package versions) and JSON."""

from __future__ import annotations

import copy
import functools
import hashlib
import platform
from dataclasses import asdict, is_dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UsageError
from ..request import ExplainRequest

MANIFEST_VERSION = 2  # raised whenever a reader would need to know the layout changed
REPORTED_PACKAGES = ("signalscreen", "tensorflow", "keras", "numpy", "scipy", "matplotlib", "h5py")


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
    """A request's fields by flat name as JSON-ready values (paths as text, in-memory objects left out).

    A request made of specs (``nested.py``) is recorded flat, as it always was, so every reader of old
    manifests reads new ones. The in-memory objects are left out before ``asdict``: it deep-copies every
    value, and copying a ``keras.Model`` pickles it (about 0.1 s of every one-shot API call for the sample
    model).
    """
    from ..nested import NestedRequest, flat_fields

    recorded = {}
    for key, value in flat_fields(request).items():
        if key in IN_MEMORY:
            continue
        if isinstance(value, NestedRequest):
            value = request_parameters(value)
        elif is_dataclass(value) and not isinstance(value, type):
            value = asdict(value)
        else:
            value = copy.deepcopy(value)  # as asdict did: the record shares no mutable value with the request
        recorded[key] = str(value) if isinstance(value, Path) else value
    return recorded


def summary(values: np.ndarray) -> dict[str, float]:
    values = np.asarray(values)
    return {"min": float(values.min()), "mean": float(values.mean()), "max": float(values.max())}


def package_versions() -> dict[str, str]:
    """Python's and the installed versions of the packages that shape a result."""
    return dict(_package_versions())


@functools.lru_cache(maxsize=1)
def _package_versions() -> dict[str, str]:
    """Read once per process: the packages' metadata lookups cost about 20 ms, and a running process keeps
    the versions it imported whatever is installed beside it later."""
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
