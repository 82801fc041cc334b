"""The perturbed copies of the spectral methods, built as small real matrix products.

Removing a frequency band and inverting a masked short-time Fourier transform are both real-linear maps of
the signal's spectrum, and each touches little of it (a band holds a few FFT bins; an STFT frame covers one
window), so the copies come from products with small precomputed operators instead of one inverse FFT or
one overlap-add loop per copy.
"""

from __future__ import annotations

import functools

import numpy as np


@functools.lru_cache(maxsize=8)
def real_inverse_dft(length: int) -> np.ndarray:
    """``(F, 2, L)`` float64: what a real part of 1, then an imaginary part of 1, in each real-FFT bin
    becomes after ``irfft(n=length)`` (whose imaginary parts at 0 and at the Nyquist bin are ignored)."""
    bins = np.arange(length // 2 + 1)
    twice = np.where((bins == 0) | (2 * bins == length), 1.0, 2.0) / length  # a bin and its mirror image
    angle = 2 * np.pi * np.outer(bins, np.arange(length)) / length
    imaginary = -np.sin(angle)
    imaginary[(bins == 0) | (2 * bins == length)] = 0.0
    return np.stack([twice[:, None] * np.cos(angle), twice[:, None] * imaginary], axis=1)


def band_operators(weights: np.ndarray, length: int) -> list[tuple[slice, np.ndarray]]:
    """For each band, the slice of interleaved (real, imaginary) spectrum coefficients it weighs and the
    ``(2·bins, L)`` float32 operator that maps them to the band's component of the signal."""
    inverse = real_inverse_dft(length)
    operators = []
    for band in np.asarray(weights, np.float64):
        inside = np.flatnonzero(band)
        lo, hi = (inside[0], inside[-1] + 1) if len(inside) else (0, 0)
        operator = band[lo:hi, None, None] * inverse[lo:hi]
        operators.append((slice(2 * lo, 2 * hi), operator.reshape(-1, length).astype(np.float32)))
    return operators


def band_removed_copies(
    x: np.ndarray, spectra: np.ndarray, operators: list[tuple[slice, np.ndarray]], each_channel: bool
) -> np.ndarray:
    """``x`` without each band: ``(k, B, G, L, C)`` float32, ``G = C`` with ``each_channel`` (the band removed
    from that channel only), else 1. ``spectra`` is ``rfft(x, axis=1)``, ``(k, F, C)``."""
    k, length, channels = x.shape
    # (k·C, 2F): each signal channel's spectrum as real numbers, a bin's two parts side by side
    coefficients = np.stack([spectra.real, spectra.imag], axis=-1).transpose(0, 2, 1, 3).reshape(k * channels, -1)
    groups = channels if each_channel else 1
    copies = np.empty((k, len(operators), groups, length, channels), np.float32)
    if each_channel:
        copies[...] = x[:, None, None]
    for band, (columns, operator) in enumerate(operators):
        removed = (coefficients[:, columns] @ operator).reshape(k, channels, length)
        if each_channel:
            for channel in range(channels):
                copies[:, band, channel, :, channel] -= removed[:, channel]
        else:
            np.subtract(x, removed.transpose(0, 2, 1), out=copies[:, band, 0])
    return copies
