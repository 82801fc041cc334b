"""Occlusion sensitivity: how much the target's output drops when a window is replaced by a baseline."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UsageError
from .base import Adapter, Method, batched_rows, check_inputs, perturbation_batch
from .baselines import UsesBaseline, baseline_options, check_baseline_name


def window_bounds(length: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Start (inclusive) and stop (exclusive) of the window of ``width`` centred at each position, clipped."""
    centres = np.arange(length)
    starts = np.clip(centres - (width - 1) // 2, 0, length)
    stops = np.clip(centres + width // 2 + 1, 0, length)
    return starts, stops


def window_masks(length: int, width: int) -> np.ndarray:
    """``(length, length)`` bool: row ``i`` is True over the window centred at ``i``."""
    starts, stops = window_bounds(length, width)
    positions = np.arange(length)
    return (positions[None, :] >= starts[:, None]) & (positions[None, :] < stops[:, None])


def interp_fill(x: np.ndarray, samples: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Straight lines across each window between the samples just outside it, ``(k, L, C)``.

    A window touching one edge is filled with the value on its other side; one covering the whole signal
    with zeros.
    """
    length = x.shape[1]
    has_left, has_right = starts > 0, stops < length
    left = np.where(has_left, starts - 1, np.minimum(stops, length - 1))
    right = np.where(has_right, stops, np.maximum(starts - 1, 0))
    left_values = np.where((has_left | has_right)[:, None], x[samples, left], 0.0)
    right_values = np.where((has_left | has_right)[:, None], x[samples, right], 0.0)
    span = np.maximum(right - left, 1)[:, None]
    frac = np.clip((np.arange(length)[None, :] - left[:, None]) / span, 0.0, 1.0)[:, :, None]
    return (left_values[:, None, :] + (right_values - left_values)[:, None, :] * frac).astype(np.float32)


class Occlusion(UsesBaseline, Method):
    """Occlusion sensitivity with one map per window width.

    Score at position ``i`` = output_c(x) − output_c(x with the window centred at ``i`` replaced by the
    baseline), on the model's own (probability) output. With ``stride`` k only every k-th position (and
    the last) is occluded and the scores between are linearly interpolated. ``occlude_channels="each"``
    occludes one channel at a time and gives each channel its own map. At most
    ``perturbations_per_eval`` occluded copies (default: ``base.perturbation_batch``) exist at once.
    """

    name = "occlusion"

    def __init__(
        self,
        sliding_window: tuple[int, ...] = (15,),
        baselines: str = "zero",
        stride: int = 1,
        occlude_channels: str = "together",
        perturbations_per_eval: int | None = None,
        dataset_mean: np.ndarray | None = None,
        seed: int = 0,
        blur_sigma: float = 5.0,
    ) -> None:
        self.sliding_window = tuple(sliding_window)
        self.baselines = baselines
        self.stride = stride
        self.occlude_channels = occlude_channels
        self.perturbations_per_eval = perturbations_per_eval
        self.dataset_mean = dataset_mean
        self.seed = seed
        self.blur_sigma = blur_sigma

    @classmethod
    def from_request(cls, request: Any, context: dict[str, Any]) -> Method:
        return cls(
            sliding_window=request.windows,
            stride=request.stride,
            occlude_channels=request.occlude_channels,
            **baseline_options(request, context),
        )

    def array_names(self) -> list[str]:
        return [f"occlusion_w{width}" for width in self.sliding_window]

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        x, targets = check_inputs(x, targets, adapter.n_outputs)
        self._check(x.shape[1])
        n, length, channels = x.shape
        reference = adapter.predict(x)[np.arange(n), targets]
        base = None if self.baselines == "interp" else self.baseline_for(x)
        positions = np.unique(np.r_[np.arange(0, length, self.stride), length - 1])
        groups = channels if self.occlude_channels == "each" else 1
        cases = n * len(positions) * groups  # (signal, position, channel group), signal slowest
        per_eval = self.perturbations_per_eval or perturbation_batch(adapter, length, channels)
        out: dict[str, np.ndarray] = {}
        for width, name in zip(self.sliding_window, self.array_names(), strict=True):
            scores = np.empty(cases, dtype=np.float32)
            for rows in batched_rows(cases, per_eval):
                case = np.arange(rows.start, rows.stop)
                samples, rest = np.divmod(case, len(positions) * groups)
                where, group = np.divmod(rest, groups)
                copies = self._occluded(x, base, samples, positions[where], width, group if groups > 1 else None)
                outputs = adapter.predict(copies, batch_size=per_eval)
                scores[rows] = reference[samples] - outputs[np.arange(len(case)), targets[samples]]
            scores = scores.reshape(n, len(positions), groups)
            if len(positions) < length:
                everywhere = np.arange(length)
                scores = np.stack(
                    [np.stack([np.interp(everywhere, positions, s[:, g]) for g in range(groups)], -1) for s in scores]
                ).astype(np.float32)
            out[name] = np.broadcast_to(scores, (n, length, channels)).copy()
        return out

    def _check(self, length: int) -> None:
        for width in self.sliding_window:
            if not 1 <= width <= length:
                raise UsageError(f"--window {width} must be between 1 and the signal length {length}")
        if not 1 <= self.stride <= length:
            raise UsageError(f"--stride {self.stride} must be between 1 and the signal length {length}")
        if self.occlude_channels not in ("together", "each"):
            raise UsageError(f"--occlude-channels must be together or each, not {self.occlude_channels!r}")
        check_baseline_name(self.baselines, self.name)

    @staticmethod
    def _occluded(
        x: np.ndarray,
        base: np.ndarray | None,
        samples: np.ndarray,
        positions: np.ndarray,
        width: int,
        channel: np.ndarray | None = None,
    ) -> np.ndarray:
        """Copies of ``x[samples]`` with the window centred at ``positions`` (in ``channel`` only, if given)
        replaced by the baseline."""
        starts, stops = window_bounds(x.shape[1], width)
        masks = window_masks(x.shape[1], width)[positions][:, :, None]
        if channel is not None:
            masks = masks & (np.arange(x.shape[2])[None, None, :] == channel[:, None, None])
        fill = interp_fill(x, samples, starts[positions], stops[positions]) if base is None else base[samples]
        return np.where(masks, fill, x[samples])
