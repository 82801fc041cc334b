"""Integrated gradients of a multi-input model: the signal and every other input move along one path.

The path runs from (signal baseline, a baseline for each other input) to (x, the signal's own other inputs), so
the attributions of all inputs together sum to ``F(x, m) − F(x′, m′)`` (completeness over every input). The other
inputs' baseline ``m′`` (``context_baselines``) is zero, or each input's mean row over the data file
(``mean``: as ``dataset-mean`` for the signal, the same for every chunk and shard); an input's attribution is
then ``(m − m′) ⊙`` its mean gradient on the path. Signals
whose completeness gap is above the tolerance are refined by doubling the steps, as on one-input models
(``gradients.py``): a nested rule's evaluated nodes are reused, their gradients carried for every input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import MethodNotApplicableError

if TYPE_CHECKING:
    import numpy as np

    from .quadrature import RefinementLevels

ABSOLUTE_BELOW = 1e-3
CONTEXT_BASELINES = ("zero", "mean")


def context_integrated_gradients(
    name: str, adapter: Any, x: np.ndarray, targets: np.ndarray, base: np.ndarray, params: Any
) -> dict[str, np.ndarray]:
    """``name`` (the signal's map), ``name.INPUT`` for each other input, ``name_delta`` and ``name_steps``."""
    import numpy as np  # here, not at import: the methods package is listed by --help without numpy

    from ..model.context import SEPARATOR
    from .arrays import batched_rows
    from .quadrature import refinement_levels

    finite = np.isfinite(params.tolerance)
    levels = refinement_levels(params.n_steps, params.method, params.max_steps if finite else params.n_steps)
    starts = [base, *context_starts(adapter, params.context_baselines)]
    ends = [x, *adapter.context]
    rows = np.arange(len(x))
    difference = adapter.logits(x)[rows, targets] - adapter.adapter.logits(base, starts[1:])[rows, targets]
    maps = [np.zeros(end.shape, np.float32) for end in ends]
    delta, steps = np.full(len(x), np.inf, np.float32), np.zeros(len(x), np.int32)
    pending, carried = rows, None
    for level, points in enumerate(levels.points):
        kept_rows, kept_sums = [], []
        for block in batched_rows(len(pending), max(1, adapter.batch_size // len(levels.fresh[level]))):
            chosen = pending[block]
            sums = _weighted_gradients(adapter, starts, ends, targets, chosen, levels, level)
            if carried is not None:
                sums = [part + old[:, block] for part, old in zip(sums, carried, strict=True)]
            total = np.zeros(len(chosen))
            for values, start, end, part in zip(maps, starts, ends, sums, strict=True):
                values[chosen] = (end[chosen] - start[chosen]) * part[0]
                total += values[chosen].reshape(len(chosen), -1).sum(axis=1)
            steps[chosen] = points
            gap, scale = np.abs(total - difference[chosen]), np.abs(difference[chosen])
            delta[chosen] = np.where(scale < ABSOLUTE_BELOW, gap, gap / np.maximum(scale, ABSOLUTE_BELOW))
            unfinished = delta[chosen] > params.tolerance
            kept_rows.append(chosen[unfinished])
            kept_sums.append([part[1:, unfinished] for part in sums])
        pending = np.concatenate(kept_rows)
        if level + 1 == len(levels.points) or not pending.size:
            break
        carried = [np.concatenate([kept[k] for kept in kept_sums], axis=1) for k in range(len(ends))]
    arrays = {name: maps[0]}
    for item, values in zip(adapter.context_inputs, maps[1:], strict=True):
        arrays[f"{name}{SEPARATOR}{item.name}"] = values
    return {**arrays, f"{name}_delta": delta, f"{name}_steps": steps}


def context_starts(adapter: Any, kind: str) -> list[np.ndarray]:
    """The other inputs' baselines for the chunk's signals: zero, or each input's mean over the data file."""
    import numpy as np

    if kind == "zero":
        return [np.zeros_like(values) for values in adapter.context]
    if adapter.means is None:  # bound without the file's rows (a caller that has only this chunk)
        raise MethodNotApplicableError(
            "integrated gradients: --ig-context-baseline mean needs the other inputs' mean over the data file",
            "run it through explain or the API, which know every row",
        )
    pairs = zip(adapter.means, adapter.context, strict=True)
    # an integer input's mean is not an integer: the path's points are float32 either way
    return [
        np.broadcast_to(mean, values.shape).astype(np.promote_types(values.dtype, np.float32)) for mean, values in pairs
    ]


def _weighted_gradients(
    adapter: Any,
    starts: list[np.ndarray],
    ends: list[np.ndarray],
    targets: np.ndarray,
    rows: np.ndarray,
    levels: RefinementLevels,
    level: int,
) -> list[np.ndarray]:
    """For each input (the signal first), the gradients at ``level``'s fresh nodes of ``rows``' paths, weighted
    for this and every later level: shape ``(levels left, rows, *input shape)``."""
    import numpy as np

    alphas = levels.fresh[level]
    on_path = []
    for start, end in zip(starts, ends, strict=True):
        scale = alphas.reshape(1, -1, *[1] * (start.ndim - 1))
        point = start[rows][:, None] + scale * (end[rows] - start[rows])[:, None]
        on_path.append(point.reshape(-1, *start.shape[1:]).astype(np.float32))
    grads, _, of_context = adapter.adapter.input_gradients(
        on_path[0], np.repeat(targets[rows], len(alphas)), on_path[1:]
    )
    weighted = []
    for grad, start in zip([grads, *of_context], starts, strict=True):
        grad = grad.reshape(len(rows), len(alphas), *start.shape[1:])
        weighted.append(np.stack([np.tensordot(weights, grad, axes=([0], [1])) for weights in levels.weights[level]]))
    return weighted
