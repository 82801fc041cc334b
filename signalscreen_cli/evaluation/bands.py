"""Deletion and insertion curves over frequency bands, for band maps (``spectral_occlusion``).

The unit is a band instead of a position: a signal is the sum of its band components (the band weights
sum to 1 at every frequency), so **deletion** subtracts the components of the top-ranked bands a few at a
time until nothing is left (the zero signal), and **insertion** adds them back to the zero signal in the same
order. Bands are ranked by their score summed over channels, highest first; the reference is a random order
of the bands per signal. After ``k`` of ``S = min(steps, B)`` steps the first ``floor(k·B / S)`` bands are
changed; the curve is the target's own output, as for the position curves.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..methods.arrays import signal_rng
from .curves import Curves, gather_curves, step_counts

RANDOM_BANDS = "random bands"


def band_ranking(values: np.ndarray) -> np.ndarray:
    """Bands of each signal, most important first ``(n, B)``: by descending score summed over channels."""
    return np.argsort(-np.asarray(values, np.float64).sum(axis=2), axis=1, kind="stable")


def random_band_ranking(x: np.ndarray, bands: int, seed: int) -> np.ndarray:
    """A random order of ``bands`` bands per signal, drawn from ``seed`` and the signal's own values."""
    return np.stack([signal_rng(seed, signal).permutation(bands) for signal in x]).reshape(len(x), bands)


def band_curves(
    adapter: Any, x: np.ndarray, targets: np.ndarray, weights: np.ndarray, rankings: dict[str, np.ndarray], steps: int
) -> dict[str, Curves]:
    """Deletion and insertion curves of every band ranking ``(n, B)``; ``weights`` ``(B, L // 2 + 1)`` are the
    bands' weights at each real-FFT frequency (``methods.spectral.band_weights``)."""
    n, length, channels = x.shape
    bands = len(weights)
    counts = step_counts(bands, min(steps, bands))
    inner = counts[1:-1]
    names = list(rankings)
    spectra = np.fft.rfft(x.astype(np.float64), axis=1)
    # kept[i, r, s, f]: the weight at frequency f of the bands that ranking r of signal i changes by step s
    taken = (
        np.stack([np.argsort(rankings[name], axis=1) for name in names], axis=1)[:, :, None, :]
        < inner[None, None, :, None]
    )
    per_signal = 2 + 2 * len(names) * len(inner)

    def build(block: slice) -> tuple[np.ndarray, np.ndarray]:
        """Per signal of ``block``: the signal, the zero signal, then (deleted, inserted) per ranking and step."""
        kept = np.einsum("irsb,bf->irsf", taken[block].astype(np.float64), weights)
        removed = np.fft.irfft(spectra[block][:, None, None] * kept[..., None], n=length, axis=3)
        signals = x[block][:, None, None]
        middle = np.stack([signals - removed, removed], axis=1).reshape(len(signals), -1, length, channels)
        ends = np.stack([x[block], np.zeros_like(x[block])], axis=1)
        copies = np.concatenate([ends, middle.astype(np.float32)], axis=1)
        return copies.reshape(-1, length, channels), np.repeat(targets[block], per_signal)

    return gather_curves(adapter, n, build, per_signal, names, counts / bands, (length, channels))


def band_fractions(bands: int, steps: int) -> np.ndarray:
    """The fraction of bands changed after each step of a band curve."""
    return step_counts(bands, min(steps, bands)) / bands
