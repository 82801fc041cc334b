"""How much a map moves when its input moves a little, estimated from seeded noise (Monte Carlo).

For each signal ``x`` the noise is ``N`` draws of ``δ`` uniform in ``[−ρ, ρ]`` at every position and channel,
``ρ = radius × (max x − min x)`` (the signal's own range), drawn from the seed and the signal's values so a
signal gets the same noise alone or in any chunk. ``Φ`` is the method's map for the original target:

* **max-sensitivity** (Yeh et al. 2019): ``max_δ ‖Φ(x + δ) − Φ(x)‖₂ / ‖Φ(x)‖₂``;
* **average sensitivity** (Yeh et al. 2019): the mean of the same ratio over the draws;
* **local Lipschitz estimate** (Alvarez-Melis & Jaakkola 2018): ``max_δ ‖Φ(x + δ) − Φ(x)‖₂ / ‖δ‖₂``.

Lower is more robust. A zero map ``Φ(x)`` leaves the sensitivities undefined (NaN).
"""

from __future__ import annotations

import numpy as np

from ..methods.arrays import signal_rng
from .truth_scores import flat

SENSITIVITY_SCORES = ("max_sensitivity", "avg_sensitivity", "local_lipschitz")


def sensitivity_noise(x: np.ndarray, radius: float, samples: int, seed: int) -> np.ndarray:
    """The draws ``δ`` ``(n, samples, L, C)`` float32 for signals ``x`` ``(n, L, C)``."""
    noise = np.empty((len(x), samples, *x.shape[1:]), np.float32)
    for i, signal in enumerate(x):
        rho = radius * float(signal.max() - signal.min())
        noise[i] = signal_rng(seed + 1, signal).uniform(-rho, rho, (samples, *x.shape[1:]))
    return noise


def sensitivity_scores(original: np.ndarray, perturbed: np.ndarray, noise: np.ndarray) -> dict[str, np.ndarray]:
    """The three scores of maps ``original`` ``(n, ...)`` and of the noisy inputs ``perturbed`` ``(n, N, ...)``."""
    n, samples = noise.shape[:2]
    base = flat(original)
    moved = np.asarray(perturbed, np.float64).reshape(n, samples, -1) - base[:, None, :]
    distance = np.linalg.norm(moved, axis=2)  # (n, N)
    scale = np.linalg.norm(base, axis=1)[:, None]
    ratio = np.where(scale > 0, distance / np.where(scale > 0, scale, 1.0), np.nan)
    step = np.linalg.norm(np.asarray(noise, np.float64).reshape(n, samples, -1), axis=2)
    lipschitz = np.where(step > 0, distance / np.where(step > 0, step, 1.0), 0.0)
    return {
        "max_sensitivity": ratio.max(axis=1),
        "avg_sensitivity": ratio.mean(axis=1),
        "local_lipschitz": lipschitz.max(axis=1),
    }
