"""Integrated gradients of a multi-input model: the signal and every other input move along one path.

The path runs from (signal baseline, zero for each other input) to (x, the signal's own other inputs), so the
attributions of all inputs together sum to ``F(x, m) − F(x′, 0)`` (completeness over every input). One
rule of ``n_steps`` nodes; the step doubling of the one-input path (``gradients.py``) is not applied here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


def context_integrated_gradients(
    name: str, adapter: Any, x: np.ndarray, targets: np.ndarray, base: np.ndarray, n_steps: int, rule: str
) -> dict[str, np.ndarray]:
    """``name`` (the signal's map), ``name.INPUT`` for each other input, ``name_delta`` and ``name_steps``."""
    import numpy as np  # here, not at import: the methods package is listed by --help without numpy

    from ..model.context import SEPARATOR
    from .arrays import batched_rows
    from .quadrature import path_rule

    alphas, weights = path_rule(n_steps, rule)
    context = adapter.context
    rows = np.arange(len(x))
    zeros = [np.zeros_like(values) for values in context]
    difference = adapter.logits(x)[rows, targets] - adapter.adapter.logits(base, zeros)[rows, targets]
    signal_sums = np.zeros_like(x)
    context_sums = [np.zeros(values.shape, np.float32) for values in context]
    for block in batched_rows(len(x), max(1, adapter.batch_size // len(alphas))):
        chosen = rows[block]
        span = (x[chosen] - base[chosen])[:, None]
        path = (base[chosen][:, None] + alphas[None, :, None, None] * span).reshape(-1, *x.shape[1:])
        # the other inputs' path from zero: alpha times their values (broadcast over their own axes)
        on_path = [
            (alphas.reshape(1, -1, *[1] * (v.ndim - 1)) * v[chosen][:, None]).reshape(-1, *v.shape[1:])
            for v in context
        ]
        grads, _, of_context = adapter.adapter.input_gradients(path, np.repeat(targets[chosen], len(alphas)), on_path)
        signal_sums[chosen] = np.tensordot(weights, grads.reshape(len(chosen), len(alphas), *x.shape[1:]), ([0], [1]))
        for sums, grad, values in zip(context_sums, of_context, context, strict=True):
            sums[chosen] = np.tensordot(weights, grad.reshape(len(chosen), len(alphas), *values.shape[1:]), ([0], [1]))
    attributions = ((x - base) * signal_sums).astype(np.float32)
    arrays = {name: attributions}
    total = attributions.sum(axis=(1, 2)).astype(np.float64)
    for item, values, sums in zip(adapter.context_inputs, context, context_sums, strict=True):
        arrays[f"{name}{SEPARATOR}{item.name}"] = (values * sums).astype(np.float32)
        total += arrays[f"{name}{SEPARATOR}{item.name}"].reshape(len(x), -1).sum(axis=1)
    gap, scale = np.abs(total - difference), np.abs(difference)
    arrays[f"{name}_delta"] = np.where(scale < 1e-3, gap, gap / np.maximum(scale, 1e-3)).astype(np.float32)
    arrays[f"{name}_steps"] = np.full(len(x), n_steps, np.int32)
    return arrays
