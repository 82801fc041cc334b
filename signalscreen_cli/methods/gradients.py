"""Gradient methods: saliency, gradient × input, integrated gradients and SmoothGrad's family."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ..errors import UsageError
from ..params import param
from .base import Adapter, Method
from .baselines import BaselineParameters
from .context_paths import CONTEXT_BASELINES
from .quadrature import RULES

if TYPE_CHECKING:
    import numpy as np


class _Gradient(Method):
    """The logit's gradient, combined with the input by ``combine``."""

    family = "gradient"

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        from ..model.context import context_attributions, has_context
        from .arrays import check_inputs

        x, targets = check_inputs(x, targets, adapter.n_outputs)
        if has_context(adapter):  # a multi-input model: its other inputs are attributed too
            grads, _, of_context = adapter.input_gradients(x, targets)
            others = context_attributions(self.name, adapter, of_context, self.combine)
            return {self.name: self.combine(grads, x), **others}
        grads, _ = adapter.gradients(x, targets)
        return {self.name: self.combine(grads, x)}

    combine: ClassVar[Callable[[np.ndarray, np.ndarray], np.ndarray]]


class Saliency(_Gradient):
    """|d logit / d input|, one value per sample and channel."""

    name = "saliency"
    paper = "Simonyan et al. 2014, Deep Inside Convolutional Networks"
    combine = staticmethod(lambda grads, x: abs(grads))


class GradientXInput(_Gradient):
    """d logit / d input times the input, signed."""

    name = "gradient_x_input"
    paper = "Shrikumar et al. 2016, Not Just a Black Box"
    combine = staticmethod(operator.mul)


@dataclass(frozen=True)
class IntegratedGradientsParameters(BaselineParameters):
    n_steps: int = param(
        64, "Integrated gradients: path steps (doubled where needed).", flags=("--steps", "--ig-steps"), minimum=2
    )
    method: str = param(
        "clenshawcurtis",
        "Integrated gradients: quadrature rule (nested rules reuse their nodes when steps are doubled).",
        flags=("--ig-method",),
        choices=RULES,
    )
    tolerance: float = param(0.01, "Integrated gradients: completeness gap to reach.", flags=("--ig-tolerance",))
    max_steps: int = param(
        1024, "Integrated gradients: most path steps when doubling.", flags=("--ig-max-steps",), minimum=2
    )
    context_baselines: str = param(
        "zero",
        "Integrated gradients: baseline of a multi-input model's other inputs: zero, or mean (each input's mean "
        "over the data file).",
        flags=("--ig-context-baseline",),
        choices=CONTEXT_BASELINES,
    )

    user: ClassVar[str] = "integrated_gradients"

    def check(self) -> None:
        super().check()
        if self.tolerance <= 0:
            raise UsageError(f"--ig-tolerance must be positive, not {self.tolerance}")
        if self.n_steps > self.max_steps:
            raise UsageError(f"--steps must be between 2 and {self.max_steps}")


class IntegratedGradients(Method):
    """(x - baseline) times the mean gradient on the straight path; sums to F(x) - F(baseline).

    Integrated gradients (Sundararajan et al. 2017): ``(x − x′) ∫₀¹ ∂F(x′ + α(x − x′))/∂x dα`` on the logit.

    Each signal's completeness gap ``|Σ attributions − (F(x) − F(x′))| / |F(x) − F(x′)|`` (absolute where
    ``|F(x) − F(x′)| < 1e-3``) is reported; signals above ``tolerance`` are refined with doubled steps up to
    ``max_steps`` nodes. With a nested rule (Clenshaw–Curtis, the default, or trapezoid) ``n`` nodes become
    ``2n − 1`` and only the new midpoints are evaluated: each evaluated node's gradient is added, once, to
    the running sum of every level whose rule uses it.
    """

    name = "integrated_gradients"
    family = "gradient"
    paper = "Sundararajan et al. 2017, Axiomatic Attribution for Deep Networks"
    diagnostics: ClassVar[tuple[str, ...]] = ("integrated_gradients_delta", "integrated_gradients_steps")
    Parameters = IntegratedGradientsParameters
    params: IntegratedGradientsParameters
    ABSOLUTE_BELOW = 1e-3

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        import numpy as np

        from .arrays import batched_rows, check_inputs
        from .quadrature import refinement_levels

        p = self.params
        x, targets = check_inputs(x, targets, adapter.n_outputs)
        base = p.baseline_of(x, self.dataset_mean, self.baseline_values)
        from ..model.context import has_context

        if has_context(adapter):  # every input on one path (methods/context_paths.py)
            from .context_paths import context_integrated_gradients

            return context_integrated_gradients(self.name, adapter, x, targets, base, p)
        if p.context_baselines != "zero":  # said, not ignored: the user thought the model had other inputs
            raise UsageError(
                f"--ig-context-baseline {p.context_baselines}: the model has no other inputs than the signal",
                "leave it out, or use --baseline for the signal's",
            )
        rows = np.arange(len(x))
        difference = adapter.logits(x)[rows, targets] - adapter.logits(base)[rows, targets]
        levels = refinement_levels(p.n_steps, p.method, p.max_steps if np.isfinite(p.tolerance) else p.n_steps)
        attributions = np.zeros_like(x)
        delta = np.full(len(x), np.inf, np.float32)
        steps = np.zeros(len(x), np.int32)
        pending, carried = rows, np.empty(0)
        for level, points in enumerate(levels.points):
            kept_rows, kept_sums = [], []
            for block in batched_rows(len(pending), max(1, adapter.batch_size // len(levels.fresh[level]))):
                chosen = pending[block]
                grads = self._fresh_gradients(adapter, x, base, targets, chosen, levels.fresh[level])
                sums = np.tensordot(levels.weights[level][0], grads, axes=([0], [1]))
                if level:
                    sums += carried[0, block]
                attributions[chosen] = (x[chosen] - base[chosen]) * sums
                steps[chosen] = points
                gap = np.abs(attributions[chosen].sum(axis=(1, 2)) - difference[chosen])
                scale = np.abs(difference[chosen])
                delta[chosen] = np.where(scale < self.ABSOLUTE_BELOW, gap, gap / np.maximum(scale, self.ABSOLUTE_BELOW))
                unfinished = delta[chosen] > self.tolerance
                kept_rows.append(chosen[unfinished])
                # the later levels' sums only for the signals refined: most signals stop at the first level
                later = np.stack([np.tensordot(w, grads[unfinished], axes=([0], [1])) for w in levels.weights[level]])
                kept_sums.append(later[1:] + carried[1:, block][:, unfinished] if level else later[1:])
            pending = np.concatenate(kept_rows)
            if level + 1 == len(levels.points) or not pending.size:
                break
            carried = np.concatenate(kept_sums, axis=1)
        return {
            "integrated_gradients": attributions,
            "integrated_gradients_delta": delta,
            "integrated_gradients_steps": steps,
        }

    @staticmethod
    def _fresh_gradients(
        adapter: Adapter, x: np.ndarray, base: np.ndarray, targets: np.ndarray, rows: np.ndarray, alphas: np.ndarray
    ) -> np.ndarray:
        """The gradients at the nodes ``alphas`` of ``rows``' paths, shape ``(rows, nodes, L, C)``: each node is
        evaluated once, at the level that first uses it."""
        import numpy as np

        span = (x[rows] - base[rows])[:, None]
        path = base[rows][:, None] + alphas[None, :, None, None] * span
        grads, _ = adapter.gradients(path.reshape(-1, *x.shape[1:]), np.repeat(targets[rows], len(alphas)))
        return grads.reshape(len(rows), len(alphas), *x.shape[1:])
