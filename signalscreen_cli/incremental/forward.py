"""The incremental forward path: the prefix once per signal, then per copy only the positions it changes.

:func:`incremental_forward` gives an :class:`IncrementalForward` for an adapter and signal length, or the
reason there is none (the manifest records it). Its compiled calls have fixed signatures: one for the
prefix's cached activations, and per span width one for interior copies and one for copies near the edges.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model.adapter import tf
from ..model.batching import copies_per_call
from ..model.compiled import compiled
from .copies import CopyGraph, call_layer, reads_padding
from .geometry import Plan, plan_ranges, tensor_lengths
from .graph import Split, layer_geometry, split_model
from .splice import pool_reductions

SpanBuild = Callable[[slice, np.ndarray, int], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
"""``build(cases, source starts, source size) -> (signal of each copy (m,), span start of each copy (m,),
the copy's input over ``source starts[span start] + [0, size)`` (m, size, C), target of each copy (m,))``."""

CALL_GRAIN = 256
"""Call sizes are multiples of this: few distinct batch shapes, little padding."""
_FORWARDS: weakref.WeakKeyDictionary[Any, dict[int, IncrementalForward | str]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class LayerCost:
    """Positions of one sliding layer's output recomputed per copy: ``size`` of ``length``."""

    layer: str
    length: int
    size: int


MIN_GAIN = 3.5
"""Predicted multiply-add gain below which full passes run instead (a deep residual model at window 31: 3.2
predicted, 0.8–1.0 measured; the sample model at window 31: 3.9 predicted, 1.4–2.1 measured)."""


class IncrementalForward:
    """Model outputs of copies that differ from their signal over one span of ``width`` positions.

    ``caches(x)`` runs the prefix once per signal; ``perturbed_outputs`` the copies, block by block.
    """

    def __init__(self, adapter: Any, split: Split, length: int) -> None:
        self.adapter, self.split, self.length = adapter, split, length
        self.channels = adapter.input_shape[1]
        self.layers = [layer_geometry(step) for step in split.steps]
        self.lengths = tensor_lengths(self.layers, split.source, length)
        self.needed = list(dict.fromkeys([*split.frontier, *(id(node.input_tensors[0]) for node, _ in split.pooled)]))
        # What the prefix keeps per signal: the frontier's activations and the global pools' reductions,
        # and per width the activations of the tensors its plan splices.
        self.kept: list[Any] = list(split.frontier)
        self.copies = CopyGraph(split, adapter)
        self._prefixes: dict[tuple[Any, ...], Callable[..., Any]] = {}
        self._plans: dict[int, Plan] = {}
        self._calls: dict[tuple[int, bool], Callable[..., Any]] = {}

    @property
    def path(self) -> str:
        names = [step.layer.name for step in self.split.steps]
        head = self.split.head_start or "the output"
        return f"incremental (recomputes {names[0]}…{names[-1]} over each window's reach, head from {head})"

    def plan(self, width: int) -> Plan:
        if width not in self._plans:
            self._plans[width] = plan_ranges(self.layers, self.split.source, self.needed, self.length, width)
        return self._plans[width]

    def cost(self, width: int) -> list[LayerCost]:
        """The cost model: positions of every sliding layer's output recomputed per copy, at ``width``."""
        held = self.plan(width).held
        return [
            LayerCost(step.layer.name, held[step.output].length, held[step.output].size)
            for step in self.split.steps
            if step.kind == "sliding" and step.output in held
        ]

    def predicted_gain(self, width: int) -> float:
        """The cost model: the sliding layers' multiply-adds of a full pass over those a copy keeps."""
        kept = total = 0.0
        for item in self.cost(width):
            layer = self.adapter.model.get_layer(item.layer)
            weights = sum(int(np.prod(w.shape)) for w in layer.get_weights()) or layer.input.shape[-1] * 2
            kept += min(item.size, item.length) * weights
            total += item.length * weights
        return total / kept if kept else 1.0

    def saves_work(self, width: int) -> bool:
        """Worth taking: measured on CPU, a predicted gain under ``MIN_GAIN`` ran no faster than full passes
        (the splices, edge masks and small convolutions eat it)."""
        gain = self.predicted_gain(width)
        return gain > 1.0 and gain >= MIN_GAIN

    def interior(self, width: int) -> np.ndarray:
        """``(S,)`` bool per span start: the copy needs no edge masks. Only reads of padding layers and the
        global pools' ranges matter: elsewhere positions outside a tensor only feed positions outside the next."""
        plan = self.plan(width)
        wanted = [
            plan.inside[index, step.inputs[0]]
            for index, step in enumerate(self.split.steps)
            if step.output in plan.held and reads_padding(self.split, step)
        ]
        wanted += [plan.held[id(node.input_tensors[0])].inside() for node, _ in self.split.pooled]
        return np.logical_and.reduce([np.ones(self.length - width + 1, bool), *wanted])

    def copies_per_call(self, width: int) -> int:
        """Copies per call: as many as hold the activations of one full-pass call of the perturbation engine
        (the same memory). A copy's activations are its recomputed positions only, so a call holds several
        times the engine's copies, and large calls are what make short convolutions cheap per copy (on CPU,
        1,024-copy calls cost twice as much per copy as 16,384-copy ones on the sample model)."""
        held = self.plan(width).held
        full = kept = 0
        for step in self.layers:
            if step.output in held:
                full += held[step.output].length * step.channels
                kept += min(held[step.output].size, held[step.output].length) * step.channels
        engine = copies_per_call(self.adapter, self.length, self.channels)
        return max(1, engine * full // max(kept, 1))

    def source_range(self, width: int) -> tuple[np.ndarray, int]:
        """Where each copy's input is read, per span start, and how many positions."""
        held = self.plan(width).held[self.split.source]
        return held.starts, held.size

    def cached(self, width: int) -> tuple[Any, ...]:
        """What the copies of ``width`` read from the cache: kept tensors and reductions, spliced tensors."""
        held = self.plan(width).held
        spliced = [
            step.output for step in self.split.steps if held.get(step.output, None) and held[step.output].spliced
        ]
        pools = [
            (id(node.input_tensors[0]), kind, held[id(node.input_tensors[0])].size, side)
            for node, kind in self.split.pooled
            for side in (0, 1)  # the two reductions of ``splice.pool_reductions``
        ]
        return tuple(dict.fromkeys([*self.kept, *spliced, *pools]))

    # ---- the prefix, once per signal ----
    def _prefix_impl(self, keys: tuple[Any, ...], x: tf.Tensor) -> list[tf.Tensor]:
        values = {self.split.source: x}
        for step in self.split.steps:
            inputs = [values[t] for t in step.inputs]
            values[step.output] = call_layer(step.layer, inputs if step.kind == "merge" else inputs[0])
        pools = {key[:3] for key in keys if not isinstance(key, int)}
        reductions = {pool: pool_reductions(pool[1], values[pool[0]], pool[2]) for pool in pools}
        return [values[key] if isinstance(key, int) else reductions[key[:3]][key[3]] for key in keys]

    def caches(self, x: np.ndarray, width: int) -> list[tf.Tensor]:
        """The prefix's activations the copies of ``width`` read, for every signal of ``x``, in one pass."""
        keys = self.cached(width)
        if keys not in self._prefixes:
            spec = tf.TensorSpec((None, self.length, self.channels), tf.float32)
            self._prefixes[keys] = compiled(lambda x: self._prefix_impl(keys, x), [spec], quiet=True)
        prefix, size = self._prefixes[keys], self.adapter.batch_size
        parts = [prefix(tf.constant(x[start : start + size], tf.float32)) for start in range(0, len(x), size)]
        return [tf.concat([part[i] for part in parts], axis=0) for i in range(len(keys))]

    # ---- the copies ----
    def _compiled(self, width: int, edge: bool) -> Callable[..., Any]:
        if (width, edge) not in self._calls:
            plan, keys = self.plan(width), self.cached(width)
            specs = [
                tf.TensorSpec((None, self.lengths[key] if isinstance(key, int) else None, None), tf.float32)
                for key in keys
            ]
            source = plan.held[self.split.source].size
            signature = [
                specs,
                tf.TensorSpec((None,), tf.int32),
                tf.TensorSpec((None,), tf.int32),
                tf.TensorSpec((None, source, self.channels), tf.float32),
            ]

            def outputs(caches: list[tf.Tensor], signal: tf.Tensor, starts: tf.Tensor, values: tf.Tensor) -> tf.Tensor:
                by_key = dict(zip(keys, caches, strict=True))
                interior = None if edge else self.interior(width)
                return self.copies.outputs(plan, interior, by_key, signal, starts, values)

            self._calls[width, edge] = compiled(outputs, signature, quiet=True)  # one per width and edge kind
        return self._calls[width, edge]

    def perturbed_outputs(
        self, x: np.ndarray, width: int, cases: int, build: SpanBuild, cases_per_call: int | None = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Like ``perturbation.perturbed_outputs``, for copies that differ over one span of ``width``: the
        indices of some of the cases and their target outputs, until every case has been given once.

        A copy here is its input over the re-read range only; calls hold :meth:`copies_per_call` copies,
        and a block of cases is built one call's worth at a time. Interior copies and copies near the edges
        take calls of their own; the edge copies of several blocks are gathered into one call, for a call of
        few copies costs up to twice as much per copy.
        """
        caches = self.caches(x, width)
        interior = self.interior(width)
        starts, size = self.source_range(width)
        per_call = cases_per_call or self.copies_per_call(width)
        waiting: list[tuple[np.ndarray, ...]] = []
        for first in range(0, cases, per_call):
            indices = np.arange(first, min(cases, first + per_call))
            copies = (indices, *build(slice(first, indices[-1] + 1), starts, size))
            inner = interior[copies[2]]
            yield from self._calls_of(width, False, caches, per_call, *(part[inner] for part in copies))
            waiting.append(tuple(part[~inner] for part in copies))
            if sum(len(part[0]) for part in waiting) >= per_call or indices[-1] + 1 == cases:
                gathered = [np.concatenate(column) for column in zip(*waiting, strict=True)]
                waiting = []
                yield from self._calls_of(width, True, caches, per_call, *gathered)

    def _calls_of(
        self,
        width: int,
        edge: bool,
        caches: list[tf.Tensor],
        per_call: int,
        indices: np.ndarray,
        signal: np.ndarray,
        spans: np.ndarray,
        values: np.ndarray,
        targets: np.ndarray,
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The target outputs of these copies, in calls of equal size, a multiple of ``CALL_GRAIN`` (the
        last one padded with repeats): each new batch shape makes the convolutions set themselves up again."""
        if not len(indices):
            return
        calls = -(-len(indices) // per_call)
        even = -(-len(indices) // calls)
        call_size = min(per_call, -(-even // CALL_GRAIN) * CALL_GRAIN)
        for part in range(0, len(indices), call_size):
            rows = slice(part, part + call_size)
            taken = len(indices[rows])
            # Views of the copies, but for the last call, padded with repeats to the calls' size.
            args = [
                a[rows] if taken == call_size else np.resize(a[rows], (call_size, *a.shape[1:]))
                for a in (signal, spans, values)
            ]
            result = self._compiled(width, edge)(
                caches, tf.constant(args[0], tf.int32), tf.constant(args[1], tf.int32), tf.constant(args[2])
            ).numpy()
            yield indices[rows], result[np.arange(taken), targets[rows]]


def incremental_forward(adapter: Any, length: int) -> IncrementalForward | str:
    """The incremental forward of ``adapter`` for signals of ``length``, or why full passes run instead."""
    per_adapter = _FORWARDS.setdefault(adapter, {})
    if length not in per_adapter:
        per_adapter[length] = _build(adapter, length)
    return per_adapter[length]


def _build(adapter: Any, length: int) -> IncrementalForward | str:
    if getattr(adapter, "model", None) is None or not getattr(adapter, "has_layers", False):
        return "full passes (the model's layers are not visible)"
    if not adapter.takes_channel_axis:
        return "full passes (the model takes (L,) inputs)"
    split = split_model(adapter.model)
    if not split.has_sliding:
        return f"full passes (no convolution or pooling before {split.head_start or 'the output'})"
    return IncrementalForward(adapter, split, length)
