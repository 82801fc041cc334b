"""Occlusion sensitivity: how much the target's output drops when a window is replaced by a baseline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import UsageError
from ..params import PERFORMANCE_PANEL, Parameters, param
from .base import Adapter, Method
from .baselines import BaselineParameters
from .windows import interp_fill, window_bounds, window_masks

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class ChannelParameters(Parameters):
    occlude_channels: str = param(
        "together",
        "Occlusion and spectral occlusion: together, or each (a map per channel).",
        choices=("together", "each"),
    )


@dataclass(frozen=True)
class OcclusionParameters(BaselineParameters, ChannelParameters):
    user: ClassVar[str] = "occlusion"
    window_baselines: ClassVar[bool] = True
    sliding_window: tuple[int, ...] = param(
        (15,), "Occlusion window width(s), repeatable.", flags=("--window", "-w"), minimum=1, metavar="WIDTH"
    )
    stride: int = param(1, "Occlusion: occlude every k-th position, interpolate between.", minimum=1)
    perturbations_per_eval: int | None = param(
        None,
        "Occlusion: occluded copies per model call (default: fits 64 MiB, at most 8 batches).",
        panel=PERFORMANCE_PANEL,
        minimum=1,
    )
    incremental: bool = param(
        True,
        "Occlusion: recompute only what each window changes (same maps); --no-incremental forces full passes.",
        panel=PERFORMANCE_PANEL,
    )


class Occlusion(Method):
    """Drop in the target's output when a window centred at each position is replaced by a baseline.

    Occlusion sensitivity with one map per window width.

    Score at position ``i`` = output_c(x) − output_c(x with the window centred at ``i`` replaced by the
    baseline), on the model's own (probability) output. With ``stride`` k only every k-th position (and
    the last) is occluded and the scores between are linearly interpolated. ``occlude_channels="each"``
    occludes one channel at a time and gives each channel its own map. At most
    ``perturbations_per_eval`` occluded copies (default: ``perturbation.copies_per_call``) exist at once.
    """

    name = "occlusion"
    family = "perturbation"
    paper = "Zeiler & Fergus 2014, Visualizing and Understanding Convolutional Networks"
    Parameters = OcclusionParameters
    params: OcclusionParameters

    def array_names(self) -> list[str]:
        return [f"occlusion_w{width}" for width in self.params.sliding_window]

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        import numpy as np

        from . import occlusion_spans as spans
        from .arrays import check_inputs

        p = self.params
        x, targets = check_inputs(x, targets, adapter.n_outputs)
        self._check(x.shape[1])
        n, length, channels = x.shape
        reference = adapter.predict(x)[np.arange(n), targets]
        base = None if p.baselines == "interp" else p.baseline_of(x, self.dataset_mean, self.baseline_values)
        positions = np.unique(np.r_[np.arange(0, length, p.stride), length - 1])
        groups = channels if p.occlude_channels == "each" else 1
        cases = n * len(positions) * groups  # (signal, position, channel group), signal slowest
        forward = spans.forward_for(adapter, length, p.incremental)
        out: dict[str, np.ndarray] = {}
        self.forward_paths: dict[str, str] = {}
        for width, name in zip(p.sliding_window, self.array_names(), strict=True):

            def build(block: slice, width: int = width) -> tuple[np.ndarray, np.ndarray]:
                samples, rest = np.divmod(np.arange(block.start, block.stop), len(positions) * groups)
                where, group = np.divmod(rest, groups)
                copies = self._occluded(x, base, samples, positions[where], width, group if groups > 1 else None)
                return copies, targets[samples]

            tables: list[spans.OccludedReads] = []

            def build_spans(
                block: slice, reads: np.ndarray, size: int, width: int = width, tables: list = tables
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
                samples, rest = np.divmod(np.arange(block.start, block.stop), len(positions) * groups)
                where, group = np.divmod(rest, groups)
                if not tables:  # built on the first block, once the forward has said what it reads
                    tables.append(spans.OccludedReads(x, base, positions, width, reads, size))
                span_starts, values = tables[0](samples, where, group if groups > 1 else None)
                return samples, span_starts, values, targets[samples]

            per_eval = p.perturbations_per_eval
            path, outputs = spans.choose(forward, adapter, x, width, cases, per_eval, build, build_spans)
            self.forward_paths[name] = path
            scores = reference[:, None, None] - outputs.reshape(n, len(positions), groups)
            if len(positions) < length:
                everywhere = np.arange(length)
                scores = np.stack(
                    [np.stack([np.interp(everywhere, positions, s[:, g]) for g in range(groups)], -1) for s in scores]
                ).astype(np.float32)
            out[name] = np.broadcast_to(scores, (n, length, channels)).copy()
        return out

    def parameters(self) -> dict[str, Any]:
        """The parameters, and after a run which forward path made each map (incremental or full passes)."""
        paths = getattr(self, "forward_paths", None)
        return {**self.params.as_dict(), **({"forward_path": dict(paths)} if paths else {})}

    def _check(self, length: int) -> None:
        for width in self.params.sliding_window:
            if not 1 <= width <= length:
                raise UsageError(f"--window {width} must be between 1 and the signal length {length}")
        if not 1 <= self.params.stride <= length:
            raise UsageError(f"--stride {self.params.stride} must be between 1 and the signal length {length}")

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
        import numpy as np

        starts, stops = window_bounds(x.shape[1], width)
        masks = window_masks(x.shape[1], width)[positions][:, :, None]
        if channel is not None:
            masks = masks & (np.arange(x.shape[2])[None, None, :] == channel[:, None, None])
        fill = interp_fill(x, samples, starts[positions], stops[positions]) if base is None else base[samples]
        return np.where(masks, fill, x[samples])
