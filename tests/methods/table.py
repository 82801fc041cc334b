"""One table of cheap arguments per method and the known answers on a linear model, for every test that
runs all methods (contract, batch invariance, cross-checks). A method missing here runs with its defaults.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

QUICK: dict[str, dict[str, object]] = {
    "integrated_gradients": {"n_steps": 8, "max_steps": 16},
    "smoothgrad": {"noise_samples": 4},
    "smoothgrad_squared": {"noise_samples": 4},
    "vargrad": {"noise_samples": 4},
    "scorecam": {},
    "segment_shapley": {"segments": 6},
    "spectral_occlusion": {"bands": 6},
    "freqrise": {"masks": 32, "stft_window": 8},
}
"""Arguments that keep each method cheap on the tests' tiny models."""


def quick(name: str) -> dict[str, object]:
    return dict(QUICK.get(name, {}))


Answer = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``answer(w, x)``: the map of ``f(x) = w·x + b`` (``w`` and ``x`` of shape ``(n, L, C)``, ``w`` the target's
weights), with a zero baseline."""

LINEAR_ANSWERS: dict[str, tuple[dict[str, object], str, Answer]] = {
    # name: (arguments, array, answer) — Ancona et al. 2018 and each method's paper, for f linear
    "saliency": ({}, "saliency", lambda w, x: np.abs(w)),
    "gradient_x_input": ({}, "gradient_x_input", lambda w, x: w * x),
    "integrated_gradients": ({"n_steps": 4}, "integrated_gradients", lambda w, x: w * x),
    # channels occluded together: one score per position, the sum over channels
    "occlusion": ({"sliding_window": (1,)}, "occlusion_w1", lambda w, x: np.sum(w * x, 2, keepdims=True) + 0 * w),
    "occlusion_each": ({"sliding_window": (1,), "occlude_channels": "each"}, "occlusion_w1", lambda w, x: w * x),
    "smoothgrad": ({"noise_samples": 5, "noise": 0.3}, "smoothgrad", lambda w, x: w),
    "smoothgrad_squared": ({"noise_samples": 5, "noise": 0.3}, "smoothgrad_squared", lambda w, x: w**2),
    "vargrad": ({"noise_samples": 5, "noise": 0.3}, "vargrad", lambda w, x: np.zeros_like(w)),
}
"""Known answers on ``f(x) = w·x + b`` with an identity output and a zero baseline."""
