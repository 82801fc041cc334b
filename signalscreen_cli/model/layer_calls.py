"""The adapter's calls on one layer's activations: the activations, their gradients and the class-activation
maps, each compiled once per layer (and weighting) with the adapter's fixed signatures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .quiet_tf import keras, tf

# isort: split
from .graph import split_at  # imports Keras itself: after the quiet import above
from .inputs import Context

# A CAM weighting: (activations, their gradients, an array namespace) -> channel weights (n, K)
Weighting = Callable[[Any, Any, Any], Any]


def weighted_maps(acts: tf.Tensor, grads: tf.Tensor, weighting: Weighting, relu: bool, length: Any) -> tuple[Any, Any]:
    """``Σ_k w_k A_k`` at the layer's resolution ``(n, L')``, ReLU'd when ``relu``, and resized to ``length``
    (linear, half-pixel): the graph of every gradient-weighted CAM call."""
    raw = tf.einsum("nlk,nk->nl", acts, weighting(acts, grads, keras.ops))
    if relu:
        raw = tf.nn.relu(raw)
    resized = tf.image.resize(raw[:, :, None, None], (length, 1), method="bilinear")
    return raw, resized[:, :, 0, 0]


class LayerCalls:
    """Mixed into :class:`adapter.ModelAdapter`, whose model, compiled-call helpers and signatures it uses."""

    model: Any
    _logit_model: Any
    _input_spec: Any
    _target_spec: Any
    _context_specs: list[Any]
    _layer_calls_cache: dict[str, tuple[Callable[..., Any], Callable[..., Any]]]
    _layer_maps_cache: dict[tuple[str, Weighting, bool], Callable[..., Any]]
    _compile: Callable[..., Callable[..., Any]]
    _to_model: Callable[..., Any]
    _target_score: Callable[..., Any]
    _over_steps: Callable[..., Any]
    _calls: Callable[..., Iterator[list[Any]]]
    _concat: Callable[..., np.ndarray]

    def layer_activations_and_gradients(
        self, x: np.ndarray, layer: str, targets: np.ndarray, context: Context = ()
    ) -> tuple[np.ndarray, np.ndarray]:
        """Activations ``A`` of ``layer`` ``(n, L', K)`` and ``∂ logit[target] / ∂A``."""
        call = self._layer_calls(layer)[1]
        acts, grads = [], []
        for args in self._calls(x, targets, context):
            a, g = call(*args)
            acts.append(a.numpy())
            grads.append(g.numpy())
        return self._concat(acts), self._concat(grads)

    def layer_maps(
        self,
        x: np.ndarray,
        layer: str,
        targets: np.ndarray,
        weighting: Weighting,
        relu: bool,
        context: Context = (),
    ) -> tuple[np.ndarray, np.ndarray]:
        """Class-activation maps of ``layer`` at its resolution ``(n, L')`` and resized to the input ``(n, L)``.

        ``Σ_k w_k A_k`` with ``w = weighting(A, ∂ logit[target] / ∂A, keras.ops)`` ``(n, K)``, then ReLU when
        ``relu``, then a linear half-pixel resize: one compiled call per layer and weighting, so the activations
        and gradients never leave the graph.
        """
        key = (layer, weighting, relu)
        if key not in self._layer_maps_cache:
            split = self._split(layer)

            def maps(x: tf.Tensor, target: tf.Tensor, *context: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
                with tf.GradientTape() as tape:
                    acts, logits = split(self._to_model(x, context), training=False)
                    chosen = self._target_score(logits, target)
                return weighted_maps(acts, tape.gradient(chosen, acts), weighting, relu, tf.shape(x)[1])

            self._layer_maps_cache[key] = self._compile(
                maps, self._input_spec, self._target_spec, *self._context_specs
            )
        call = self._layer_maps_cache[key]
        raws, resized = [], []
        for args in self._calls(x, targets, context):
            raw, full = call(*args)
            raws.append(raw.numpy())
            resized.append(full.numpy())
        return self._concat(raws), self._concat(resized)

    def layer_activations(self, x: np.ndarray, layer: str, context: Context = ()) -> np.ndarray:
        """Activations of ``layer``, shape ``(n, L', K)``."""
        call = self._layer_calls(layer)[0]
        return self._concat(call(*args).numpy() for args in self._calls(x, None, context))

    def _split(self, layer: str) -> Callable[..., tuple[tf.Tensor, tf.Tensor]]:
        """A call giving (activations of ``layer``, logits over the target's steps)."""
        joint = split_at(self.model, self._logit_model, layer)

        def split(x: tf.Tensor, training: bool = False) -> tuple[tf.Tensor, tf.Tensor]:
            activations, logits = joint(x, training=training)
            return activations, self._over_steps(logits)

        return split

    def _layer_calls(self, layer: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
        """Compiled (activations) and (activations, gradients) calls for ``layer``, built once per layer."""
        if layer not in self._layer_calls_cache:
            split = self._split(layer)
            spec = self._input_spec

            def activations(x: tf.Tensor, *context: tf.Tensor) -> tf.Tensor:
                return split(self._to_model(x, context), training=False)[0]

            def activations_and_gradients(
                x: tf.Tensor, target: tf.Tensor, *context: tf.Tensor
            ) -> tuple[tf.Tensor, tf.Tensor]:
                with tf.GradientTape() as tape:
                    acts, logits = split(self._to_model(x, context), training=False)
                    chosen = self._target_score(logits, target)
                return acts, tape.gradient(chosen, acts)

            self._layer_calls_cache[layer] = (
                self._compile(activations, spec, *self._context_specs),
                self._compile(activations_and_gradients, spec, self._target_spec, *self._context_specs),
            )
        return self._layer_calls_cache[layer]
