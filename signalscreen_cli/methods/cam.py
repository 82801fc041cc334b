"""Class-activation-map methods on a 1D convolution layer: Grad-CAM."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Adapter, check_inputs


def upsample_half_pixel(maps: np.ndarray, length: int) -> np.ndarray:
    """Linear resize of ``(n, L')`` maps to ``(n, length)`` with half-pixel centres.

    Output sample ``i`` reads the map at ``(i + 0.5) * L' / length - 0.5``, clamped to the map's ends,
    as ``tf.image.resize`` does.
    """
    source_length = maps.shape[1]
    where = (np.arange(length) + 0.5) * source_length / length - 0.5
    where = np.clip(where, 0, source_length - 1)
    left = np.floor(where).astype(np.int64)
    right = np.minimum(left + 1, source_length - 1)
    frac = (where - left).astype(np.float32)
    return (maps[:, left] * (1 - frac) + maps[:, right] * frac).astype(np.float32)


class GradCAM:
    """Grad-CAM: ``ReLU(Σ_k α_k A_k)`` with ``α_k`` the time-mean of ``∂ logit / ∂A_k``, per sample."""

    name = "gradcam"

    def __init__(self, layer: str | int | None = None, relu: bool = True) -> None:
        self.layer = layer
        self.relu = relu

    def parameters(self) -> dict[str, Any]:
        return {"layer": self.layer, "relu": self.relu}

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        x, targets = check_inputs(x, targets, adapter.n_outputs)
        layer = adapter.resolve_layer(self.layer)
        activations, grads = adapter.layer_activations_and_gradients(x, layer, targets)
        weights = grads.mean(axis=1)
        raw = np.einsum("nlk,nk->nl", activations, weights).astype(np.float32)
        if self.relu:
            raw = np.maximum(raw, 0.0)
        return {"gradcam": upsample_half_pixel(raw, x.shape[1]), "gradcam_raw": raw}
