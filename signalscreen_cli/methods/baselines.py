"""Reference signals ("baselines") that occlusion, integrated gradients and the evaluation curves use.

The declaration (:class:`BaselineParameters`) is standard library only; numpy is imported where a
baseline is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

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
    """Parameters of a method that replaces the input by a baseline.

    ``user`` names the method in messages; ``window_baselines`` says whether it may use a baseline that
    depends on an occluded window (``interp``).
    """

    user: ClassVar[str] = "this method"
    window_baselines: ClassVar[bool] = False

    baselines: str = param(
        "zero",
        "Occlusion / integrated-gradients / DeepLIFT baseline: zero, mean, dataset-mean, interp, blur, noise, a .npy.",
        flags=("--baseline",),
        metavar="KIND|FILE",
    )
    blur_sigma: float = param(5.0, "Gaussian width (samples) of the blur baseline.")

    def check(self) -> None:
        check_baseline_name(self.baselines, self.user, self.window_baselines)
        if self.blur_sigma <= 0:
            raise UsageError(f"--blur-sigma must be positive, not {self.blur_sigma}")

    def data_needs(self) -> frozenset[str]:
        return frozenset({"dataset_mean"}) if self.baselines == "dataset-mean" else frozenset()

    @property
    def baseline_file(self) -> Path | None:
        """The ``.npy`` file the baseline is read from, if it is one."""
        return Path(self.baselines) if self.baselines.endswith(".npy") else None

    def baseline_of(
        self, x: np.ndarray, dataset_mean: np.ndarray | None = None, from_file: np.ndarray | None = None
    ) -> np.ndarray:
        """The baseline of each signal of ``x``; ``from_file``: the ``.npy`` baseline, already read."""
        if from_file is not None:
            return fit_baseline(from_file, x.shape, self.baselines)
        return make_baseline(self.baselines, x, dataset_mean=dataset_mean, seed=self.seed, blur_sigma=self.blur_sigma)


def check_baseline_name(kind: str, user: str, window_baselines: bool = False) -> None:
    """Accept a menu name or a path to a ``.npy`` file; ``interp`` only where ``window_baselines``."""
    if kind not in BASELINES and not kind.endswith(".npy"):
        raise UsageError(f"unknown baseline {kind!r}", "choose from: " + ", ".join(BASELINES) + ", or a .npy file")
    if kind == "interp" and not window_baselines:
        raise UsageError(f"--baseline interp fills an occluded window: it applies to occlusion only, not to {user}")


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
    check_baseline_name(kind, "make_baseline")
    return fit_baseline(read_baseline_file(Path(kind)), x.shape, kind)


def read_baseline_file(path: Path) -> np.ndarray:
    """A ``.npy`` baseline, float32."""
    import numpy as np

    try:
        return np.asarray(np.load(path, allow_pickle=False), dtype=np.float32)
    except (OSError, ValueError) as exc:
        raise SignalFileError(f"{path}: cannot read baseline ({exc})") from exc


def fit_baseline(values: np.ndarray, shape: tuple[int, ...], path: str) -> np.ndarray:
    """A baseline of shape ``(L,)`` or ``(L, C)``, the same for every signal, broadcast to ``shape``."""
    import numpy as np

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
