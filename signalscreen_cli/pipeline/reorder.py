"""Chunks back in input order, whatever order an executor finishes them in."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def in_order(numbered: Iterable[tuple[int, T]]) -> Iterator[T]:
    """Yield the items of ``(number, item)`` pairs in number order 0, 1, 2…, holding early ones back."""
    waiting: dict[int, T] = {}
    expected = 0
    for number, item in numbered:
        waiting[number] = item
        while expected in waiting:
            yield waiting.pop(expected)
            expected += 1
    if waiting:
        raise RuntimeError(f"executor skipped chunk {expected}; it returned chunks {sorted(waiting)}")
