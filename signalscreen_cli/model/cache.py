"""Compiled adapters kept between calls in one process, so a second one-shot ``explain(model, x)`` is warm.

An adapter is keyed by what it was made from (the model spec: file and options, and for a ``keras.Model``
given in memory the object itself) and checked, at every look-up, against a version of that source:

- a model file: its ``stat`` (size, modification time, inode): a file rewritten between calls is loaded again;
- a model in memory: the identity of each of its layers and weight variables (held here, so no id is reused)
  and the SHA-256 of the weights' bytes. Training, ``set_weights`` and ``load_weights`` change values in
  place, which the compiled calls would follow, but an adapter also holds copies of some weights (the logit
  twin of a final Dense with a fused softmax, the incremental path's window layers): any changed byte makes
  a new adapter. The digest is the manifest's (``ModelSpec.describe``), and inside one pipeline call
  (``one_check_per_call``) it is computed once: 0.3 ms for the sample model, 85 ms for 10 million
  parameters on the busy 2-core machine, far below a new adapter's tracing.

Holds at most ``MAX_ENTRIES`` adapters (each keeps its model alive), least recently used dropped first.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MAX_ENTRIES = 4


@dataclass
class _Entry:
    adapter: Any
    version: tuple[Any, ...]
    held: tuple[Any, ...]
    """The layers and variables whose identities the version names, kept alive so their ids stay theirs."""


_ENTRIES: OrderedDict[Hashable, _Entry] = OrderedDict()
_LOCK = threading.Lock()
_CALL = threading.local()
"""``_CALL.digests`` inside ``one_check_per_call`` (this thread's): each model's digest, by id, with the model
(so the id stays its own)."""


def cached_adapter(key: Hashable, model: Any, path: Path, build: Callable[[], Any]) -> Any:
    """The adapter ``build()`` makes for ``key``, made again only when its source changed since.

    ``model`` is the ``keras.Model`` given in memory (``None`` for a model file at ``path``).
    """
    held = model_parts(model) if model is not None else ()
    version = (tuple(map(id, held)), weights_digest(model)) if model is not None else file_version(path)
    full_key = (key, id(model)) if model is not None else (key, None)
    with _LOCK:  # threads may explain at once; the build itself runs outside the lock
        entry = _ENTRIES.get(full_key)
        if entry is not None and entry.version == version:
            _ENTRIES.move_to_end(full_key)
            return entry.adapter
        _ENTRIES.pop(full_key, None)  # the stale adapter goes before its successor is traced
    adapter = build()
    with _LOCK:
        _ENTRIES[full_key] = _Entry(adapter, version, held)
        while len(_ENTRIES) > MAX_ENTRIES:
            _ENTRIES.popitem(last=False)
    return adapter


def forget_all() -> None:
    """Drop every cached adapter (their models are then free to go)."""
    with _LOCK:
        _ENTRIES.clear()


def model_parts(model: Any) -> tuple[Any, ...]:
    """The model's layers and weight variables: a layer added, or a variable replaced, is a new model."""
    return (*getattr(model, "layers", ()), *getattr(model, "weights", ()))


@contextlib.contextmanager
def one_check_per_call() -> Any:
    """Within, each model's weights are hashed once: nothing in a pipeline call changes them, and its plan,
    its executor and its manifest each ask (a decorator too)."""
    outermost = getattr(_CALL, "digests", None) is None
    if outermost:
        _CALL.digests = {}
    try:
        yield
    finally:
        if outermost:
            _CALL.digests = None


def weights_digest(model: Any) -> str:
    """SHA-256 over every weight's bytes, in ``get_weights`` order (the variables' identities, checked beside
    it, fix their shapes and dtypes)."""
    known = getattr(_CALL, "digests", None)
    if known is not None and id(model) in known and known[id(model)][0] is model:
        return known[id(model)][1]
    digest = hashlib.sha256()
    for weights in model.get_weights():
        digest.update(np.ascontiguousarray(weights).tobytes())
    if known is not None:
        known[id(model)] = (model, digest.hexdigest())
    return digest.hexdigest()


def file_version(path: Path) -> tuple[Any, ...]:
    """Size, modification time and inode of the model file (and of a SavedModel folder's graph file)."""
    version: list[Any] = []
    for item in (path, path / "saved_model.pb") if path.is_dir() else (path,):
        try:
            stat = item.stat()
        except OSError:
            version.append(None)
            continue
        version.append((stat.st_size, stat.st_mtime_ns, stat.st_ino))
    return tuple(version)
