"""The model's graph: where its logits are, where a per-step target's steps lie, and a model cut at a layer.

Imported by ``models`` after its quiet TensorFlow import.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import tensorflow as tf

from ..errors import MethodNotApplicableError, UsageError

SQUASHING_ACTIVATIONS = ("softmax", "sigmoid")
CONV_LAYER_TYPES = (
    keras.layers.Conv1D,
    keras.layers.SeparableConv1D,
    keras.layers.DepthwiseConv1D,
    keras.layers.Conv1DTranspose,
)


def check_steps(
    steps: tuple[int, int | None] | None, output_shape: tuple[int | None, ...]
) -> tuple[int, int | None] | None:
    """The output steps a per-step model's target sums over (all when not given); none for a flat output."""
    if len(output_shape) == 1:
        if steps is not None:
            raise MethodNotApplicableError(
                f"--target CLASS@STEPS: the model's output {output_shape} has no step axis",
                "give a class index, auto or all",
            )
        return None
    start, stop = steps or (0, None)
    length = output_shape[0]
    if length is not None and (start >= length or (stop is not None and stop > length)):
        # a bad option, as --target 17 on a 5-class model is: exit 2
        raise UsageError(f"--target steps {start}:{stop} are outside the model's {length} output steps")
    return start, stop


def is_conv(layer: keras.layers.Layer) -> bool:
    return isinstance(layer, CONV_LAYER_TYPES)


def _activation_name(layer: keras.layers.Layer) -> str | None:
    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    activation = layer.get_config().get("activation") if hasattr(layer, "activation") else None
    if isinstance(activation, dict):
        activation = activation.get("config", {}).get("name") or activation.get("class_name")
    return activation if isinstance(activation, str) else None


def find_logits(model: keras.Model) -> tuple[str, str, keras.KerasTensor]:
    """The tensor before the final softmax/sigmoid, and how it was found (recorded in the manifest)."""
    output = model.outputs[0]
    last = output._keras_history.operation
    name = _activation_name(last) or "linear"
    if name not in SQUASHING_ACTIVATIONS:
        return name, f"model output used as is (final activation: {name})", output
    if isinstance(last, (keras.layers.Activation, keras.layers.Softmax)):
        return name, f"cut before the separate {type(last).__name__} layer {last.name!r}", last.input
    twin = type(last).from_config({**last.get_config(), "activation": "linear", "name": f"{last.name}_logits"})
    logits = twin(last.input)
    twin.set_weights(last.get_weights())
    return name, f"last layer {last.name!r} re-applied with a linear activation instead of {name}", logits


def split_at(model: keras.Model, logit_model: keras.Model, layer: str) -> Callable[..., tuple[tf.Tensor, tf.Tensor]]:
    """A call returning (activations of ``layer``, logits) in one pass, so gradients between them exist."""
    if isinstance(model, keras.Sequential):
        # Sub-models cut from a reloaded Sequential can lose the path between a layer and the output,
        # so walk the layers by hand: the activations are then the very tensor the logits depend on.
        layers = list(logit_model.layers)
        layers = [lay for lay in layers if not isinstance(lay, keras.layers.InputLayer)]
        names = [lay.name for lay in layers]
        cut = names.index(layer)

        def sequential_call(x: tf.Tensor, training: bool = False) -> tuple[tf.Tensor, tf.Tensor]:
            activations = x
            for lay in layers[: cut + 1]:
                activations = lay(activations, training=training)
            out = activations
            for lay in layers[cut + 1 :]:
                out = lay(out, training=training)
            return activations, out

        return sequential_call
    joint = keras.Model(model.inputs, [model.get_layer(layer).output, logit_model.outputs[0]])
    return joint
