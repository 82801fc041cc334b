"""Executors turn a plan's chunks into arrays; the in-process one runs them here, one after another.

An executor yields ``(chunk number, ChunkResult)`` pairs in any order (``reorder.in_order`` puts them
back); it gets everything from the plan, so one that runs elsewhere (``cluster.DaskExecutor``) plugs in
without touching methods or sinks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .. import interrupts
from ..model.context import bind, has_context
from ..records import ChunkResult
from .chunks import attribute_chunk, attribute_recordings
from .context_plan import chunk_context, context_means
from .plan import Plan
from .warmth import warm_up_once

if TYPE_CHECKING:
    from ..methods.base import Method
    from ..model.adapter import ModelAdapter

Progress = Callable[[str, int, int], None]
"""``progress(stage, signals_done, signals_total)``."""


class Executor(Protocol):
    def run(self, plan: Plan) -> Iterator[tuple[int, ChunkResult]]: ...

    def describe(self) -> dict[str, Any]:
        """What ran the plan, for the manifest (after ``run``)."""


class InProcessExecutor:
    """Loads the model once (``ModelSpec.load`` caches it), warms every method up on the first signal (once
    per adapter and method set, ``warmth``), and attributes chunk after chunk in this process."""

    def run(self, plan: Plan) -> Iterator[tuple[int, ChunkResult]]:
        adapter = plan.model.load()
        methods = plan.build_methods()
        source = plan.data.open()
        first = bind(adapter, chunk_context(plan.context, plan.rows[:1]), context_means(plan.context))
        warm_up_once(first, methods, plan.data.read(source, plan.rows[:1]), plan.segment)
        for number in range(plan.n_chunks):
            rows = plan.chunk(number)
            yield number, attribute_rows(plan, number, adapter, methods, plan.data.read(source, rows))

    def describe(self) -> dict[str, Any]:
        return {"kind": "in-process"}


def attribute_rows(plan: Plan, number: int, adapter: ModelAdapter, methods: list[Method], x: np.ndarray) -> ChunkResult:
    """Every method and then every stage of the plan on the signals ``x`` of chunk ``number``."""
    rows = plan.chunk(number)
    # a multi-input model's other inputs, these rows' (and their means over the file: a baseline)
    adapter = bind(adapter, chunk_context(plan.context, rows), context_means(plan.context))
    if plan.segment:
        window = (plan.segment, plan.hop or plan.segment)
        chunk = attribute_recordings(adapter, methods, x, rows, window, plan.target, plan.normalize)
    else:
        chunk = attribute_chunk(adapter, methods, x, rows, plan.target, plan.normalize)
    chunk.start = number * plan.chunk_rows
    interrupts.check()
    return apply_stages(plan, adapter, methods, chunk)


def apply_stages(plan: Plan, adapter: ModelAdapter, methods: list[Method], chunk: ChunkResult) -> ChunkResult:
    if not has_context(adapter):  # stored maps (evaluate --from): bind the chunk's other inputs here
        adapter = bind(adapter, chunk_context(plan.context, chunk.rows), context_means(plan.context))
    for stage in plan.stages:
        chunk = stage(adapter, methods, chunk)
        interrupts.check()
    return chunk
