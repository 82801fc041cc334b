"""The spectral methods' copies built as matrix products equal the inverse FFTs and STFTs they replace."""

import functools

import numpy as np
import pytest
from scipy import fft
from scipy import signal as sp

from signalscreen_cli.methods.arrays import signal_rng
from signalscreen_cli.methods.spectral import _stft_options, band_edges, band_weights, stft_atoms
from signalscreen_cli.methods.spectral_copies import (
    MaskedSTFTCopies,
    band_operators,
    band_removed_copies,
    draw_masks,
)


@pytest.mark.parametrize(("length", "channels"), [(187, 1), (40, 2), (33, 3)])
@pytest.mark.parametrize(("bands", "scale", "taper"), [(32, "linear", 0.25), (5, "log", 1.0), (7, "linear", 0.0)])
@pytest.mark.parametrize("each_channel", [False, True])
def test_band_removed_copies_are_the_signal_less_the_inverse_fft_of_the_band(
    length, channels, bands, scale, taper, each_channel
):
    x = np.random.default_rng(length).normal(size=(3, length, channels)).astype(np.float32)
    weights = band_weights(length, band_edges(length, bands, scale), taper)
    copies = band_removed_copies(x, fft.rfft(x, axis=1), band_operators(weights, length), each_channel)
    groups = channels if each_channel else 1
    assert copies.shape == (3, bands, groups, length, channels) and copies.dtype == np.float32
    spectra = np.fft.rfft(x.astype(np.float64), axis=1)
    single = fft.rfft(x, axis=1)  # the per-copy float32 inverse FFTs this replaced
    for band in range(bands):
        exact = np.fft.irfft(spectra * weights[band][None, :, None], n=length, axis=1)
        before = fft.irfft(single * weights[band].astype(np.float32)[None, :, None], n=length, axis=1)
        for group in range(groups):
            removed, old = exact.copy(), before.copy()
            if each_channel:
                removed[..., np.arange(channels) != group] = 0
                old[..., np.arange(channels) != group] = 0
            np.testing.assert_allclose(copies[:, band, group], x - removed, rtol=0, atol=2e-6)
            np.testing.assert_allclose(copies[:, band, group], x - old, rtol=0, atol=2e-6)


@pytest.mark.parametrize(("length", "window"), [(187, 32), (50, 15), (37, 8), (40, 40), (64, 5)])
def test_masked_stft_copies_are_scipy_inverse_stfts_of_the_masked_spectra(length, window):
    channels, masks = 2, 6
    x = np.random.default_rng(window).normal(size=(3, length, channels)).astype(np.float32)
    options = _stft_options(window)
    frequencies, times, spectra = sp.stft(x, axis=1, **options)
    kept = np.random.default_rng(1).random((3, masks, len(times), len(frequencies))) < 0.5
    copies = MaskedSTFTCopies(spectra, *stft_atoms(length, window), length)
    # a block that starts inside signal 0's masks and ends inside signal 2's, as the engine's blocks may
    rows = slice(4, 2 * masks + 3)
    samples = np.arange(3 * masks)[rows] // masks
    built = copies.build(kept.reshape(3 * masks, *kept.shape[2:])[rows], samples)
    assert built.shape == (len(samples), length, channels) and built.dtype == np.float32
    inverse = {"nperseg": window, "noverlap": window // 2, "boundary": True}
    for row, (signal, mask) in enumerate(zip(samples, np.arange(3 * masks)[rows] % masks, strict=True)):
        z = spectra[signal].astype(np.complex128) * kept[signal, mask].T[:, None, :]  # (F, C, T)
        expected = np.stack([sp.istft(z[:, c], **inverse)[1][:length] for c in range(channels)], axis=1)
        np.testing.assert_allclose(built[row], expected, rtol=0, atol=2e-6 * np.abs(x).max())


def replayed_levels(seed: int, signal: np.ndarray, count: int, bits: int) -> np.ndarray:
    """``count`` uniform ``bits``-bit levels from the signal's generator's raw 64-bit draws, least significant
    bits first, by plain integer arithmetic."""
    raw = signal_rng(seed, signal).bit_generator.random_raw(-(-count * bits // 64))
    stream = [(int(word) >> shift) & ((1 << bits) - 1) for word in raw for shift in range(0, 64, bits)]
    return np.array(stream[:count])


@pytest.mark.parametrize(("probability", "bits"), [(0.5, 1), (0.25, 8), (0.75, 8), (0.3, 16), (0.5001, 16)])
def test_masks_are_the_signals_own_draws_below_the_rounded_probability(probability, bits):
    x = np.random.default_rng(0).normal(size=(5, 30, 2)).astype(np.float32)
    seed_of = functools.partial(signal_rng, 3)
    masks, drawn_with = draw_masks(seed_of, x, 400, (7, 9), probability)
    assert masks.shape == (5, 400, 7, 9) and masks.dtype == bool
    threshold = round(probability * 65536)
    assert drawn_with == threshold / 65536
    assert abs(masks.mean() - probability) < 0.01  # 126,000 cells: the standard error is at most 0.0014
    alone, _ = draw_masks(seed_of, x[3:4], 400, (7, 9), probability)
    np.testing.assert_array_equal(alone[0], masks[3])  # a signal's masks do not depend on its batch
    levels = replayed_levels(3, x[1], 400 * 7 * 9, bits)
    np.testing.assert_array_equal(masks[1].ravel(), levels < threshold >> (16 - bits))


def test_mask_probability_is_never_rounded_to_0_or_1():
    seed_of = functools.partial(signal_rng, 3)
    x = np.zeros((1, 8, 1), np.float32)
    assert draw_masks(seed_of, x, 10, (2, 2), 1e-9)[1] == 1 / 65536
    assert draw_masks(seed_of, x, 10, (2, 2), 1 - 1e-9)[1] == 65535 / 65536
