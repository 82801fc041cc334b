"""Splicing a copy's recomputed range into its signal's cached activations, inside compiled calls.

A prefix tensor of a copy is held as ``(first, inside)``: the first recomputed position of each copy ``(m,)``
and the recomputed values ``(m, size, C)``; every other position equals the signal's cached activation.
Positions of the range outside the tensor (near the signal's edges) are ignored. A global average or max
pool over such a tensor is computed without splicing: reductions of the cache over the positions before and
after the range (from prefix sums, or prefix and suffix maxima, kept once per signal and span start) and
the range's own values give the pooled output exactly.
"""

from __future__ import annotations

import numpy as np

from ..model.adapter import tf
from .geometry import Held as HeldRange

Held = tuple[tf.Tensor, tf.Tensor]


def read_range(
    held: Held,
    size: int,
    length: int,
    cache: tf.Tensor,
    signal: tf.Tensor,
    first: tf.Tensor,
    read: int,
    fill: float | None,
) -> tf.Tensor:
    """Positions ``first … first + read - 1`` of each copy's tensor ``(m, read, C)``: recomputed inside its
    held range, cached elsewhere; ``fill`` (the reading layer's padding) outside the tensor unless ``None``."""
    held_first, inside = held
    positions = first[:, None] + tf.range(read)[None, :]
    offsets = positions - held_first[:, None]
    recomputed = tf.gather(inside, tf.clip_by_value(offsets, 0, size - 1), batch_dims=1)
    rows = signal[:, None] * length + tf.clip_by_value(positions, 0, length - 1)
    cached = tf.gather(tf.reshape(cache, (-1, tf.shape(cache)[-1])), rows)
    out = tf.where(((offsets >= 0) & (offsets < size))[:, :, None], recomputed, cached)
    if fill is None:
        return out
    in_tensor = (positions >= 0) & (positions < length)
    return tf.where(in_tensor[:, :, None], out, tf.constant(fill, out.dtype))


def read_held(
    held: HeldRange,
    first: np.ndarray,
    values: tf.Tensor,
    cache: tf.Tensor | None,
    signal: tf.Tensor,
    spans: tf.Tensor,
    size: int,
    fill: float | None,
) -> tf.Tensor:
    """The ``size`` positions a layer reads of a tensor held over ``held``, from ``first[span start]`` (relative
    to the held range, or absolute when the tensor is spliced): a slice of the recomputed values, or spliced
    from the cache; ``fill`` (the reading layer's padding) outside the tensor unless ``None``."""
    if held.spliced:
        starts = tf.gather(tf.constant(held.starts), spans)
        reads = tf.gather(tf.constant(first), spans)
        return read_range((starts, values), held.size, held.length, cache, signal, reads, size, fill)
    if (first == first[0]).all():  # the usual case: one slice for every copy
        read = values[:, int(first[0]) : int(first[0]) + size]
    else:
        where = tf.gather(tf.constant(first), spans)[:, None] + tf.range(size)[None, :]
        read = tf.gather(values, where, batch_dims=1)
    if fill is None:
        return read
    positions = tf.gather(tf.constant(held.starts + first), spans)[:, None] + tf.range(size)[None, :]
    inside = (positions >= 0) & (positions < held.length)
    return tf.where(inside[:, :, None], read, tf.constant(fill, read.dtype))


def whole(held: Held, size: int, length: int, cache: tf.Tensor, signal: tf.Tensor) -> tf.Tensor:
    """Each copy's whole tensor ``(m, length, C)``: its signal's cached activations with the range written in."""
    first, inside = held
    offsets = tf.range(length)[None, :] - first[:, None]
    in_range = (offsets >= 0) & (offsets < size)
    recomputed = tf.gather(inside, tf.clip_by_value(offsets, 0, size - 1), batch_dims=1)
    return tf.where(in_range[:, :, None], recomputed, tf.gather(cache, signal))


def pool_outside(kind: str, activations: tf.Tensor, first: np.ndarray, stop: np.ndarray) -> tf.Tensor:
    """A global ``average`` (sum) or ``max`` pool of each signal's activations outside ``[first[s], stop[s])``,
    for every span start ``s``: ``(n, S, C)``, from prefix sums (or prefix and suffix maxima) over positions."""
    if kind == "average":
        sums = tf.pad(tf.cumsum(activations, axis=1), [[0, 0], [1, 0], [0, 0]])
        total = sums[:, -1:, :]
        return tf.gather(sums, first, axis=1) + total - tf.gather(sums, stop, axis=1)
    lowest = float("-inf")
    before = tf.pad(_running_max(activations), [[0, 0], [1, 0], [0, 0]], constant_values=lowest)
    after = tf.reverse(_running_max(tf.reverse(activations, [1])), [1])
    after = tf.pad(after, [[0, 0], [0, 1], [0, 0]], constant_values=lowest)
    return tf.maximum(tf.gather(before, first, axis=1), tf.gather(after, stop, axis=1))


def _running_max(values: tf.Tensor) -> tf.Tensor:
    """Maximum of the first ``i + 1`` positions at each ``i``, by doubling shifts (TensorFlow has no cummax)."""
    length = values.shape[1]
    shift = 1
    while shift < length:
        shifted = tf.pad(values[:, :-shift], [[0, 0], [shift, 0], [0, 0]], constant_values=float("-inf"))
        values = tf.maximum(values, shifted)
        shift *= 2
    return values


def pooled(
    kind: str, held: Held, size: int, length: int, outside: tf.Tensor, signal: tf.Tensor, spans: tf.Tensor, edge: bool
) -> tf.Tensor:
    """The global ``average`` or ``max`` pool ``(m, C)`` of each copy's tensor: its signal's pool outside the
    recomputed range (``outside``, by span start) joined with the range's own values; ``edge``: the range
    may leave the tensor (those positions are left out)."""
    first, inside = held
    if edge:
        positions = first[:, None] + tf.range(size)[None, :]
        in_tensor = ((positions >= 0) & (positions < length))[:, :, None]
        neutral = 0.0 if kind == "average" else float("-inf")
        inside = tf.where(in_tensor, inside, tf.constant(neutral, inside.dtype))
    rest = tf.gather_nd(outside, tf.stack([signal, spans], -1))
    if kind == "average":
        return (rest + tf.reduce_sum(inside, axis=1)) / length
    return tf.maximum(rest, tf.reduce_max(inside, axis=1))
