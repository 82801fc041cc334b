"""One forward and one modified backward pass over the model's graph, compiled once per adapter and rule set.

``propagate(adapter, x, targets, backward, reference)`` returns the input map ``(n, L, C)``, the target's
logit and, for DeepLIFT, the reference's logit, batch by batch through one ``tf.function`` with the adapter's
fixed input signature. Two kinds of backward pass:

- ``lrp``: relevance ``R = logit · onehot(target)`` goes down; linear layers apply their rule
  (``rules.lrp_linear``), elementwise activations and identities pass it on, routes and max-pooling move it
  as their vector-Jacobian product does (winner takes all), averages and sums share it in proportion;
- multipliers (``deeplift``, ``guided``, ``deconvnet``): the gradient of the target's logit, except at the
  nonlinearities: DeepLIFT's Rescale rule ``Δy/Δx`` (the gradient where ``|Δx| < 1e-6``; at max-pooling the
  winner's ``Δy/Δx``, Shrikumar et al. 2017 as Captum does it); guided backprop lets only positive
  multipliers through ReLUs (times the ReLU's own gradient), deconvnet passes ReLU(multiplier) ignoring the
  forward pass. Other activations keep their gradient. The map is the multiplier times ``x − x₀``
  (DeepLIFT) or the multiplier itself.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from ..errors import MethodNotApplicableError
from .composites import Backward, rule_for
from .graph import RELU_LIKE, Step, walk
from .rules import TINY, lrp_linear, stabilize, transpose

RESCALE_BELOW = 1e-6
_compiled: weakref.WeakKeyDictionary[Any, dict[Backward, Callable[..., Any]]] = weakref.WeakKeyDictionary()
_graphs: weakref.WeakKeyDictionary[Any, tuple[list[Step], int, int]] = weakref.WeakKeyDictionary()


def graph_of(adapter: Any) -> tuple[list[Step], int, int]:
    """The adapter's logit graph as steps (walked once); a model without visible layers is refused."""
    if not getattr(adapter, "has_layers", False) or not hasattr(adapter, "_logit_model"):
        raise MethodNotApplicableError(
            "the propagation methods need the model's layers, which this model does not expose",
            "give the .keras/.h5 model, or use saliency, integrated_gradients or occlusion",
        )
    if adapter not in _graphs:
        _graphs[adapter] = walk(adapter._logit_model)
    return _graphs[adapter]


def layer_rules(adapter: Any, backward: Backward) -> dict[str, str]:
    """What the pass applies to each layer, for the manifest."""
    steps, _, _ = graph_of(adapter)
    applied = {}
    for step in steps:
        if step.kind == "linear" and backward.mode == "lrp":
            kind = step.linear.kind if step.linear else "dense"
            text = rule_for(backward, kind, step.first)
        elif step.kind == "linear" and backward.reveal_cancel and step.activation_name != "linear":
            text = f"revealcancel ({step.activation_name})"
        elif step.kind == "linear" or step.kind == "activation":
            text = nonlinearity(backward.mode, step.activation_name)
        elif backward.mode == "lrp":
            text = {"maxpool": "winner takes all", "proportional": "proportional share", "route": "routed"}.get(
                step.kind, "passed on"
            )
        elif step.kind == "maxpool" and backward.mode == "deeplift":
            text = "rescale at the winner"
        else:
            text = "passed on" if step.kind == "identity" else "gradient (linear)"
        applied[step.layer.name] = f"{text}; {step.note}" if step.note else text
    return applied


def nonlinearity(mode: str, name: str) -> str:
    if mode == "lrp" or name == "linear":
        return "linear" if mode != "lrp" else "relevance passed through the activation"
    if mode == "deeplift":
        return f"rescale ({name})"
    if mode in ("guided", "deconvnet") and name in RELU_LIKE:
        return f"{mode} ({name})"
    return f"gradient ({name})"


def propagate(
    adapter: Any,
    x: np.ndarray,
    targets: np.ndarray,
    backward: Backward,
    reference: np.ndarray | None = None,
    bounds: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The input map ``(n, L, C)``, the target logit at ``x`` and at ``reference`` (zeros when not used).

    ``reference`` is DeepLIFT's ``x₀`` (shaped like ``x``, required for it); ``bounds`` the z^B rule's
    ``(low, high)`` per signal, ``(n,)`` each (each signal's minimum and maximum when not given).
    """
    graph_of(adapter)
    extras: tuple[np.ndarray, ...] = ()
    specs = [adapter._input_spec, adapter._target_spec]
    if backward.mode == "deeplift":
        extras, specs = (np.asarray(reference, np.float32),), [*specs, adapter._input_spec]
    elif backward.mode == "lrp":
        low, high = bounds if bounds is not None else (x.min(axis=(1, 2)), x.max(axis=(1, 2)))
        extras = (np.asarray(low, np.float32), np.asarray(high, np.float32))
        specs = [*specs, tf.TensorSpec((None,), tf.float32), tf.TensorSpec((None,), tf.float32)]
    cache = _compiled.setdefault(adapter, {})
    if backward not in cache:
        cache[backward] = tf.function(
            lambda *args: _pass(adapter, backward, *args),
            input_signature=specs,
            autograph=False,
            jit_compile=adapter.jit,
        )
        # Traced exactly once (fixed signature), but TensorFlow counts traces by source line across every
        # adapter: evaluate's randomisation builds one adapter per layer and would be warned of "retracing".
        cache[backward]._omit_frequent_tracing_warning = True
    call = cache[backward]
    maps, logits, references = [], [], []
    for start in range(0, len(x), adapter.batch_size):
        rows = slice(start, start + adapter.batch_size)
        given = [tf.constant(extra[rows]) for extra in extras]
        m, z, z0 = call(tf.constant(x[rows]), tf.constant(targets[rows], tf.int32), *given)
        maps.append(m.numpy())
        logits.append(z.numpy())
        references.append(z0.numpy())
    if not maps:
        return np.zeros_like(x), np.zeros(0, np.float32), np.zeros(0, np.float32)
    return np.concatenate(maps), np.concatenate(logits), np.concatenate(references)


def _pass(
    adapter: Any, backward: Backward, x: tf.Tensor, target: tf.Tensor, *extras: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    steps, input_key, output_key = graph_of(adapter)
    n = tf.shape(x)[0]
    model_in = adapter._to_model(x)
    values, pre = forward(steps, input_key, model_in)
    out = values[output_key]
    mask = target_mask(adapter, out, target)
    chosen = tf.reduce_sum(tf.reshape(out * mask, (n, -1)), axis=1)
    chosen_ref = tf.zeros_like(chosen)
    if backward.mode == "lrp":
        full = [bound[:, None, None] * tf.ones_like(x) for bound in extras]
        low, high = (carried(steps, input_key, adapter._to_model(bound)) for bound in full)
        result = relevance_pass(steps, input_key, output_key, values, pre, out * mask, backward, low, high)
    elif backward.mode == "deeplift":
        # the reference's own forward pass (not one doubled batch: slicing it back apart costs more)
        reference_in = adapter._to_model(extras[0])
        reference = forward(steps, input_key, reference_in)
        chosen_ref = tf.reduce_sum(tf.reshape(reference[0][output_key] * mask, (n, -1)), axis=1)
        result = multiplier_pass(
            steps, input_key, output_key, (values, pre), mask, "deeplift", reference, backward.reveal_cancel
        )
        result = result * (model_in - reference_in)
    else:
        result = multiplier_pass(steps, input_key, output_key, (values, pre), mask, backward.mode)
    if not adapter.takes_channel_axis:
        result = result[:, :, None]
    return result, chosen, chosen_ref


def target_mask(adapter: Any, out: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """One at the target's logit (over its output steps for a per-step model), zero elsewhere."""
    hot = tf.one_hot(target, adapter.n_outputs, dtype=out.dtype)
    if adapter.output_steps is None:
        return hot
    start, stop = adapter.output_steps
    steps = tf.range(tf.shape(out)[1])
    inside = tf.cast((steps >= start) & (steps < (stop if stop is not None else tf.shape(out)[1])), out.dtype)
    return inside[None, :, None] * hot[:, None, :]


def forward(steps: list[Step], input_key: int, x: tf.Tensor) -> tuple[dict[int, tf.Tensor], dict[int, tf.Tensor]]:
    """Every tensor of the graph by key, and each linear step's pre-activation ``z`` by its output key."""
    values, pre = {input_key: x}, {}
    for step in steps:
        if step.kind == "linear":
            kernel, bias = step.linear.weights()
            z = step.linear(values[step.inputs[0]], kernel, bias)
            pre[step.outputs[0]] = z
            values[step.outputs[0]] = z if step.activation is None else step.activation(z)
        else:
            values[step.outputs[0]] = call_layer(step, values)
    return values, pre


def carried(steps: list[Step], input_key: int, tensor: tf.Tensor) -> dict[int, tf.Tensor]:
    """``tensor`` (shaped like the model input) carried through the routes and identities that follow the
    input, so the first linear layers see the z^B bounds in their own input's shape."""
    values = {input_key: tensor}
    for step in steps:
        if step.kind in ("route", "identity") and all(key in values for key in step.inputs):
            values[step.outputs[0]] = call_layer(step, values)
    return values


def call_layer(step: Step, values: dict[int, tf.Tensor]) -> tf.Tensor:
    args, kwargs = step.node.arguments.fill_in(values)
    if isinstance(step.layer, keras.layers.Layer):
        kwargs = {**kwargs, "training": False}
    return step.layer(*args, **kwargs)


def vjp(step: Step, values: dict[int, tf.Tensor], cotangent: tf.Tensor) -> list[tf.Tensor]:
    """The vector-Jacobian product of a layer call with respect to each of its inputs."""
    inputs = [values[key] for key in step.inputs]
    with tf.GradientTape() as tape:
        for tensor in inputs:
            tape.watch(tensor)
        out = call_layer(step, {**values, **dict(zip(step.inputs, inputs, strict=True))})
    grads = tape.gradient(out, inputs, output_gradients=cotangent)
    return [tf.zeros_like(t) if g is None else g for t, g in zip(inputs, grads, strict=True)]


def _add(store: dict[int, tf.Tensor], key: int, value: tf.Tensor) -> None:
    store[key] = store[key] + value if key in store else value


def relevance_pass(
    steps: list[Step],
    input_key: int,
    output_key: int,
    values: dict[int, tf.Tensor],
    pre: dict[int, tf.Tensor],
    start: tf.Tensor,
    backward: Backward,
    low: dict[int, tf.Tensor],
    high: dict[int, tf.Tensor],
) -> tf.Tensor:
    relevance = {output_key: start}
    for step in reversed(steps):
        r = relevance.pop(step.outputs[0], None)
        if r is None:
            continue
        if step.kind == "linear":
            kernel, bias = step.linear.weights()
            rule = rule_for(backward, step.linear.kind, step.first)
            key = step.inputs[0]
            known = (low.get(key), high.get(key), pre[step.outputs[0]], step.nonnegative_input)
            shares = [lrp_linear(rule, backward, step.linear, kernel, bias, values[key], r, *known)]
        elif step.kind in ("activation", "identity"):
            shares = [r]
        elif step.kind in ("route", "maxpool"):
            shares = vjp(step, values, r)
        else:  # proportional: z-rule over the inputs of an average or a sum
            s = r / stabilize(values[step.outputs[0]], TINY)
            shares = [values[key] * g for key, g in zip(step.inputs, vjp(step, values, s), strict=True)]
        for key, share in zip(step.inputs, shares, strict=True):
            _add(relevance, key, share)
    return relevance.get(input_key, tf.zeros_like(values[input_key]))


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
            _add(multipliers, key, share)
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
    x, x0 = values[key], reference[key]
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
