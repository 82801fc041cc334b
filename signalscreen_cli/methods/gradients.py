"""Gradient methods: saliency."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Adapter, check_inputs


class Saliency:
    """Absolute gradient of the target logit with respect to each input sample and channel."""

    name = "saliency"

    def parameters(self) -> dict[str, Any]:
        return {}

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        x, targets = check_inputs(x, targets, adapter.n_outputs)
        grads, _ = adapter.gradients(x, targets)
        return {"saliency": np.abs(grads)}
