"""Finite-difference sensitivity: how much the target logit moves when one sample of one channel is nudged.

``(F(x + h·e) − F(x − h·e)) / 2h`` for every sample and channel ``e``, on the logit, with ``h`` =
``epsilon`` × (max − min) of the signal. A check of the gradient methods that needs no gradient: for a
linear model it is the weights exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from signalscreen_cli.methods.base import Adapter, Method
from signalscreen_cli.params import Parameters, param


@dataclass(frozen=True)
class FiniteDifferenceParameters(Parameters):
    epsilon: float = param(1e-3, "Step as a fraction of the signal's range (max - min).", minimum=1e-9)
    signed: bool = param(True, "Keep the sign; False gives the magnitude, like saliency.")


class FiniteDifference(Method):
    """Central difference of the target logit per sample and channel."""

    name = "finite_difference"
    family = "perturbation"
    paper = "a numerical derivative; cf. Baehrens et al. 2010, How to Explain Individual Classification Decisions"
    Parameters = FiniteDifferenceParameters
    params: FiniteDifferenceParameters

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        x = np.asarray(x, np.float32)
        n, length, channels = x.shape
        positions = length * channels
        out = np.empty((n, positions), np.float32)
        steps = self.params.epsilon * np.maximum(x.max(axis=(1, 2)) - x.min(axis=(1, 2)), 1e-6)
        per_call = max(1, adapter.batch_size // (2 * positions))
        for start in range(0, n, per_call):
            rows = slice(start, min(start + per_call, n))
            signals, h = x[rows], steps[rows]
            nudge = np.eye(positions, dtype=np.float32).reshape(positions, length, channels)
            moved = nudge[None] * h[:, None, None, None]
            copies = np.concatenate([signals[:, None] + moved, signals[:, None] - moved], axis=1)
            logits = adapter.logits(copies.reshape(-1, length, channels)).reshape(len(signals), 2, positions, -1)
            chosen = np.take_along_axis(logits, targets[rows][:, None, None, None], axis=3)[..., 0]
            out[rows] = (chosen[:, 0] - chosen[:, 1]) / (2 * h[:, None])
        values = out.reshape(n, length, channels)
        return {self.name: values if self.params.signed else np.abs(values)}
