"""Occlusion on the incremental forward path: each copy as its input over the range the model re-reads.

A helper module (``methods.HELPER_MODULES``): the method registry does not import it to list the methods, for
it imports numpy (``signalscreen --help`` imports neither numpy nor TensorFlow).

An occluded copy differs from its signal only inside the window, so occlusion hands the incremental forward
(``incremental.forward``) the copy's input over the range its prefix recomputes, never the whole copy. Where
the path does not apply (no local prefix, the window reaches everywhere, ``--no-incremental``, a fake
adapter) the perturbation engine's full passes run; the path taken is recorded in the manifest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import Adapter
from .perturbation import Build, perturbed_scores
from .windows import interp_fill, window_bounds

FULL_PASSES_ASKED = "full passes (--no-incremental)"


def forward_for(adapter: Adapter, length: int, enabled: bool) -> Any:
    """The adapter's incremental forward for signals of ``length``, or the reason full passes run (a str)."""
    if not enabled:
        return FULL_PASSES_ASKED
    if getattr(adapter, "model", None) is None:  # a fake adapter (tests): no TensorFlow to import
        return "full passes (the adapter exposes no Keras model)"
    if getattr(adapter, "context_inputs", ()):
        return "full passes (the model has other inputs besides the signal)"
    from ..incremental.forward import incremental_forward

    return incremental_forward(adapter, length)


def choose(
    forward: Any,
    adapter: Adapter,
    x: np.ndarray,
    width: int,
    cases: int,
    per_eval: int | None,
    build: Build,
    build_spans: Callable[[slice, np.ndarray, int], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[str, np.ndarray]:
    """``(path taken, every case's target output (cases,))`` for the copies of one window ``width``.

    ``per_eval``: the copies per model call asked for (``None``: each path's default).
    """
    if isinstance(forward, str) or not forward.saves_work(width):
        path = forward if isinstance(forward, str) else f"full passes (window {width} reaches every position)"
        return path, perturbed_scores(adapter, cases, build, x.shape[1:], per_eval=per_eval).reshape(-1)
    outputs = np.empty(cases, np.float32)
    for indices, values in forward.perturbed_outputs(x, width, cases, build_spans, per_eval):
        outputs[indices] = values
    return forward.path, outputs


class OccludedReads:
    """The copies' inputs over the range the incremental forward re-reads, for one window ``width``.

    A copy is ``x[sample]`` with the window of ``width`` centred at ``position`` (in ``channel`` only, if
    given) replaced by the baseline (``None``: straight lines across the window); positions outside the
    signal read as zeros (the first layer's padding). Each copy's span start ``s`` is the first of ``width``
    positions ``[s, s + width)`` covering its (clipped) window. The tables that depend on the position only
    are built once.
    """

    def __init__(
        self, x: np.ndarray, base: np.ndarray | None, positions: np.ndarray, width: int, reads: np.ndarray, size: int
    ) -> None:
        length = x.shape[1]
        starts, stops = window_bounds(length, width)
        self.starts, self.stops = starts[positions], stops[positions]
        self.spans = np.clip(self.starts, 0, length - width).astype(np.int32)
        self.columns = reads[self.spans][:, None] + np.arange(size)[None, :]
        self.occluded = (self.columns >= self.starts[:, None]) & (self.columns < self.stops[:, None])
        # Zero padding on both sides so that every column reads the padded signal directly, at least one
        # position: a zero-filled window's columns read the padded row's first (zero) position.
        self.pad = max(1, -int(self.columns.min()), int(self.columns.max()) - length + 1)
        self.padded = np.pad(x.astype(np.float32), ((0, 0), (self.pad, self.pad), (0, 0)))
        self.zero_fill = base is not None and not base.any()
        padding = ((0, 0), (self.pad, self.pad), (0, 0))
        self.base = None if base is None or self.zero_fill else np.pad(base.astype(np.float32), padding)
        self.x = x
        # Flat indices into the padded rows: int32 where they fit (half the memory traffic of int64).
        index = np.int32 if self.padded.shape[0] * self.padded.shape[1] < 2**31 else np.int64
        self.reads = (self.columns + self.pad).astype(index)
        self.zero_reads = np.where(self.occluded, 0, self.reads).astype(index)
        self.inside = ((self.columns >= 0) & (self.columns < length))[:, :, None]

    def __call__(
        self, samples: np.ndarray, where: np.ndarray, channel: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Span starts ``(m,)`` and inputs ``(m, size, C)`` of the copies ``(samples, positions[where])``."""
        # One flat take over the padded signals' rows, and masks applied by multiplying or copying in
        # place: several times cheaper than indexing two axes and np.where.
        row_starts = (samples * self.padded.shape[1]).astype(self.reads.dtype)[:, None]
        if self.zero_fill and channel is None:
            return self.spans[where], _take_rows(self.padded, row_starts + self.zero_reads[where])
        rows = row_starts + self.reads[where]
        values = _take_rows(self.padded, rows)
        occluded = self.occluded[where][:, :, None]
        if channel is not None:
            occluded = occluded & (np.arange(self.x.shape[2])[None, None, :] == channel[:, None, None])
        if self.zero_fill:
            values *= ~occluded
            return self.spans[where], values
        if self.base is None:
            fill = interp_fill(self.x, samples, self.starts[where], self.stops[where], self.columns[where])
            fill *= self.inside[where]  # the padding stays zero
        else:
            fill = _take_rows(self.base, rows)
        np.copyto(values, np.broadcast_to(fill, values.shape), where=occluded)
        return self.spans[where], values


def _take_rows(padded: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``padded`` ``(n, Lp, C)`` at the flat rows ``rows`` ``(m, size)``: ``(m, size, C)`` float32."""
    channels = padded.shape[2]
    if channels == 1:
        return np.take(padded.ravel(), rows)[:, :, None]
    return np.take(padded.reshape(-1, channels), rows, axis=0)
