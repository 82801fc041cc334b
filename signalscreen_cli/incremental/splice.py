"""Splicing a copy's recomputed range into its signal's cached activations, inside compiled calls.

A prefix tensor of a copy is held as ``(first, inside)``: the first recomputed position of each copy ``(m,)``
and the recomputed values ``(m, size, C)``; every other position equals the signal's cached activation.
Positions of the range outside the tensor (near the signal's edges) are ignored. A global average or max
pool over such a tensor is computed without splicing: reductions of the cache over the positions before and
after the range (kept once per signal: :func:`pool_reductions`) and the range's own values give the pooled
output exactly.
"""

from __future__ import annotations

from typing import Any

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


def pool_reductions(kind: str, activations: tf.Tensor, size: int) -> tuple[tf.Tensor, tf.Tensor]:
    """What a global ``average`` (sum) or ``max`` pool of each signal's activations ``(n, L, C)`` keeps, for
    copies that recompute ``size`` positions of them: a copy's pool outside its range ``[a, a + size)``
    comes from two reads (:func:`pooled`), and nothing per span start is kept.

    ``average``: the total ``(n, 1, C)`` and the sums over every ``size`` positions ``[j - size, j)``,
    ``j = 0 … L + size`` ``(n, L + size + 1, C)`` (positions outside the tensor count as zero): an average
    pool over the zero-padded activations, which is several times cheaper on CPU than a running sum.
    ``max``: the maxima over the positions before and from every position ``(n, L + 1, C)`` each."""
    if kind == "average":
        padded = tf.pad(activations, [[0, 0], [size, size], [0, 0]])
        windows = tf.nn.avg_pool1d(padded, size, 1, "VALID") * float(size)
        return tf.reduce_sum(activations, axis=1, keepdims=True), windows
    lowest = float("-inf")
    before = tf.pad(_running_max(activations), [[0, 0], [1, 0], [0, 0]], constant_values=lowest)
    after = tf.reverse(_running_max(tf.reverse(activations, [1])), [1])
    return before, tf.pad(after, [[0, 0], [0, 1], [0, 0]], constant_values=lowest)


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
    kind: str, held: Held, size: int, length: int, reductions: tuple[tf.Tensor, tf.Tensor], signal: Any, edge: bool
) -> tf.Tensor:
    """The global ``average`` or ``max`` pool ``(m, C)`` of each copy's tensor: its signal's pool outside the
    recomputed range (from ``reductions``, :func:`pool_reductions`) joined with the range's own values;
    ``edge``: the range may leave the tensor (those positions are left out)."""
    first, inside = held
    if edge:
        positions = first[:, None] + tf.range(size)[None, :]
        in_tensor = ((positions >= 0) & (positions < length))[:, :, None]
        neutral = 0.0 if kind == "average" else float("-inf")
        inside = tf.where(in_tensor, inside, tf.constant(neutral, inside.dtype))
    if kind == "average":
        total, windows = reductions
        end = tf.clip_by_value(first + size, 0, length + size)
        outside = tf.gather(total[:, 0, :], signal) - tf.gather_nd(windows, tf.stack([signal, end], -1))
        return (outside + tf.reduce_sum(inside, axis=1)) / length
    before, after = reductions
    low, high = tf.clip_by_value(first, 0, length), tf.clip_by_value(first + size, 0, length)
    outside_before = tf.gather_nd(before, tf.stack([signal, low], -1))
    outside_after = tf.gather_nd(after, tf.stack([signal, high], -1))
    return tf.maximum(tf.maximum(outside_before, outside_after), tf.reduce_max(inside, axis=1))
