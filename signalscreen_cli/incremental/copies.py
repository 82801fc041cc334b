"""A copy's pass on the incremental forward path: the prefix recomputed over its held ranges only, spliced
into the cached activations, then the head.

:class:`CopyGraph` is traced inside ``IncrementalForward``'s compiled calls (one per span width and edge
kind); it never sees whole copies, only each copy's input over the range the prefix re-reads.
"""

from __future__ import annotations

from typing import Any

from ..model.adapter import tf
from .geometry import Plan
from .graph import Split, Step, window_layer
from .splice import pooled, read_held, whole


class CopyGraph:
    """The model outputs of copies, given the prefix's cached activations and each copy's re-read input."""

    def __init__(self, split: Split, adapter: Any) -> None:
        self.split, self.adapter = split, adapter
        self._windows = {
            id(step): window_layer(step, (None, None, step.layer.input.shape[-1]))
            for step in split.steps
            if step.kind == "sliding"
        }

    def outputs(
        self,
        plan: Plan,
        interior: Any,
        caches: dict[Any, tf.Tensor],
        signal: tf.Tensor,
        spans: tf.Tensor,
        values: Any,
    ) -> tf.Tensor:
        """Outputs of the copies whose span starts are ``spans``; ``interior`` is ``None`` for copies near
        the edges (their padding reads are masked in), else the per-start interior flags."""
        computed = self._prefix(plan, interior, caches, signal, spans, values)
        full = self._spliced(plan, interior is None, computed, caches, signal, spans)
        for node in self.split.head_nodes:
            args, kwargs = node.arguments.fill_in(full)
            if getattr(node.operation, "_call_has_training_arg", False) and "training" not in kwargs:
                kwargs["training"] = False
            outputs = node.operation(*args, **kwargs)
            for tensor, value in zip(node.outputs, tf.nest.flatten(outputs), strict=True):
                full[id(tensor)] = value
        result = full[id(self.split.output)]
        steps = self.adapter.output_steps  # read when traced, as the adapter holds it then
        return result if steps is None else tf.reduce_sum(result[:, steps[0] : steps[1], :], axis=1)

    def _prefix(
        self, plan: Plan, interior: Any, caches: dict[Any, tf.Tensor], signal: tf.Tensor, spans: tf.Tensor, values: Any
    ) -> dict[Any, tf.Tensor]:
        # Each prefix tensor of a copy is recomputed over its held range only; the head reads it spliced.
        computed = {self.split.source: values}
        edge = interior is None
        for index, step in enumerate(self.split.steps):
            if step.output not in plan.held:
                continue
            out = plan.held[step.output]
            size = (out.size - 1) * step.stride + _reach(step) + 1 if step.kind == "sliding" else out.size
            fill = step.fill if edge and reads_padding(self.split, step) else None
            parts = [
                read_held(
                    plan.held[tensor],
                    plan.offsets(index, tensor, interior),
                    computed[tensor],
                    caches.get(tensor),
                    signal,
                    spans,
                    size,
                    fill,
                )
                for tensor in step.inputs
            ]
            if step.kind == "sliding":
                computed[step.output] = call_layer(self._windows[id(step)], parts[0])
            else:
                computed[step.output] = call_layer(step.layer, parts if step.kind == "merge" else parts[0])
        return computed

    def _spliced(
        self,
        plan: Plan,
        edge: bool,
        computed: dict[Any, tf.Tensor],
        caches: dict[Any, tf.Tensor],
        signal: tf.Tensor,
        spans: tf.Tensor,
    ) -> dict[Any, tf.Tensor]:
        """The head's inputs whole: the frontier's recomputed ranges and the global pools' values spliced."""
        full = {}
        for tensor in self.split.frontier:
            held = plan.held[tensor]
            first = tf.gather(tf.constant(held.starts), spans)
            full[tensor] = whole((first, computed[tensor]), held.size, held.length, caches[tensor], signal)
        for node, kind in self.split.pooled:
            tensor = id(node.input_tensors[0])
            held = plan.held[tensor]
            first = tf.gather(tf.constant(held.starts), spans)
            reductions = (caches[tensor, kind, held.size, 0], caches[tensor, kind, held.size, 1])
            result = pooled(kind, (first, computed[tensor]), held.size, held.length, reductions, signal, edge)
            full[id(node.outputs[0])] = result[:, None, :] if node.operation.keepdims else result
        return full


def reads_padding(split: Split, step: Step) -> bool:
    """Whether the layer reads padding that must be masked in: a valid layer's outputs inside the tensor
    never read outside its input; the input arrives zero-padded."""
    zero_padded_input = step.inputs[0] == split.source and step.fill == 0.0
    return step.padding != "valid" and not zero_padded_input


def call_layer(layer: Any, inputs: Any) -> tf.Tensor:
    if getattr(layer, "_call_has_training_arg", False):
        return layer(inputs, training=False)
    return layer(inputs)


def _reach(step: Step) -> int:
    return step.dilation * (step.kernel - 1)
