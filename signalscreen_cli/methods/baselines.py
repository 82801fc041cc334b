"""Reference signals ("baselines") that occlusion, integrated gradients and the evaluation curves use.

The declaration (:class:`BaselineParameters`) is standard library only; numpy is imported where a
baseline is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SignalFileError, UsageError
from ..params import RUN_PANEL, Parameters, param

if TYPE_CHECKING:
    import numpy as np

BASELINES = ("zero", "mean", "dataset-mean", "interp", "blur", "noise")


@dataclass(frozen=True)
class Seeded(Parameters):
    seed: int = param(0, "Seed for every random choice.", panel=RUN_PANEL)


@dataclass(frozen=True)
class BaselineParameters(Seeded):
    """Parameters of a method that replaces the input by a baseline."""

    baselines: str = param(
        "zero",
        "Occlusion / integrated-gradients / DeepLIFT baseline: zero, mean, dataset-mean, interp, blur, noise, a .npy.",
        flags=("--baseline",),
        metavar="KIND|FILE.npy",
    )
    blur_sigma: float = param(5.0, "Gaussian width (samples) of the blur baseline.")

    def check(self) -> None:
        check_baseline_name(self.baselines, "occlusion")
        if self.blur_sigma <= 0:
            raise UsageError(f"--blur-sigma must be positive, not {self.blur_sigma}")

    def data_needs(self) -> frozenset[str]:
        return frozenset({"dataset_mean"}) if self.baselines == "dataset-mean" else frozenset()


def check_baseline_name(kind: str, method: str) -> None:
    """Accept a menu name or a path to a ``.npy`` file; ``interp`` is for occlusion only."""
    if kind not in BASELINES and not kind.endswith(".npy"):
        raise UsageError(f"unknown baseline {kind!r}", "choose from: " + ", ".join(BASELINES) + ", or a .npy file")
    if kind == "interp" and method != "occlusion":
        raise UsageError(f"baseline 'interp' applies to occlusion only, not to {method}")


def make_baseline(
    kind: str,
    x: np.ndarray,
    *,
    dataset_mean: np.ndarray | None = None,
    blur_sigma: float = 5.0,
    seed: int = 0,
) -> np.ndarray:
    """The baseline of each signal of ``x`` ``(n, L, C)``: same shape, float32, per signal.

    ``interp`` depends on the occluded window, so occlusion builds it itself.
    """
    import numpy as np

    from .arrays import signal_rng

    if kind == "zero":
        return np.zeros_like(x)
    if kind == "mean":
        return np.broadcast_to(x.mean(axis=1, keepdims=True), x.shape).astype(np.float32)
    if kind == "dataset-mean":
        if dataset_mean is None:
            raise UsageError("baseline 'dataset-mean' needs the mean signal of the input file")
        return np.broadcast_to(dataset_mean.astype(np.float32), x.shape).copy()
    if kind == "blur":
        from scipy.ndimage import gaussian_filter1d

        return gaussian_filter1d(x, sigma=blur_sigma, axis=1, mode="nearest").astype(np.float32)
    if kind == "noise":
        noise = [signal_rng(seed, signal).standard_normal(signal.shape) * signal.std(axis=0) for signal in x]
        return np.asarray(noise, dtype=np.float32).reshape(x.shape)
    if kind == "interp":
        raise UsageError("baseline 'interp' applies to occlusion only")
    return load_baseline_file(Path(kind), x.shape)


def load_baseline_file(path: Path, shape: tuple[int, ...]) -> np.ndarray:
    """A ``.npy`` baseline of shape ``(L,)`` or ``(L, C)``, the same for every signal, broadcast to ``shape``."""
    import numpy as np

    try:
        values = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise SignalFileError(f"{path}: cannot read baseline ({exc})") from exc
    values = np.asarray(values, dtype=np.float32)
    if values.ndim == 1:
        values = values[:, None]
    try:
        if values.ndim != 2:
            raise ValueError
        return np.broadcast_to(values, shape).copy()
    except ValueError:
        raise SignalFileError(
            f"{path}: baseline of shape {values.shape} does not fit signals of shape {shape}",
            "give one signal, (L,) or (L, C)",
        ) from None
