"""Spectral occlusion and FreqRISE against a model that reads one frequency band, and their definitions."""

from pathlib import Path

import keras
import numpy as np
import pytest
from scipy import signal as sp

from signalscreen_cli.methods.spectral import FreqRISE, SpectralOcclusion, band_edges, band_weights
from tests.zoo import adapter_for, small_cnn

LENGTH = 256
PASS = (0.15, 0.2)  # cycles per sample


def band_power_model() -> keras.Model:
    """Output = mean power of the signal through a fixed 41-tap FIR band-pass filter on ``PASS``."""
    taps = sp.firwin(41, PASS, pass_zero=False, fs=1.0).astype(np.float32)
    inputs = keras.Input((LENGTH, 1))
    filtered = keras.layers.Conv1D(1, 41, use_bias=False, name="fir")(inputs)
    power = keras.layers.GlobalAveragePooling1D()(keras.layers.Multiply()([filtered, filtered]))
    model = keras.Model(inputs, power)
    model.get_layer("fir").set_weights([taps[::-1, None, None].copy()])
    return model


@pytest.fixture(scope="module")
def band_power(tmp_path_factory):
    adapter = adapter_for(band_power_model(), ".keras", tmp_path_factory.mktemp("band"))
    x = np.random.default_rng(0).normal(size=(4, LENGTH, 1)).astype(np.float32)
    return adapter, x, np.zeros(4, np.int32)


@pytest.mark.parametrize("scale", ["linear", "log"])
@pytest.mark.parametrize("taper", [0.0, 0.25, 1.0])
def test_band_weights_are_a_partition_of_unity(scale, taper):
    edges = band_edges(187, 24, scale)
    assert edges[0] == 0 and edges[-1] == 0.5 and np.all(np.diff(edges) > 0)
    weights = band_weights(187, edges, taper)
    assert weights.shape == (24, 94) and weights.min() >= -1e-12
    np.testing.assert_allclose(weights.sum(axis=0), 1.0, atol=1e-12)
    frequencies = np.fft.rfftfreq(187)
    middle = (edges[:-1] + edges[1:]) / 2  # a band's weight is 1 well inside it (away from the crossfades)
    for band, centre in enumerate(middle):
        inside = np.abs(frequencies - centre) < (1 - taper) * np.diff(edges)[band] / 2 - 1e-9
        np.testing.assert_allclose(weights[band, inside], 1.0, atol=1e-12)


def test_spectral_occlusion_puts_the_attribution_in_the_filter_band(band_power):
    adapter, x, targets = band_power
    out = SpectralOcclusion(bands=20).attribute(adapter, x, targets)
    scores, edges = out["spectral_occlusion"][:, :, 0], out["spectral_occlusion_edges"]
    assert scores.shape == (4, 20) and edges.shape == (4, 21)
    inside = (edges[0, 1:] > PASS[0]) & (edges[0, :-1] < PASS[1])
    near = (edges[0, 1:] > PASS[0] - 0.025) & (edges[0, :-1] < PASS[1] + 0.025)  # the filter's 41-tap skirts
    share = scores[:, inside].sum(axis=1) / np.abs(scores).sum(axis=1)
    assert share.min() > 0.75  # measured 0.80-0.97
    assert (scores[:, near].sum(axis=1) / np.abs(scores).sum(axis=1)).min() > 0.99


def test_spectral_occlusion_matches_removing_the_band_by_hand(tmp_path):
    model = small_cnn(length=40, channels=2, outputs=3, seed=2)
    adapter = adapter_for(model, ".h5", tmp_path)
    x = np.random.default_rng(3).normal(size=(3, 40, 2)).astype(np.float32)
    targets = np.array([0, 1, 2], np.int32)
    out = SpectralOcclusion(bands=5, band_scale="log", band_taper=0.0, occlude_channels="each").attribute(
        adapter, x, targets
    )
    edges = np.r_[0.0, np.geomspace(1 / 40, 0.5, 5)]
    frequencies = np.fft.rfftfreq(40)
    reference = model.predict_on_batch(x)[np.arange(3), targets]
    for band in range(5):
        hard = (frequencies >= edges[band]) & ((frequencies < edges[band + 1]) | (band == 4))
        for channel in range(2):
            spectrum = np.fft.rfft(x.astype(np.float64), axis=1)
            spectrum[:, hard, channel] = 0
            removed = np.fft.irfft(spectrum, n=40, axis=1).astype(np.float32)
            expected = reference - model.predict_on_batch(removed)[np.arange(3), targets]
            np.testing.assert_allclose(out["spectral_occlusion"][:, band, channel], expected, atol=2e-6)
    np.testing.assert_allclose(out["spectral_occlusion_edges"][0], edges, rtol=1e-6)


def test_edges_are_in_hertz_when_the_sampling_rate_is_known(band_power):
    adapter, x, targets = band_power
    out = SpectralOcclusion(bands=4, sampling_rate=360.0).attribute(adapter, x[:1], targets[:1])
    np.testing.assert_allclose(out["spectral_occlusion_edges"][0], [0, 45, 90, 135, 180])


def test_freqrise_concentrates_on_the_filter_band(band_power):
    adapter, x, targets = band_power
    out = FreqRISE(masks=1000, stft_window=32, seed=1).attribute(adapter, x, targets)
    maps, frequencies = out["freqrise"], out["freqrise_frequencies"][0]
    assert maps.shape == (4, 17, out["freqrise_times"].shape[1])
    profile = np.maximum(maps.mean(axis=2), 0)
    near = (frequencies > PASS[0] - 1 / 32) & (frequencies < PASS[1] + 1 / 32)  # one STFT bin of leakage
    share = profile[:, near].sum(axis=1) / profile.sum(axis=1)
    assert share.min() > 0.7 and near.sum() <= 4  # measured 0.77-0.86 with 1,000 masks
    inside = (frequencies >= PASS[0]) & (frequencies <= PASS[1])
    top = np.argsort(profile, axis=1)[:, -inside.sum() :]
    assert all(set(np.flatnonzero(inside)) == set(row) for row in top)  # the pass-band bins rank first


@pytest.mark.parametrize(("length", "window"), [(48, 16), (50, 15), (37, 8), (40, 40)])
def test_freqrise_is_the_centred_rise_estimator_on_its_own_masks(tmp_path, length, window):
    from signalscreen_cli.methods.arrays import signal_rng

    model = small_cnn(length=length, channels=2, outputs=3, seed=4)
    adapter = adapter_for(model, "memory", tmp_path)
    x = np.random.default_rng(5).normal(size=(2, length, 2)).astype(np.float32)
    targets = np.array([2, 0], np.int32)
    method = FreqRISE(masks=16, stft_window=window, mask_probability=0.4, seed=7)
    out = method.attribute(adapter, x, targets)
    options = {"nperseg": window, "noverlap": window // 2}
    for i in range(2):
        spectra = [sp.stft(x[i, :, c], **options, boundary="zeros", padded=True)[2] for c in range(2)]
        # the mask stream at p = 0.4: 16-bit levels, four to each of the signal's generator's raw 64-bit outputs,
        # frame-major
        shape = spectra[0].shape
        raw = signal_rng(7, x[i]).bit_generator.random_raw(16 * shape[0] * shape[1] // 4 + 1)
        levels = np.frombuffer(raw.astype("<u8").tobytes(), "<u2")[: 16 * shape[0] * shape[1]]
        masks = (levels.reshape(16, shape[1], shape[0]) < round(0.4 * 65536)).transpose(0, 2, 1)
        copies = [
            np.stack([sp.istft(z * mask, **options, boundary=True)[1][:length] for z in spectra], axis=1)
            for mask in masks
        ]  # scipy's inverse STFT, one copy and channel at a time
        outputs = model.predict_on_batch(np.array(copies))[:, targets[i]]
        expected = np.tensordot(outputs - outputs.mean(), masks, axes=1) / (16 * (round(0.4 * 65536) / 65536))
        np.testing.assert_allclose(out["freqrise"][i], expected, rtol=1e-4, atol=1e-6)
    alone = method.attribute(adapter, x[1:], targets[1:])["freqrise"]
    np.testing.assert_allclose(alone[0], out["freqrise"][1], rtol=1e-6)


def test_cli_writes_band_and_time_frequency_maps_with_their_axes_and_plots(tmp_path):
    from typer.testing import CliRunner

    from signalscreen_cli.cli import app
    from signalscreen_cli.results.reader import read_result

    root = Path(__file__).parents[2]
    out = tmp_path / "out"
    args = [
        "explain", str(root / "sample_models/ecg_cnn.keras"), str(root / "sample_data/ecg_beats.npy"),
        "-m", "spectral_occlusion,freqrise,segment_shapley", "--samples", "0:3", "--target", "all",
        "--sampling-rate", "125", "--bands", "8", "--masks", "20", "--segments", "4", "--csv", "-q", "-o", str(out),
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    stored = read_result(out)
    arrays = stored.arrays()
    assert arrays["spectral_occlusion"].shape == (3, 2, 8, 1) and arrays["spectral_occlusion_edges"].shape == (3, 9)
    np.testing.assert_allclose(arrays["spectral_occlusion_edges"][0], np.linspace(0, 62.5, 9), rtol=1e-6)
    assert arrays["freqrise"].shape[:3] == (3, 2, 17) and arrays["freqrise_times"][0, -1] > 1.0  # seconds
    assert arrays["segment_shapley_values"].shape == (3, 2, 4)
    kinds = {name: info["kind"] for name, info in stored.manifest["arrays"].items()}
    assert kinds["spectral_occlusion"] == "band" and kinds["freqrise"] == "time_frequency"
    assert kinds["freqrise_times"] == "axis" and kinds["segment_shapley_values"] == "segment"
    for stem in ("0_spectral_occlusion_0", "2_freqrise_1", "1_segment_shapley_0"):
        assert (out / "plots" / f"{stem}.png").stat().st_size > 10_000
