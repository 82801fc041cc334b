"""Gradient methods: saliency, gradient × input, integrated gradients and SmoothGrad's family."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .base import Adapter, Method, batched_rows, check_inputs, signal_rng
from .baselines import UsesBaseline, baseline_options, check_baseline_name


class Saliency(Method):
    """Absolute gradient of the target logit with respect to each input sample and channel."""

    name = "saliency"

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        x, targets = check_inputs(x, targets, adapter.n_outputs)
        grads, _ = adapter.gradients(x, targets)
        return {"saliency": np.abs(grads)}


class GradientXInput(Method):
    """Signed gradient of the target logit times the input (Shrikumar et al. 2016)."""

    name = "gradient_x_input"

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        x, targets = check_inputs(x, targets, adapter.n_outputs)
        grads, _ = adapter.gradients(x, targets)
        return {"gradient_x_input": grads * x}


def path_rule(n_steps: int, rule: str) -> tuple[np.ndarray, np.ndarray]:
    """Points ``alpha`` in [0, 1] and weights (summing to 1) of a quadrature rule on the straight path."""
    if rule == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(n_steps)
        return ((nodes + 1) / 2).astype(np.float32), (weights / 2).astype(np.float32)
    alphas = np.linspace(0.0, 1.0, n_steps, dtype=np.float32)
    weights = np.full(n_steps, 1.0 / (n_steps - 1), np.float32)
    weights[[0, -1]] /= 2
    return alphas, weights


class IntegratedGradients(UsesBaseline, Method):
    """Integrated gradients (Sundararajan et al. 2017): ``(x − x′) ∫₀¹ ∂F(x′ + α(x − x′))/∂x dα`` on the logit.

    Each signal's completeness gap ``|Σ attributions − (F(x) − F(x′))| / |F(x) − F(x′)|`` (absolute where
    ``|F(x) − F(x′)| < 1e-3``) is reported; signals above ``tolerance`` are recomputed with doubled steps
    up to ``max_steps``.
    """

    name = "integrated_gradients"
    diagnostics: ClassVar[tuple[str, ...]] = ("integrated_gradients_delta", "integrated_gradients_steps")
    ABSOLUTE_BELOW = 1e-3

    def __init__(
        self,
        n_steps: int = 64,
        baselines: str = "zero",
        method: str = "gausslegendre",
        tolerance: float = 0.01,
        max_steps: int = 1024,
        dataset_mean: np.ndarray | None = None,
        seed: int = 0,
        blur_sigma: float = 5.0,
    ) -> None:
        self.n_steps = n_steps
        self.baselines = baselines
        self.method = method
        self.tolerance = tolerance
        self.max_steps = max_steps
        self.dataset_mean = dataset_mean
        self.seed = seed
        self.blur_sigma = blur_sigma

    @classmethod
    def from_request(cls, request: Any, context: dict[str, Any]) -> Method:
        return cls(n_steps=request.steps, tolerance=request.ig_tolerance, **baseline_options(request, context))

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        from ..errors import UsageError

        x, targets = check_inputs(x, targets, adapter.n_outputs)
        check_baseline_name(self.baselines, self.name)
        if self.method not in ("gausslegendre", "trapezoid") or not 2 <= self.n_steps <= self.max_steps:
            raise UsageError(f"--steps must be between 2 and {self.max_steps}, rule gausslegendre or trapezoid")
        base = self.baseline_for(x)
        rows = np.arange(len(x))
        difference = adapter.logits(x)[rows, targets] - adapter.logits(base)[rows, targets]
        attributions = np.zeros_like(x)
        delta = np.full(len(x), np.inf, np.float32)
        steps = np.zeros(len(x), np.int32)
        pending, n_steps = rows, self.n_steps
        while pending.size:
            attributions[pending] = self._integrate(adapter, x[pending], base[pending], targets[pending], n_steps)
            steps[pending] = n_steps
            gap = np.abs(attributions[pending].sum(axis=(1, 2)) - difference[pending])
            scale = np.abs(difference[pending])
            delta[pending] = np.where(scale < self.ABSOLUTE_BELOW, gap, gap / np.maximum(scale, self.ABSOLUTE_BELOW))
            n_steps *= 2
            pending = pending[delta[pending] > self.tolerance] if n_steps <= self.max_steps else pending[:0]
        return {
            "integrated_gradients": attributions,
            "integrated_gradients_delta": delta,
            "integrated_gradients_steps": steps,
        }

    def _integrate(
        self, adapter: Adapter, x: np.ndarray, base: np.ndarray, targets: np.ndarray, n_steps: int
    ) -> np.ndarray:
        alphas, weights = path_rule(n_steps, self.method)
        out = np.empty_like(x)
        per_call = max(1, adapter.batch_size // n_steps)
        for rows in batched_rows(len(x), per_call):
            span = (x[rows] - base[rows])[:, None]
            path = base[rows][:, None] + alphas[None, :, None, None] * span
            grads, _ = adapter.gradients(path.reshape(-1, *x.shape[1:]), np.repeat(targets[rows], n_steps))
            average = np.tensordot(weights, grads.reshape(-1, n_steps, *x.shape[1:]), axes=([0], [1]))
            out[rows] = span[:, 0] * average
        return out


class SmoothGrad(Method):
    """SmoothGrad (Smilkov et al. 2017): the mean logit gradient over noisy copies of each signal.

    Noise is Gaussian with σ = ``noise`` × (max − min) of the signal, drawn from a generator seeded by
    ``seed`` and the signal itself. ``smoothgrad_squared`` averages squared gradients, ``vargrad`` takes
    their variance (Adebayo et al. 2018).
    """

    name = "smoothgrad"
    statistic = "mean"

    def __init__(self, noise_samples: int = 32, noise: float = 0.15, seed: int = 0) -> None:
        self.noise_samples = noise_samples
        self.noise = noise
        self.seed = seed

    @classmethod
    def from_request(cls, request: Any, context: dict[str, Any]) -> Method:
        return cls(noise_samples=request.noise_samples, noise=request.noise, seed=request.seed)

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        from ..errors import UsageError

        x, targets = check_inputs(x, targets, adapter.n_outputs)
        if self.noise_samples < 1 or self.noise < 0:
            raise UsageError("--noise-samples must be >= 1 and --noise >= 0")
        m = self.noise_samples
        out = np.empty_like(x)
        for rows in batched_rows(len(x), max(1, adapter.batch_size // m)):
            noisy = np.concatenate([self._noisy_copies(signal) for signal in x[rows]])
            grads, _ = adapter.gradients(noisy, np.repeat(targets[rows], m))
            grads = grads.reshape(-1, m, *x.shape[1:])
            if self.statistic == "mean":
                out[rows] = grads.mean(axis=1)
            elif self.statistic == "squared":
                out[rows] = (grads**2).mean(axis=1)
            else:
                out[rows] = grads.var(axis=1)
        return {self.name: out}

    def _noisy_copies(self, signal: np.ndarray) -> np.ndarray:
        sigma = self.noise * float(signal.max() - signal.min())
        draws = signal_rng(self.seed, signal).standard_normal((self.noise_samples, *signal.shape))
        return (signal[None] + sigma * draws).astype(np.float32)


class SmoothGradSquared(SmoothGrad):
    """SmoothGrad on squared gradients (Hooker et al. 2019's SG-SQ)."""

    name = "smoothgrad_squared"
    statistic = "squared"


class VarGrad(SmoothGrad):
    """Variance of the gradients over noisy copies (Adebayo et al. 2018)."""

    name = "vargrad"
    statistic = "variance"
