"""The warm-up run once per adapter and method set: a repeated one-shot call on a cached adapter skips it.

``chunks.warm_up`` traces the compiled calls and fails fast on a method that cannot run on the model. Once
the same methods, with the same parameters, have run on the same adapter and signal shape, both are known:
a second run would trace nothing and fail nothing, and it costs a repeated ``explain(model, x)`` a few
milliseconds of the method's work on one signal.
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable
from typing import Any

import numpy as np

from .chunks import warm_up

_WARMED: weakref.WeakKeyDictionary[Any, set[Hashable]] = weakref.WeakKeyDictionary()


def warm_up_once(adapter: Any, methods: list[Any], first: np.ndarray, segment: int | None) -> bool:
    """``warm_up`` unless these methods already ran on ``adapter`` with signals shaped as ``first``;
    whether it ran."""
    key = warm_up_key(methods, first, segment)
    try:
        done = _WARMED.setdefault(adapter, set())
    except TypeError:  # an adapter that cannot be weakly referenced: warm up every time
        done = set()
    if key in done:
        return False
    warm_up(adapter, methods, first, segment)
    done.add(key)
    return True


def warm_up_key(methods: list[Any], first: np.ndarray, segment: int | None) -> Hashable:
    """The signal shape and every method's class and parameters (as the manifest records them)."""
    described = tuple((type(method).__qualname__, method.name, repr(method.parameters())) for method in methods)
    return (tuple(first.shape[1:]), str(first.dtype), segment, described)
