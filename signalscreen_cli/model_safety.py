"""Find serialised Python code in a model file before Keras sees it (no TensorFlow needed).

Keras' ``safe_mode`` guards ``.keras`` files only; legacy ``.h5`` files unmarshal ``Lambda`` code on load.
Reading the stored model config ourselves lets both formats be refused the same way.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import ModelFileError

CODE_CLASSES = ("Lambda", "__lambda__", "TFOpLambda")


def model_config(path: Path) -> dict[str, Any] | None:
    """The stored architecture of a ``.keras`` or ``.h5`` file, or ``None`` where there is none to read."""
    try:
        if path.suffix.lower() == ".keras":
            with zipfile.ZipFile(path) as archive:
                return json.loads(archive.read("config.json"))
        import h5py

        with h5py.File(path, "r") as handle:
            raw = handle.attrs.get("model_config")
            if raw is None:
                return None
            return json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"{path}: not a readable Keras model file ({exc})") from exc


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
