"""Find serialised Python code in a model file before Keras sees it (no TensorFlow needed).

Keras' ``safe_mode`` guards ``.keras`` files only; legacy ``.h5`` files unmarshal ``Lambda`` code on load.
Reading the stored model config ourselves lets both formats be refused the same way.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ModelFileError

CODE_CLASSES = ("Lambda", "__lambda__", "TFOpLambda")


MAX_CONFIG_BYTES = 64 << 20
"""A model config larger than this is refused before it is parsed (real ones are kilobytes to a few MB)."""
MAX_CONFIG_DEPTH = 100
"""Nesting deeper than this is refused: Keras' own configs nest a dozen levels (nested models a few more)."""


def model_config(path: Path) -> dict[str, Any] | None:
    """The stored architecture of a ``.keras`` or ``.h5`` file, or ``None`` where there is none to read.

    Hostile structure is refused here, before Keras or TensorFlow see the file: archive members whose path
    leaves the archive, configs of absurd size or nesting depth.
    """
    try:
        if path.suffix.lower() == ".keras":
            with zipfile.ZipFile(path) as archive:
                _check_member_paths(path, archive)
                if archive.getinfo("config.json").file_size > MAX_CONFIG_BYTES:
                    raise ModelFileError(f"{path}: config.json is larger than {MAX_CONFIG_BYTES >> 20} MB")
                raw: Any = archive.read("config.json")
        else:
            import h5py

            with h5py.File(path, "r") as handle:
                raw = handle.attrs.get("model_config")
            if raw is None:
                return None
        raw = raw.decode() if isinstance(raw, bytes) else str(raw)
        if len(raw) > MAX_CONFIG_BYTES:
            raise ModelFileError(f"{path}: the model config is larger than {MAX_CONFIG_BYTES >> 20} MB")
        _check_depth(path, raw)
        return json.loads(raw)
    except (OSError, KeyError, ValueError, RecursionError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"{path}: not a readable Keras model file ({type(exc).__name__}: {exc})") from exc


def _check_member_paths(path: Path, archive: zipfile.ZipFile) -> None:
    """A member named ``/etc/x`` or ``../x`` would be written outside Keras' extraction folder: refused."""
    for name in archive.namelist():
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or (parts[0][1:2] == ":"):
            raise ModelFileError(f"{path}: archive member {name!r} points outside the archive")


def _check_depth(path: Path, text: str) -> None:
    """Refuse JSON nested deeper than ``MAX_CONFIG_DEPTH`` without parsing it (a parser would recurse)."""
    import numpy as np

    bare = _STRINGS.sub("", text).encode("utf-8", "replace")  # brackets inside strings do not nest
    codes = np.frombuffer(bare, np.uint8)
    steps = (np.isin(codes, _OPEN).astype(np.int64)) - np.isin(codes, _CLOSE)
    if steps.size and int(np.cumsum(steps).max()) > MAX_CONFIG_DEPTH:
        raise ModelFileError(f"{path}: the model config is nested more than {MAX_CONFIG_DEPTH} levels deep")


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_OPEN, _CLOSE = list(b"[{"), list(b"]}")


def code_layers(config: Any) -> list[str]:
    """Names of layers (or nested objects) whose config carries Python code."""
    return [name for name, class_name in _classes(config) if class_name in CODE_CLASSES]


def _classes(node: Any, owner: str = "?") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        if "class_name" in node:
            config = node.get("config")
            name = config.get("name", owner) if isinstance(config, dict) else owner
            yield str(name), str(node["class_name"])
            owner = str(name)
        for value in node.values():
            yield from _classes(value, owner)
    elif isinstance(node, list):
        for value in node:
            yield from _classes(value, owner)


def check_no_code(path: Path, unsafe: bool) -> list[str]:
    """Refuse a model that stores code unless ``unsafe``; return the offending layer names."""
    config = model_config(path)
    offending = code_layers(config) if config is not None else []
    if offending and not unsafe:
        raise ModelFileError(
            f"{path}: layer {offending[0]!r} stores Python code, which SignalScreen does not run by default",
            "pass --unsafe-load only if you trust where this file came from",
        )
    return offending
