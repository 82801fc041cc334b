"""Reference signals ("baselines") that occlusion and integrated gradients replace the input with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SignalFileError, UsageError
from ..request import BASELINES
from .base import signal_rng


def check_baseline_name(kind: str, method: str = "occlusion") -> None:
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


def baseline_options(request: Any, context: dict[str, Any]) -> dict[str, Any]:
    """The constructor arguments every baseline-using method takes from a request."""
    return {
        "baselines": request.baseline,
        "dataset_mean": context.get("dataset_mean"),
        "seed": request.seed,
        "blur_sigma": request.blur_sigma,
    }


class UsesBaseline:
    """Mixin of methods with ``baselines``, ``dataset_mean``, ``seed`` and ``blur_sigma`` attributes."""

    baselines: str
    dataset_mean: np.ndarray | None
    seed: int
    blur_sigma: float

    def baseline_for(self, x: np.ndarray) -> np.ndarray:
        return make_baseline(
            self.baselines, x, dataset_mean=self.dataset_mean, seed=self.seed, blur_sigma=self.blur_sigma
        )


def load_baseline_file(path: Path, shape: tuple[int, ...]) -> np.ndarray:
    """A ``.npy`` baseline of shape ``(L,)`` or ``(L, C)``, the same for every signal, broadcast to ``shape``."""
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
