"""A numpy stand-in for the Keras adapter, so method tests run without TensorFlow.

``LinearAdapter`` is the model ``logit_k(x) = Σ_{t,c} w[t, c, k] x[t, c] + b[k]`` with an identity output
(or a softmax): the one model whose attributions are known in closed form. It has no layers, so the layer
(CAM) methods are not applicable to it, as they are not to a Keras model without a convolution.
"""

from __future__ import annotations

import numpy as np

from signalscreen_cli.errors import MethodNotApplicableError


class LinearAdapter:
    """The ``Adapter`` protocol over ``f(x) = w·x + b`` (``w`` of shape ``(L, C, K)``)."""

    def __init__(self, w: np.ndarray, b: np.ndarray, batch_size: int = 8, softmax: bool = False) -> None:
        self.w = np.asarray(w, np.float64)
        self.b = np.asarray(b, np.float64)
        self.batch_size = batch_size
        self.softmax = softmax
        self.n_outputs = self.w.shape[2]
        self.calls = 0

    def logits(self, x: np.ndarray) -> np.ndarray:
        self.calls += 1
        return (np.einsum("nlc,lck->nk", np.asarray(x, np.float64), self.w) + self.b).astype(np.float32)

    def predict(self, x: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        z = self.logits(x).astype(np.float64)
        if not self.softmax:
            return z.astype(np.float32)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)

    def gradients(self, x: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        grads = np.moveaxis(self.w[:, :, np.asarray(targets)], 2, 0).astype(np.float32)
        return grads, self.logits(x)

    def _no_layers(self, *args: object, **kwargs: object) -> np.ndarray:
        raise MethodNotApplicableError("the linear stand-in has no layers")

    layer_activations_and_gradients = layer_maps = layer_activations = resolve_layer = _no_layers
