"""Splicing a copy's recomputed range into its signal's cached activations, inside compiled calls.

A prefix tensor of a copy is held as ``(first, inside)``: the first recomputed position of each copy ``(m,)``
and the recomputed values ``(m, size, C)``; every other position equals the signal's cached activation.
Positions of the range outside the tensor (near the signal's edges) are ignored. A global average or max
pool over such a tensor is computed without splicing: reductions of the cache over the positions before and
after the range (prefix sums, prefix and suffix maxima, kept once per signal) and the range's own values
give the pooled output exactly.
"""

from __future__ import annotations

from ..models import tf

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


def whole(held: Held, size: int, length: int, cache: tf.Tensor, signal: tf.Tensor) -> tf.Tensor:
    """Each copy's whole tensor ``(m, length, C)``: its signal's cached activations with the range written in."""
    first, inside = held
    offsets = tf.range(length)[None, :] - first[:, None]
    in_range = (offsets >= 0) & (offsets < size)
    recomputed = tf.gather(inside, tf.clip_by_value(offsets, 0, size - 1), batch_dims=1)
    return tf.where(in_range[:, :, None], recomputed, tf.gather(cache, signal))


def pool_reductions(kind: str, activations: tf.Tensor) -> list[tf.Tensor]:
    """What a global pool of kind ``average`` or ``max`` keeps per signal, ``(n, L' + 1, C)`` each.

    ``average``: sums of the first ``i`` positions. ``max``: maxima of the first ``i`` positions and of the
    positions from ``i`` on (``-inf`` over none).
    """
    if kind == "average":
        return [tf.pad(tf.cumsum(activations, axis=1), [[0, 0], [1, 0], [0, 0]])]
    lowest = float("-inf")
    prefix = tf.pad(_running_max(activations), [[0, 0], [1, 0], [0, 0]], constant_values=lowest)
    suffix = tf.reverse(_running_max(tf.reverse(activations, [1])), [1])
    return [prefix, tf.pad(suffix, [[0, 0], [0, 1], [0, 0]], constant_values=lowest)]


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
    kind: str, held: Held, size: int, length: int, reductions: list[tf.Tensor], signal: tf.Tensor, edge: bool
) -> tf.Tensor:
    """The global ``average`` or ``max`` pool ``(m, C)`` of each copy's tensor, from its recomputed range and
    its signal's reductions; ``edge``: the range may leave the tensor."""
    first, inside = held
    if size >= length and not edge:
        return tf.reduce_mean(inside, axis=1) if kind == "average" else tf.reduce_max(inside, axis=1)
    stop = first + size
    if edge:
        positions = first[:, None] + tf.range(size)[None, :]
        in_tensor = ((positions >= 0) & (positions < length))[:, :, None]
        neutral = 0.0 if kind == "average" else float("-inf")
        inside = tf.where(in_tensor, inside, tf.constant(neutral, inside.dtype))
        first, stop = tf.clip_by_value(first, 0, length), tf.clip_by_value(stop, 0, length)

    def at(table: tf.Tensor, position: tf.Tensor) -> tf.Tensor:
        return tf.gather_nd(table, tf.stack([signal, position], -1))

    if kind == "average":
        sums = reductions[0]
        outside = at(sums, first) + at(sums, tf.fill(tf.shape(signal), length)) - at(sums, stop)
        return (outside + tf.reduce_sum(inside, axis=1)) / length
    outside = tf.maximum(at(reductions[0], first), at(reductions[1], stop))
    return tf.maximum(outside, tf.reduce_max(inside, axis=1))
