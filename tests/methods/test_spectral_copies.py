"""The spectral methods' copies built as matrix products equal the inverse FFTs and STFTs they replace."""

import numpy as np
import pytest
from scipy import fft
from scipy import signal as sp

from signalscreen_cli.methods.spectral import _stft_options, band_edges, band_weights, stft_atoms
from signalscreen_cli.methods.spectral_copies import (
    MaskedSTFTCopies,
    band_operators,
    band_removed_copies,
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
