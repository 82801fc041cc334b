"""Occlusion on the incremental forward path: each copy as its input over the range the model re-reads.

An occluded copy differs from its signal only inside the window, so occlusion hands the incremental forward
(``incremental.forward``) the copy's input over the range its prefix recomputes, never the whole copy. Where
the path does not apply (no local prefix, the window reaches everywhere, ``--no-incremental``, a fake
adapter) the perturbation engine's full passes run; the path taken is recorded in the manifest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..perturbation import Build, perturbed_outputs
from .base import Adapter
from .occlusion import interp_fill, window_bounds

Blocks = Iterator[tuple[slice, np.ndarray]]
FULL_PASSES_ASKED = "full passes (--no-incremental)"


def forward_for(adapter: Adapter, length: int, enabled: bool) -> Any:
    """The adapter's incremental forward for signals of ``length``, or the reason full passes run (a str)."""
    if not enabled:
        return FULL_PASSES_ASKED
    if getattr(adapter, "model", None) is None:  # a fake adapter (tests): no TensorFlow to import
        return "full passes (the adapter exposes no Keras model)"
    from ..incremental.forward import incremental_forward

    return incremental_forward(adapter, length)


def choose(
    forward: Any,
    adapter: Adapter,
    x: np.ndarray,
    width: int,
    cases: int,
    per_eval: int,
    build: Build,
    build_spans: Callable[[slice, np.ndarray, int], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[str, Blocks]:
    """``(path taken, blocks of (cases, target outputs))`` for the copies of one window ``width``."""
    if isinstance(forward, str):
        return forward, perturbed_outputs(adapter, cases, build, per_eval, batch_size=per_eval)
    if not forward.saves_work(width):
        path = f"full passes (window {width} reaches every position of every layer)"
        return path, perturbed_outputs(adapter, cases, build, per_eval, batch_size=per_eval)
    return forward.path, forward.perturbed_outputs(x, width, cases, build_spans, per_eval)


def occluded_reads(
    x: np.ndarray,
    base: np.ndarray | None,
    samples: np.ndarray,
    positions: np.ndarray,
    width: int,
    reads: np.ndarray,
    size: int,
    channel: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each copy's span start and its input over ``reads[span start] + [0, size)``, ``(m, size, C)``.

    The copy is ``x[samples]`` with the window of ``width`` centred at ``positions`` (in ``channel`` only, if
    given) replaced by the baseline (``None``: straight lines across the window); positions outside the
    signal read as zeros (the first layer's padding). The span start ``s`` is the first of ``width``
    positions ``[s, s + width)`` covering the (clipped) window.
    """
    length = x.shape[1]
    starts, stops = window_bounds(length, width)
    starts, stops = starts[positions], stops[positions]
    spans = np.clip(starts, 0, length - width)
    columns = reads[spans][:, None] + np.arange(size)[None, :]
    inside = (columns >= 0) & (columns < length)
    clipped = np.clip(columns, 0, length - 1)
    values = x[samples[:, None], clipped]
    occluded = ((columns >= starts[:, None]) & (columns < stops[:, None]))[:, :, None]
    if channel is not None:
        occluded = occluded & (np.arange(x.shape[2])[None, None, :] == channel[:, None, None])
    fill = interp_fill(x, samples, starts, stops, columns) if base is None else base[samples[:, None], clipped]
    values = np.where(occluded, fill, values)
    return spans.astype(np.int32), np.where(inside[:, :, None], values, 0.0).astype(np.float32)
