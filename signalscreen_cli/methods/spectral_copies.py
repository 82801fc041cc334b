"""The perturbed copies of the spectral methods, built as small real matrix products.

Removing a frequency band and inverting a masked short-time Fourier transform are both real-linear maps of
the signal's spectrum, and each touches little of it (a band holds a few FFT bins; an STFT frame covers one
window), so the copies come from products with small precomputed operators instead of one inverse FFT or
one overlap-add loop per copy.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

MASK_BITS = 16
"""FreqRISE's keep probability is rounded to a multiple of ``2**-MASK_BITS``."""


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


def draw_masks(
    seed_of: Callable[[np.ndarray], np.random.Generator],
    x: np.ndarray,
    masks: int,
    cells: tuple[int, int],
    probability: float,
) -> tuple[np.ndarray, float]:
    """Each signal's ``masks`` random keep-masks over ``cells = (T, F)``, ``(n, masks, T, F)`` bool, and the
    probability they were drawn with: ``p`` rounded to a multiple of ``2**-MASK_BITS``.

    A cell is kept when a uniform level below its threshold, the levels drawn as raw bits of the signal's own
    generator (``seed_of(signal)``), little-endian: one bit a cell when the rounded ``p`` is 1/2 (the default;
    64 cells a 64-bit draw), a byte when it is a multiple of 1/256, else 16 bits. The fewest bits that give
    the same probability, instead of a uniform float each: a twentieth of the draws for the default.
    """
    threshold = min(max(round(probability * (1 << MASK_BITS)), 1), (1 << MASK_BITS) - 1)
    bits = next(width for width in (1, 8, MASK_BITS) if threshold % (1 << (MASK_BITS - width)) == 0)
    level_threshold = threshold >> (MASK_BITS - bits)
    count = masks * cells[0] * cells[1]
    drawn = np.empty((len(x), masks, *cells), bool)
    for signal, values in zip(drawn, x, strict=True):
        raw = seed_of(values).bit_generator.random_raw(-(-count * bits // 64))
        octets = raw.astype("<u8", copy=False).view(np.uint8)  # the same stream on any byte order
        if bits == 1:
            levels = np.unpackbits(octets, count=count, bitorder="little")
        else:
            levels = octets.view("<u2" if bits == MASK_BITS else np.uint8)[:count]
        np.less(levels.reshape(signal.shape), level_threshold, out=signal)
    return drawn, threshold / (1 << MASK_BITS)


class MaskedSTFTCopies:
    """Inverse STFTs of one block of masked spectra, as one batched product per signal.

    Frames start every ``hop = window − window // 2`` samples, so a frame spans at most two hops: cut the
    signal into hop-long segments; segment ``j`` is frame ``j``'s first half plus frame ``j − 1``'s second
    half, a product of the masks of those two frames (``2F`` values, adjacent in a frame-major mask array)
    with a ``(2F, hop·C)`` operator of the signal's own spectrum. No overlap-add, no inverse STFT per copy.
    """

    def __init__(self, spectra: np.ndarray, atoms: np.ndarray, starts: np.ndarray, length: int) -> None:
        """``spectra``: the signals' STFTs ``(n, F, C, T)``; ``atoms``, ``starts``: :func:`spectral.stft_atoms`."""
        self.spectra = spectra
        frames, twice_frequencies, window = atoms.shape
        self.frequencies, self.frames, self.channels = twice_frequencies // 2, frames, spectra.shape[2]
        self.hop = hop = window - window // 2
        before = -int(starts[0])  # segment j spans samples [j·hop − before, (j + 1)·hop − before)
        # only the segments the signal overlaps (of T + 1: the padding's may lie wholly outside it)
        self.segments = slice(before // hop, (before + length - 1) // hop + 1)
        if self.segments.stop > frames + 1:
            raise ValueError("the STFT frames do not cover the signal")
        self.crop = slice(before - self.segments.start * hop, before - self.segments.start * hop + length)
        # (T, 2F, 2·hop): an odd window's frames padded with a zero so both halves are a hop long
        self.atoms = np.pad(atoms, ((0, 0), (0, 0), (0, 2 * hop - window)))
        self._kept = self._segments = np.empty((0, 0), np.float32)

    def operators(self, signals: np.ndarray) -> np.ndarray:
        """``(s, segments, 2F, hop·C)`` float32: each segment's operator on the masks of the frame before it
        (second half) and of its own frame (first half)."""
        f, hop = self.frequencies, self.hop
        z = self.spectra[signals]  # (s, F, C, T)
        # what each cell adds to its frame, (s, T, F, 2·hop, C): the real and imaginary parts' atoms
        waves = np.einsum("sfct,tfw->stfwc", z.real, self.atoms[:, :f]) + np.einsum(
            "sfct,tfw->stfwc", z.imag, self.atoms[:, f:]
        )
        operators = np.zeros((len(signals), self.frames + 1, 2 * f, hop, self.channels), np.float32)
        operators[:, 1:, :f] = waves[:, :, :, hop:]  # frame j − 1's second half
        operators[:, :-1, f:] = waves[:, :, :, :hop]  # frame j's first half
        return operators[:, self.segments].reshape(len(signals), -1, 2 * f, hop * self.channels)

    def build(self, masks: np.ndarray, samples: np.ndarray) -> np.ndarray:
        """The copies ``(k, L, C)`` float32 of masks ``(k, T, F)`` bool, copy ``i`` of signal ``samples[i]``
        (each signal's copies consecutive)."""
        k, f, hop, channels = len(masks), self.frequencies, self.hop, self.channels
        count = self.segments.stop - self.segments.start
        if len(self._kept) < k:  # reused from block to block: fresh pages of memory cost more than the work
            self._kept = np.zeros((k, self.frames + 2, f), np.float32)  # a masked-out frame before and after
            self._segments = np.empty((k, count * hop * channels), np.float32)
        kept = self._kept[:k]
        kept[:, 1:-1] = masks
        # frames j − 1 and j of a copy side by side, for each segment j it needs: (k, segments, 2F), a view
        pairs = np.lib.stride_tricks.as_strided(
            kept[:, self.segments.start :], (k, count, 2 * f), kept.strides, writeable=False
        )
        signals, first = np.unique(samples, return_index=True)
        segments = self._segments[:k].reshape(k, count, hop * channels)
        for operator, start, stop in zip(self.operators(signals), first, [*first[1:], k], strict=True):
            np.matmul(pairs[start:stop].transpose(1, 0, 2), operator, out=segments[start:stop].transpose(1, 0, 2))
        return np.ascontiguousarray(segments.reshape(k, count * hop, channels)[:, self.crop])
