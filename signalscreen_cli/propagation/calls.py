"""Running the steps of a graph inside a compiled call: the forward pass, one layer call, its
vector-Jacobian product. Imported by the engine only (TensorFlow)."""

from __future__ import annotations

import keras
import tensorflow as tf

from .graph import Step


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


def add(store: dict[int, tf.Tensor], key: int, value: tf.Tensor) -> None:
    store[key] = store[key] + value if key in store else value
