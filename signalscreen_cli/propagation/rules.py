"""LRP rules of one linear layer ``z = lin(x, W, b)``: relevance ``R`` at its output → relevance at its input.

Written from Montavon et al. 2019 ("Layer-wise relevance propagation: an overview", eqs. 1-7 and sec. 10):
every rule is ``R_i = Σ_j q_ij R_j / Σ_i' q_i'j`` for a contribution ``q_ij``; the sum over ``j`` is the
layer's transpose (a vector-Jacobian product of ``lin`` with the bias left out), so one rule is written once
for dense layers, convolutions of every padding, stride and dilation, and per-channel affine layers.

- LRP-0 ``q = x_i w_ij`` (bias in the denominator); LRP-ε adds ``ε · sign(z_j)`` to it; LRP-γ uses
  ``w + γ w⁺`` (and ``b + γ b⁺``); LRP-αβ splits positive and negative contributions, ``α − β = 1``; z⁺ is
  α1β0;
- first-layer rules: flat (``q = 1``), w² (``q = w_ij²``) and z^B (``q = x_i w_ij − l_i w⁺_ij − h_i w⁻_ij``,
  inputs bounded by ``l ≤ x ≤ h``), none with the bias.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from .composites import Backward

TINY = 1e-9  # keeps LRP-0's division defined where z_j = 0 (there R_j = 0 too in a ReLU network)
Lin = Callable[..., tf.Tensor]


def stabilize(z: tf.Tensor, epsilon: float) -> tf.Tensor:
    """``z + ε · sign(z)`` with ``sign(0) = 1``."""
    return z + tf.where(z >= 0, epsilon, -epsilon)


def transpose(lin: Lin, kernel: tf.Tensor, like: tf.Tensor, s: tf.Tensor) -> tf.Tensor:
    """``Σ_j w_ij s_j`` for every input ``i``: the vector-Jacobian product of ``lin(·, kernel)`` (no bias)."""
    with tf.GradientTape() as tape:
        tape.watch(like)
        out = lin(like, kernel)
    return tape.gradient(out, like, output_gradients=s)


def lrp_linear(
    rule: str,
    settings: Backward,
    lin: Lin,
    kernel: tf.Tensor,
    bias: tf.Tensor,
    x: tf.Tensor,
    relevance: tf.Tensor,
    low: tf.Tensor | None = None,
    high: tf.Tensor | None = None,
    z: tf.Tensor | None = None,
    nonnegative: bool = False,
) -> tf.Tensor:
    """Relevance at the input of ``lin`` under ``rule`` (see the module doc); ``z``: the forward pass's
    ``lin(x, kernel, bias)``, reused by LRP-0 and LRP-ε."""
    if rule in ("zero", "epsilon"):
        z = lin(x, kernel, bias) if z is None else z
        s = relevance / stabilize(z, settings.epsilon if rule == "epsilon" else TINY)
        return x * transpose(lin, kernel, x, s)
    if rule == "gamma":
        kernel = kernel + settings.gamma * tf.nn.relu(kernel)
        bias = bias + settings.gamma * tf.nn.relu(bias)
        z = lin(x, kernel, bias)
        return x * transpose(lin, kernel, x, relevance / stabilize(z, TINY))
    if rule in ("alpha_beta", "zplus", "alpha2_beta1"):
        alpha, beta = {"zplus": (1.0, 0.0), "alpha2_beta1": (2.0, 1.0)}.get(rule, (settings.alpha, settings.beta))
        return alpha_beta(alpha, beta, lin, kernel, bias, x, relevance, nonnegative)
    if rule in ("flat", "w_square"):
        weights = tf.ones_like(kernel) if rule == "flat" else tf.square(kernel)
        ones = tf.ones_like(x)
        z = lin(ones, weights)
        return transpose(lin, weights, ones, relevance / stabilize(z, TINY))
    if rule == "zb":
        positive, negative = tf.nn.relu(kernel), tf.minimum(kernel, 0.0)
        z = lin(x, kernel) - lin(low, positive) - lin(high, negative)
        s = relevance / stabilize(z, TINY)
        return (
            x * transpose(lin, kernel, x, s)
            - low * transpose(lin, positive, x, s)
            - high * transpose(lin, negative, x, s)
        )
    raise ValueError(f"unknown LRP rule {rule!r}")


def alpha_beta(
    alpha: float,
    beta: float,
    lin: Lin,
    kernel: tf.Tensor,
    bias: tf.Tensor,
    x: tf.Tensor,
    relevance: tf.Tensor,
    nonnegative: bool = False,
) -> tf.Tensor:
    """LRP-αβ: ``R_i = Σ_j (α z⁺_ij / z⁺_j − β z⁻_ij / z⁻_j) R_j`` with signed inputs split too (a product is
    positive when input and weight share a sign); ``z⁺_j`` includes ``b⁺``, ``z⁻_j`` includes ``b⁻``.
    ``nonnegative``: ``x ≥ 0`` is known (after a ReLU), so the ``x⁻`` half, all zeros, is not computed."""
    w_pos, w_neg = tf.nn.relu(kernel), tf.minimum(kernel, 0.0)
    x_pos = x if nonnegative else tf.nn.relu(x)
    x_neg = None if nonnegative else tf.minimum(x, 0.0)

    def share(first: tf.Tensor, second: tf.Tensor, bias_part: tf.Tensor) -> tf.Tensor:
        # inputs x⁺ through `first` and x⁻ through `second` make one sign of contribution
        z = lin(x_pos, first) + bias_part
        if x_neg is not None:
            z += lin(x_neg, second)
        s = tf.math.divide_no_nan(relevance, z)
        out = x_pos * transpose(lin, first, x, s)
        return out if x_neg is None else out + x_neg * transpose(lin, second, x, s)

    out = alpha * share(w_pos, w_neg, tf.nn.relu(bias))
    if beta:
        out -= beta * share(w_neg, w_pos, tf.minimum(bias, 0.0))
    return out
