"""The Keras adapter: compiled forward and gradient calls, and where the logits are.

This module imports TensorFlow and Keras (quietly); ``model.files`` loads models through it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..errors import ModelFileError
from .batching import auto_batch_size
from .compiled import Compiled, compiled
from .quiet_tf import keras, tf

# isort: split
# graph.py imports Keras itself: after the quiet import above
from .graph import check_steps, find_logits, is_conv
from .heads import choose_head, head_names
from .inputs import Context, check_context, input_roles
from .layer_calls import LayerCalls, Weighting
from .layers import LayerInfo, layer_infos, reads_input, resolve_layer

DEFAULT_BATCH_SIZE = None  # chosen per model by batching.auto_batch_size


class ModelAdapter(LayerCalls):
    """Compiled forward and gradient calls of one Keras model on ``(n, L, C)`` float32 batches.

    Every method of the package calls the model through here; each ``tf.function`` is traced once with a
    fixed input signature and reused for every batch. The calls on one layer's activations (CAM) are
    :class:`layer_calls.LayerCalls`'.
    """

    def __init__(
        self,
        model: keras.Model,
        *,
        batch_size: int | None = DEFAULT_BATCH_SIZE,
        memory_budget: int | None = None,
        jit: bool = False,
        has_layers: bool = True,
        output_steps: tuple[int, int | None] | None = None,
        output: str | int | None = None,
        signal_input: str | None = None,
    ) -> None:
        self.heads = head_names(model)
        model, self.head = choose_head(model, output)  # one head explained (model/heads.py)
        self.roles = input_roles(list(model.inputs), signal_input)  # the signal's input and the others (inputs.py)
        self.signal_input, self.context_inputs = self.roles.signal, self.roles.context
        input_shape = tuple(model.inputs[self.roles.names.index(self.signal_input)].shape[1:])
        output_shape = tuple(model.outputs[0].shape[1:])
        if len(input_shape) not in (1, 2) or len(output_shape) not in (1, 2) or output_shape[-1] is None:
            raise ModelFileError(
                f"model maps {input_shape} to {output_shape}",
                "SignalScreen supports inputs (L,) or (L, C) and outputs (K,) or per step (L', K)",
            )
        self.output_length = output_shape[0] if len(output_shape) == 2 else None
        self.output_steps = check_steps(output_steps, output_shape)
        self.model = model
        self.has_layers = has_layers
        self.jit = jit
        self.takes_channel_axis = len(input_shape) == 2
        self.input_shape: tuple[int | None, int] = (
            (input_shape[0], int(input_shape[1])) if self.takes_channel_axis else (input_shape[0], 1)
        )
        self.n_outputs = int(output_shape[-1])
        if has_layers:
            self.output_activation, self.logit_path, logit_tensor = find_logits(model)
        else:
            self.output_activation, logit_tensor = "unknown", model.outputs[0]
            self.logit_path = "SavedModel output used as is (its layers are not visible)"
        self._logit_model = keras.Model(model.inputs, logit_tensor)
        self.batch_size = batch_size or auto_batch_size(model, memory_budget)
        self._layer_calls_cache: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {}
        self._layer_maps_cache: dict[tuple[str, Weighting, bool], Callable[..., Any]] = {}
        self._default_cam_layer: tuple[str, str] | None = None
        self._input_spec = tf.TensorSpec((None, *self.input_shape), tf.float32)
        self._target_spec = tf.TensorSpec((None,), tf.int32)
        # the other inputs follow as further tensors: one fixed signature however many rows a call has
        self._context_specs = [tf.TensorSpec((None, *c.shape), tf.as_dtype(c.dtype)) for c in self.context_inputs]
        spec, target_spec, context = self._input_spec, self._target_spec, self._context_specs
        self._forward = self._compile(self._forward_impl, spec, *context)
        self._logits = self._compile(self._logits_impl, spec, *context)
        self._gradients = self._compile(self._gradients_impl, spec, target_spec, *context)

    # ---- public calls, numpy in, numpy out, batched ----
    # ``context``: the other inputs' rows (one array per ``context_inputs`` entry, a row per row of ``x``);
    # a model with one input takes none. ``model.context.ContextAdapter`` supplies them to the methods.
    def predict(self, x: np.ndarray, batch_size: int | None = None, context: Context = ()) -> np.ndarray:
        """The model's own outputs (probabilities for softmax/sigmoid heads), shape ``(n, K)``.

        Forward-only callers with many cheap copies (occlusion, Score-CAM) may pass a larger ``batch_size``.
        """
        return self._concat(self._forward(*args).numpy() for args in self._calls(x, None, context, batch_size))

    def logits(self, x: np.ndarray, context: Context = ()) -> np.ndarray:
        """Outputs before the final softmax/sigmoid, shape ``(n, K)``."""
        return self._concat(self._logits(*args).numpy() for args in self._calls(x, None, context))

    def gradients(self, x: np.ndarray, targets: np.ndarray, context: Context = ()) -> tuple[np.ndarray, np.ndarray]:
        """``∂ logit[target] / ∂x`` with shape ``(n, L, C)``, and the logits ``(n, K)``."""
        grads, logits, _ = self.input_gradients(x, targets, context)
        return grads, logits

    def input_gradients(
        self, x: np.ndarray, targets: np.ndarray, context: Context = ()
    ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """As :meth:`gradients`, and ``∂ logit[target]`` with respect to each context input ``(n, *shape)``."""
        parts: list[list[np.ndarray]] = [[] for _ in range(2 + len(self.context_inputs))]
        for args in self._calls(x, targets, context):
            for part, values in zip(parts, self._gradients(*args), strict=True):
                part.append(values.numpy())
        grads, logits, *of_context = (self._concat(part) for part in parts)
        return grads, logits, of_context

    def compiled_calls(self) -> list[Any]:
        """Every ``tf.function`` built so far; their trace counts show whether a call retraced."""
        layer_calls = [call for pair in self._layer_calls_cache.values() for call in pair]
        return [self._forward, self._logits, self._gradients, *layer_calls, *self._layer_maps_cache.values()]

    # ---- layers (model/layers.py) ----
    def layers(self) -> list[LayerInfo]:
        """Top-level layers in order, with output shapes and parameter counts."""
        return layer_infos(self.model)

    def conv_layers(self) -> list[str]:
        """Names of the 1D convolution layers, input side first (of a multi-input model: those that read the
        signal's input)."""
        convs = [layer.name for layer in self.model.layers if is_conv(layer)]
        if not self.context_inputs:
            return convs
        signal = self.model.inputs[self.roles.names.index(self.signal_input)]
        return [name for name in convs if reads_input(self.model, name, signal)]

    def default_cam_layer(self) -> tuple[str, str]:
        """The CAM methods' default layer, the last conv on the main path, and why (``cam_layer.py``)."""
        from .cam_layer import default_cam_layer

        if self._default_cam_layer is None:  # asked at every CAM call; the graph of an adapter's model is fixed
            self._default_cam_layer = default_cam_layer(self.model, self.conv_layers())
        return self._default_cam_layer

    def resolve_layer(self, layer: str | int | None) -> str:
        """The layer a CAM method uses: by default the last conv layer on the main path; a name or index
        overrides."""
        return resolve_layer(self, layer)

    # ---- internals ----
    def _compile(self, function: Callable[..., Any], *signature: tf.TensorSpec) -> Compiled:
        """``function`` compiled for a fixed signature (``model/compiled.py``)."""
        return compiled(function, list(signature), self.jit)

    def _to_model(self, x: tf.Tensor, context: tuple[tf.Tensor, ...] = ()) -> Any:
        """The model's call argument: the signal (its channel axis dropped for an ``(L,)`` input) and, for a
        multi-input model, the context inputs beside it in the model's order."""
        return self.roles.ordered(x if self.takes_channel_axis else x[:, :, 0], context)

    def _forward_impl(self, x: tf.Tensor, *context: tf.Tensor) -> tf.Tensor:
        return self._over_steps(self.model(self._to_model(x, context), training=False))

    def _logits_impl(self, x: tf.Tensor, *context: tf.Tensor) -> tf.Tensor:
        return self._over_steps(self._logit_model(self._to_model(x, context), training=False))

    def _over_steps(self, outputs: tf.Tensor) -> tf.Tensor:
        """A per-step model's outputs ``(n, L', K)`` summed over the target's steps; others as they are."""
        if self.output_steps is None:
            return outputs
        start, stop = self.output_steps
        return tf.reduce_sum(outputs[:, start:stop, :], axis=1)

    def _gradients_impl(self, x: tf.Tensor, target: tf.Tensor, *context: tf.Tensor) -> tuple[tf.Tensor, ...]:
        with tf.GradientTape() as tape:
            tape.watch(x)
            for values in context:
                tape.watch(values)
            logits = self._logits_impl(x, *context)
            chosen = self._target_score(logits, target)
        if not context:
            return tape.gradient(chosen, x), logits
        grads = tape.gradient(chosen, [x, *context], unconnected_gradients=tf.UnconnectedGradients.ZERO)
        return grads[0], logits, *grads[1:]

    def _target_score(self, logits: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
        """The sum over the batch of each signal's target logit: its gradient is each signal's own."""
        return tf.reduce_sum(logits * tf.one_hot(target, self.n_outputs, dtype=logits.dtype))

    def _calls(
        self, x: np.ndarray, targets: np.ndarray | None, context: Context, batch_size: int | None = None
    ) -> Iterator[list[tf.Tensor]]:
        """Each batch's arguments for a compiled call: the signals, the targets if any, the context rows."""
        x = np.asarray(x, dtype=np.float32)
        context = check_context(self.context_inputs, context, len(x))
        size = batch_size or self.batch_size
        for start in range(0, len(x), size):
            rows = slice(start, start + size)
            given = [] if targets is None else [tf.constant(targets[rows], tf.int32)]
            yield [tf.constant(x[rows]), *given, *(tf.constant(values[rows]) for values in context)]

    def _concat(self, parts: Iterator[np.ndarray] | list[np.ndarray]) -> np.ndarray:
        parts = list(parts)
        return np.concatenate(parts) if parts else np.zeros((0, self.n_outputs), np.float32)
