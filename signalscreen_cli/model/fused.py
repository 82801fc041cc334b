"""The model's predictions from the same forward pass as a method's gradients: one compiled call, not two.

Saliency, gradient × input and the gradient-weighted CAMs run the model forward to its logits anyway; the
predictions follow from those logits by the output activation, and a signal's ``auto`` target (the most
probable class) from the predictions, inside the same call, before the backward pass. That saves the
separate predictions pass of every chunk and, in a fresh process, the tracing of the forward call.

Only where the predictions are bit for bit what ``ModelAdapter.predict`` gives: the logits are the model's
output (no squashing activation), or a softmax follows them. A sigmoid is left to the separate pass: Keras'
fused Dense + sigmoid differs from a sigmoid on the logits by one float32 ulp (the recurrent zoo model), and
a per-step model's predictions are summed over steps after the activation, not before. Nor for a model with
other inputs beside the signal (``model.context``): its compiled calls take them as further tensors.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

AUTO_TARGET = -1
"""A target entry asking for the signal's most probable class (``Target.select`` of ``auto``)."""

_CALLS: weakref.WeakKeyDictionary[Any, dict[Any, Callable[..., Any]]] = weakref.WeakKeyDictionary()


def fusable(adapter: Any) -> bool:
    """Whether ``adapter``'s predictions can come out of its logit calls unchanged."""
    from .graph import SQUASHING_ACTIVATIONS

    return (
        getattr(adapter, "_logits_impl", None) is not None  # the Keras adapter (a test's fake has no graph)
        and not getattr(adapter, "context_inputs", ())  # a multi-input model's calls take its other inputs too
        and adapter.has_layers
        and adapter.output_steps is None
        and (adapter.output_activation == "softmax" or adapter.output_activation not in SQUASHING_ACTIVATIONS)
    )


def predicted_gradients(
    adapter: Any, x: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Predictions ``(n, K)``, the targets used ``(n,)`` (``AUTO_TARGET`` entries chosen in the call), and
    ``∂ logit[target] / ∂x`` with the logits, as ``ModelAdapter.gradients`` gives them."""
    return _batched(adapter, _compiled(adapter, "gradients", lambda: _gradients_call(adapter)), x, targets)


def predicted_layer_maps(
    adapter: Any, x: np.ndarray, layer: str, targets: np.ndarray, weighting: Any, relu: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Predictions, the targets used, and the class-activation maps as ``ModelAdapter.layer_maps`` gives them
    (at the layer's resolution and resized to the input)."""
    key = ("layer_maps", layer, weighting, relu)
    call = _compiled(adapter, key, lambda: _layer_maps_call(adapter, layer, weighting, relu))
    return _batched(adapter, call, x, targets)


def _compiled(adapter: Any, key: Any, build: Callable[[], Callable[..., Any]]) -> Callable[..., Any]:
    calls = _CALLS.setdefault(adapter, {})
    if key not in calls:
        calls[key] = adapter._compile(build(), adapter._input_spec, adapter._target_spec)
    return calls[key]


def _batched(adapter: Any, call: Callable[..., Any], x: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, ...]:
    from .adapter import tf

    x = np.asarray(x, dtype=np.float32)
    parts: list[tuple[np.ndarray, ...]] = []
    for start in range(0, len(x), adapter.batch_size):
        stop = start + adapter.batch_size
        outputs = call(tf.constant(x[start:stop]), tf.constant(targets[start:stop], tf.int32))
        parts.append(tuple(output.numpy() for output in outputs))
    if not parts:
        raise ValueError("no signals to predict")
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


def _predictions_and_targets(adapter: Any, logits: Any, target: Any) -> tuple[Any, Any]:
    """The model's outputs from its logits, and each signal's target (its argmax where ``AUTO_TARGET``)."""
    from .adapter import keras, tf

    predictions = keras.activations.softmax(logits) if adapter.output_activation == "softmax" else logits
    single = adapter.n_outputs == 1
    chosen = tf.zeros_like(target) if single else tf.argmax(predictions, axis=1, output_type=tf.int32)
    return predictions, tf.stop_gradient(tf.where(target < 0, chosen, target))


def _gradients_call(adapter: Any) -> Callable[..., Any]:
    from .adapter import tf

    def call(x: Any, target: Any) -> tuple[Any, ...]:
        with tf.GradientTape() as tape:
            tape.watch(x)
            logits = adapter._logits_impl(x)
            predictions, chosen = _predictions_and_targets(adapter, logits, target)
            score = adapter._target_score(logits, chosen)
        return predictions, chosen, tape.gradient(score, x), logits

    return call


def _layer_maps_call(adapter: Any, layer: str, weighting: Any, relu: bool) -> Callable[..., Any]:
    """``ModelAdapter.layer_maps``' compiled body with the predictions and targets chosen inside it."""
    from .adapter import tf
    from .layer_calls import weighted_maps

    split = adapter._split(layer)

    def call(x: Any, target: Any) -> tuple[Any, ...]:
        with tf.GradientTape() as tape:
            acts, logits = split(adapter._to_model(x), training=False)
            predictions, chosen = _predictions_and_targets(adapter, logits, target)
            score = adapter._target_score(logits, chosen)
        raw, resized = weighted_maps(acts, tape.gradient(score, acts), weighting, relu, tf.shape(x)[1])
        return predictions, chosen, raw, resized

    return call
