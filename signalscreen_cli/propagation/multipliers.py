"""The multiplier backward passes: DeepLIFT (Rescale, RevealCancel), guided backprop and deconvnet.

The gradient of the target's logit, except at the nonlinearities: DeepLIFT's Rescale rule ``Δy/Δx`` (the
gradient where ``|Δx| < 1e-6``) or RevealCancel; at max-pooling the winner's ``Δy/Δx`` (of ``x``, or of
``x₀`` where the first has no difference), so summation-to-delta stays exact; guided backprop lets only
positive multipliers through ReLUs (times the ReLU's own gradient), deconvnet passes ReLU(multiplier)
ignoring the forward pass. Other activations keep their gradient. Imported by the engine only (TensorFlow).
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import tensorflow as tf

from .calls import add, call_layer, vjp
from .graph import RELU_LIKE, Step
from .rules import transpose

RESCALE_BELOW = 1e-6


Forward = tuple[dict[int, tf.Tensor], dict[int, tf.Tensor]]  # tensor values and linear pre-activations


def multiplier_pass(
    steps: list[Step],
    input_key: int,
    output_key: int,
    signal: Forward,
    start: tf.Tensor,
    mode: str,
    reference: Forward | None = None,
    reveal_cancel: bool = False,
) -> tf.Tensor:
    """Multipliers down to the input; DeepLIFT also needs the ``reference``'s forward pass."""
    values, pre = signal
    multipliers = {output_key: start}
    for step in reversed(steps):
        m = multipliers.pop(step.outputs[0], None)
        if m is None:
            continue
        if step.kind == "linear" and reveal_cancel and reference is not None and step.activation_name != "linear":
            shares = [reveal_cancel_linear(step, values, pre, reference, m)]
        elif step.kind == "linear":
            if step.activation is not None and step.activation_name != "linear":
                differences = None
                if reference is not None:
                    key = step.outputs[0]
                    differences = (pre[key] - reference[1][key], values[key] - reference[0][key])
                m = through(mode, step.activation, step.activation_name, pre[step.outputs[0]], m, differences)
            kernel, _ = step.linear.weights()
            x = values[step.inputs[0]]
            with tf.GradientTape() as tape:
                tape.watch(x)
                out = step.linear(x, kernel)
            shares = [tape.gradient(out, x, output_gradients=m)]
        elif step.kind == "activation":
            differences = None
            if reference is not None:
                before, after = step.inputs[0], step.outputs[0]
                differences = (values[before] - reference[0][before], values[after] - reference[0][after])
            shares = [through(mode, step.layer, step.activation_name, values[step.inputs[0]], m, differences)]
        elif step.kind == "identity":
            shares = [m]
        elif step.kind == "maxpool" and reference is not None:
            shares = [rescaled_max(step, values, reference[0], m)]
        else:
            shares = vjp(step, values, m)
        for key, share in zip(step.inputs, shares, strict=True):
            add(multipliers, key, share)
    return multipliers.get(input_key, tf.zeros_like(values[input_key]))


def reveal_cancel_linear(
    step: Step, values: dict[int, tf.Tensor], pre: dict[int, tf.Tensor], reference: Forward, m: tf.Tensor
) -> tf.Tensor:
    """DeepLIFT's RevealCancel through a linear layer and its nonlinearity ``f`` (Shrikumar et al. 2017, eq. 3.5.3):
    ``Δz`` split into its positive and negative contributions ``Δz⁺``, ``Δz⁻``;
    ``Δy⁺ = ½(f(z₀+Δz⁺) − f(z₀)) + ½(f(z₀+Δz⁻+Δz⁺) − f(z₀+Δz⁻))`` and ``Δy⁻`` alike; each input takes the
    multiplier ``Δy⁺/Δz⁺`` or ``Δy⁻/Δz⁻`` of the part its contribution ``w·Δx`` belongs to. The
    contributions still sum to ``Δy`` (summation-to-delta)."""
    key, out = step.inputs[0], step.outputs[0]
    dx = values[key] - reference[0][key]
    kernel, _ = step.linear.weights()
    w_pos, w_neg = tf.nn.relu(kernel), tf.minimum(kernel, 0.0)
    dx_pos, dx_neg = tf.nn.relu(dx), tf.minimum(dx, 0.0)
    dz_pos = step.linear(dx_pos, w_pos) + step.linear(dx_neg, w_neg)
    dz_neg = step.linear(dx_pos, w_neg) + step.linear(dx_neg, w_pos)
    z0, f = reference[1][out], step.activation
    dy_pos = 0.5 * (f(z0 + dz_pos) - f(z0)) + 0.5 * (f(z0 + dz_neg + dz_pos) - f(z0 + dz_neg))
    dy_neg = 0.5 * (f(z0 + dz_neg) - f(z0)) + 0.5 * (f(z0 + dz_pos + dz_neg) - f(z0 + dz_pos))
    z = pre[out]
    with tf.GradientTape() as tape:
        tape.watch(z)
        y = f(z)
    gradient = tape.gradient(y, z, output_gradients=m)  # where a part is ~0 its multiplier is the gradient
    m_pos = tf.where(tf.abs(dz_pos) > RESCALE_BELOW, m * tf.math.divide_no_nan(dy_pos, dz_pos), gradient)
    m_neg = tf.where(tf.abs(dz_neg) > RESCALE_BELOW, m * tf.math.divide_no_nan(dy_neg, dz_neg), gradient)
    like = values[key]
    rising = transpose(step.linear, w_pos, like, m_pos) + transpose(step.linear, w_neg, like, m_neg)
    falling = transpose(step.linear, w_pos, like, m_neg) + transpose(step.linear, w_neg, like, m_pos)
    return tf.where(dx > 0, rising, falling)


def rescaled_max(step: Step, values: dict[int, tf.Tensor], reference: dict[int, tf.Tensor], m: tf.Tensor) -> tf.Tensor:
    """DeepLIFT at max-pooling: each window's ``m · Δy`` goes to the winner of ``x`` divided by its ``Δx``, or,
    where that ``Δx`` is ~0, to the winner of ``x₀`` (if both are ~0, ``Δy`` ~ 0 too and the gradient is
    used); so the window's contributions sum to ``m · Δy`` exactly (summation-to-delta)."""
    key = step.inputs[0]
    x = values[key]
    x0 = tf.broadcast_to(reference[key], tf.shape(x))  # a shared reference is one row
    dx = x - x0
    dy = values[step.outputs[0]] - reference[step.outputs[0]]
    tiled = tiling(step)
    if tiled is not None:
        return rescaled_tiles(step, x, x0, dy, m, tiled)

    def at_winner(where: tf.Tensor) -> tf.Tensor:  # Δx at each window's winner: the forward derivative
        with tf.autodiff.ForwardAccumulator(where, dx) as accumulator:
            out = call_layer(step, {key: where})
        return accumulator.jvp(out)

    dx_x, dx_x0 = at_winner(x), at_winner(x0)
    through_x, through_x0 = winner_shares(dx_x, dx_x0, dy, m)
    return vjp(step, {key: x}, through_x)[0] + vjp(step, {key: x0}, through_x0)[0]


def winner_shares(dx_x: tf.Tensor, dx_x0: tf.Tensor, dy: tf.Tensor, m: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Per window, the multiplier sent to the winner of ``x`` and to the winner of ``x₀``."""
    use_x, use_x0 = tf.abs(dx_x) > RESCALE_BELOW, tf.abs(dx_x0) > RESCALE_BELOW
    through_x = tf.where(use_x, m * tf.math.divide_no_nan(dy, dx_x), tf.where(use_x0, tf.zeros_like(m), m))
    through_x0 = tf.where(use_x | ~use_x0, tf.zeros_like(m), m * tf.math.divide_no_nan(dy, dx_x0))
    return through_x, through_x0


def tiling(step: Step) -> int | None:
    """The window length when max-pooling tiles the signal (no overlap, no padding; global pooling: the
    whole signal, 0), so each position wins at most one window; ``None`` otherwise."""
    layer = step.layer
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        return None
    if isinstance(layer, keras.layers.GlobalMaxPooling1D):
        return 0
    size, stride = int(layer.pool_size[0]), int(layer.strides[0])
    return size if size == stride and layer.padding == "valid" else None


def rescaled_tiles(
    step: Step, x: tf.Tensor, x0: tf.Tensor, dy: tf.Tensor, m: tf.Tensor, size: int
) -> tf.Tensor:
    """:func:`rescaled_max` for tiling windows with the pooling's own gradient: routing ones marks each
    window's winner, a window sum of ``mark · Δx`` is the ``Δx`` at the winner."""
    key = step.inputs[0]

    def routes(where: tf.Tensor) -> Callable[[tf.Tensor], tf.Tensor]:
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(where)
            out = call_layer(step, {key: where})
        return lambda cotangent: tape.gradient(out, where, output_gradients=cotangent)

    def window_sum(values: tf.Tensor) -> tf.Tensor:
        if size == 0:  # global pooling: one window, the whole signal
            summed = tf.reduce_sum(values, axis=1)
        else:
            summed = tf.nn.avg_pool1d(values, size, size, "VALID") * float(size)
        return tf.reshape(summed, tf.shape(m))

    route_x, route_x0 = routes(x), routes(x0)
    dx = x - x0
    ones = tf.ones_like(m)
    dx_x, dx_x0 = window_sum(route_x(ones) * dx), window_sum(route_x0(ones) * dx)
    through_x, through_x0 = winner_shares(dx_x, dx_x0, dy, m)
    return route_x(through_x) + route_x0(through_x0)


def through(
    mode: str,
    function: Callable[[tf.Tensor], tf.Tensor],
    name: str,
    z: tf.Tensor,
    m: tf.Tensor,
    differences: tuple[tf.Tensor, tf.Tensor] | None = None,
) -> tf.Tensor:
    """The multiplier below an elementwise nonlinearity ``function`` at pre-activation ``z``; DeepLIFT gives
    the ``(Δz, Δy)`` of the signal against its reference."""
    relu_like = name in RELU_LIKE
    if mode == "deconvnet" and relu_like:
        return tf.nn.relu(m)
    with tf.GradientTape() as tape:
        tape.watch(z)
        y = function(z)
    gradient = tape.gradient(y, z, output_gradients=tf.nn.relu(m) if mode == "guided" and relu_like else m)
    if differences is None:
        return gradient
    dz, dy = differences
    return tf.where(tf.abs(dz) > RESCALE_BELOW, m * tf.math.divide_no_nan(dy, dz), gradient)
