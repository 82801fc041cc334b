"""Which positions of each prefix tensor a copy recomputes, for a change of the input over ``[s, s + width)``.

Numpy only. Forward, a change over ``[lo, hi)`` of a sliding layer's input (kernel ``k``, stride, dilation
``d``, left padding ``p``) reaches outputs ``ceil((lo + p - d(k-1)) / stride) … floor((hi - 1 + p) / stride)``.
The head needs each tensor it reads recomputed where it changes. Backward, every layer computes the
positions its consumers read: either all of them (a plain slice of its held range, no copying), or, when
that widening would cost more recomputation than splicing, only where its output changed, its consumers
then reading the rest from the signal's cached activations (a *spliced* tensor). Each tensor gets a fixed
size (one compiled call serves every copy) and, per span start ``s``, where it begins; near the signal's
ends a range may run past the tensor's edges: those copies take the *edge* call, which masks such positions
to the reading layer's padding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SPLICE_COST = 8.0
"""Cost of splicing one value (a gather and a select) in multiply-adds, on CPU."""


@dataclass(frozen=True)
class Layer:
    """The geometry of one local step: ``pointwise`` and ``merge`` read the very positions they compute.

    ``work`` is its multiply-adds per output position, ``channels`` its output channels (the cost model).
    """

    kind: str
    inputs: tuple[int, ...]
    output: int
    kernel: int = 1
    stride: int = 1
    dilation: int = 1
    padding: str = "valid"
    work: float = 1.0
    channels: int = 1

    @property
    def reach(self) -> int:
        return self.dilation * (self.kernel - 1)


@dataclass(frozen=True)
class Held:
    """The positions of one tensor a copy recomputes: ``size`` of them from ``starts[s]``, per span start.

    Attributes
    ----------
    length : int
        Positions of the tensor.
    size : int
        Positions recomputed for every copy.
    starts : np.ndarray
        ``(S,)`` int32: the first recomputed position for each input span start ``s = 0 … S-1`` (may be
        negative, or the range may end past ``length``, near the edges).
    spliced : bool
        Its consumers read it spliced into the cached activations (else: a slice of the held range).
    """

    length: int
    size: int
    starts: np.ndarray
    spliced: bool = False

    def inside(self) -> np.ndarray:
        """``(S,)`` bool: the range lies within the tensor."""
        return (self.starts >= 0) & (self.starts + self.size <= self.length)


@dataclass(frozen=True)
class Plan:
    """Recomputed ranges of every tensor and where each layer reads its inputs, for one width.

    Attributes
    ----------
    held : dict
        Tensor id → :class:`Held`.
    reads : dict
        ``(step index, input id)`` → ``(S,)`` first position the step reads of that input: relative to the
        input's held range, or absolute when the input is spliced.
    inside : dict
        ``(step index, input id)`` → ``(S,)`` bool: the read lies within the input tensor (else the step
        reads padding there, or positions no output inside its own tensor depends on).
    """

    held: dict[int, Held]
    reads: dict[tuple[int, int], np.ndarray]
    inside: dict[tuple[int, int], np.ndarray]

    def offsets(self, index: int, tensor: int, interior: np.ndarray | None = None) -> np.ndarray:
        """Where step ``index`` reads ``tensor``, per span start. A call that sees only the span starts in
        ``interior`` gets one offset for all of them where they agree (one slice for every copy)."""
        first = self.reads[index, tensor]
        if interior is None or self.held[tensor].spliced or not interior.any():
            return first
        used = first[interior]
        return np.full_like(first, used[0]) if (used == used[0]).all() else first


def sliding_geometry(length: int, kernel: int, stride: int, dilation: int, padding: str) -> tuple[int, int]:
    """``(left padding, output length)`` of a Conv1D/pool over ``length`` positions, as TensorFlow pads.

    ``same`` pads ``max((out - 1)·stride + reach + 1 - length, 0)`` in all, the smaller half on the left;
    ``causal`` pads ``reach`` on the left only; ``valid`` pads nothing.
    """
    reach = dilation * (kernel - 1)
    if padding == "valid":
        return 0, (length - reach - 1) // stride + 1
    if padding == "causal":
        return reach, (length - 1) // stride + 1
    out = -(-length // stride)
    return max((out - 1) * stride + reach + 1 - length, 0) // 2, out


def tensor_lengths(layers: list[Layer], source: int, length: int) -> dict[int, int]:
    lengths = {source: length}
    for layer in layers:
        before = lengths[layer.inputs[0]]
        if layer.kind == "sliding":
            before = sliding_geometry(before, layer.kernel, layer.stride, layer.dilation, layer.padding)[1]
        lengths[layer.output] = before
    return lengths


def plan_ranges(layers: list[Layer], source: int, needed: list[int], length: int, width: int) -> Plan:
    """Every tensor's recomputed range for spans of ``width`` over ``length`` positions.

    ``needed`` are the tensors the head reads: each must be recomputed wherever the change reaches it.
    """
    lengths = tensor_lengths(layers, source, length)
    pads = {
        id(layer): sliding_geometry(
            lengths[layer.inputs[0]], layer.kernel, layer.stride, layer.dilation, layer.padding
        )[0]
        for layer in layers
        if layer.kind == "sliding"
    }
    # Forward: where the change reaches each tensor, per span start (unclamped).
    s = np.arange(length - width + 1, dtype=np.int64)
    lo, hi = {source: s}, {source: s + width}
    for layer in layers:
        ins = layer.inputs
        if layer.kind == "sliding":
            pad = pads[id(layer)]
            lo[layer.output] = -(-(lo[ins[0]] + pad - layer.reach) // layer.stride)
            hi[layer.output] = (hi[ins[0]] - 1 + pad) // layer.stride + 1
        else:
            lo[layer.output] = np.min([lo[t] for t in ins], axis=0)
            hi[layer.output] = np.max([hi[t] for t in ins], axis=0)
    # What one more position of each tensor costs to recompute, where splicing an input would be cheaper
    # than recomputing it bounding that input's share.
    per_position = {source: 0.0}
    channels = {source: 1}
    for layer in layers:
        reads = layer.stride if layer.kind == "sliding" else 1
        upstream = sum(min(per_position[t], SPLICE_COST * channels.get(t, 1)) for t in layer.inputs)
        per_position[layer.output] = layer.work + reads * upstream
        channels[layer.output] = layer.channels
    # Backward: each tensor covers what the head needs of it and what its consumers read.
    wanted = {t: (lo[t], hi[t]) for t in needed}
    read_sizes: dict[int, int] = {}
    held: dict[int, Held] = {}
    reads: dict[tuple[int, int], np.ndarray] = {}
    for index in range(len(layers) - 1, -1, -1):
        layer = layers[index]
        if layer.output not in wanted:
            continue
        out = held[layer.output] = _settle(
            layer, wanted[layer.output], (lo, hi), lengths, read_sizes, per_position[layer.output]
        )
        if layer.kind == "sliding":
            first = out.starts.astype(np.int64) * layer.stride - pads[id(layer)]
            size = (out.size - 1) * layer.stride + layer.reach + 1
        else:
            first, size = out.starts.astype(np.int64), out.size
        for tensor in layer.inputs:
            reads[index, tensor] = first
            read_sizes[tensor] = read_sizes.get(tensor, 0) + size
            before = wanted.get(tensor)
            wanted[tensor] = (
                (first, first + size)
                if before is None
                else (np.minimum(before[0], first), np.maximum(before[1], first + size))
            )
    first, last = wanted[source]
    held[source] = Held(length, max(1, int((last - first).max())), first.astype(np.int32))
    inside: dict[tuple[int, int], np.ndarray] = {}
    for (index, tensor), first in reads.items():
        range_, read = held[tensor], layers[index]
        size = held[read.output].size
        size = (size - 1) * read.stride + read.reach + 1 if read.kind == "sliding" else size
        inside[index, tensor] = (first >= 0) & (first + size <= range_.length)
        reads[index, tensor] = (first if range_.spliced else first - range_.starts).astype(np.int32)
    return Plan(held, reads, inside)


def _settle(
    layer: Layer,
    wanted: tuple[np.ndarray, np.ndarray],
    changed: tuple[dict[int, np.ndarray], dict[int, np.ndarray]],
    lengths: dict[int, int],
    read_sizes: dict[int, int],
    per_position: float,
) -> Held:
    """The held range of ``layer``'s output: all its consumers read, or (spliced) only where it changed,
    whichever the cost model says is cheaper."""
    tensor = layer.output
    length = lengths[tensor]
    first, last = wanted
    size = max(1, int((last - first).max()))
    plain = Held(length, size, first.astype(np.int32))
    low = np.clip(changed[0][tensor], 0, length)
    high = np.clip(changed[1][tensor], 0, length)
    changed_size = max(1, int((high - low).max()))
    if changed_size >= length:
        return Held(length, length, np.zeros_like(low, dtype=np.int32), spliced=True)
    extra_work = (size - changed_size) * per_position
    splice_work = SPLICE_COST * read_sizes.get(tensor, 0) * layer.channels
    if tensor not in read_sizes or extra_work <= splice_work:
        return plain
    return Held(length, changed_size, np.clip(low, 0, length - changed_size).astype(np.int32), spliced=True)
