"""Band deletion/insertion curves: by hand on a model that reads one band, and through `evaluate`."""

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.evaluation.bands import band_curves, band_ranking
from signalscreen_cli.methods.spectral import SpectralOcclusion, band_edges, band_weights
from tests.methods.test_spectral import LENGTH, band_power_model
from tests.zoo import adapter_for

ROOT = Path(__file__).parents[2]


def test_band_curves_remove_and_restore_the_ranked_bands(tmp_path):
    model = band_power_model()
    adapter = adapter_for(model, "memory", tmp_path)
    x = np.random.default_rng(1).normal(size=(3, LENGTH, 1)).astype(np.float32)
    targets = np.zeros(3, np.int32)
    weights = band_weights(LENGTH, band_edges(LENGTH, 10, "linear"), 0.25)
    found = SpectralOcclusion(bands=10).attribute(adapter, x, targets)["spectral_occlusion"]
    best, worst = band_ranking(found), band_ranking(-found)
    curves = band_curves(adapter, x, targets, weights, {"best": best, "worst": worst}, steps=5)
    assert curves["best"].fractions.tolist() == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    outputs = model.predict_on_batch(x)[:, 0]
    zero = model.predict_on_batch(np.zeros_like(x))[:, 0]
    for name, order in (("best", best), ("worst", worst)):
        curve = curves[name]
        np.testing.assert_allclose(curve.deletion[:, [0, -1]], np.stack([outputs, zero], 1), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(curve.insertion[:, [0, -1]], np.stack([zero, outputs], 1), rtol=1e-5, atol=1e-7)
        spectra = np.fft.rfft(x.astype(np.float64), axis=1)
        for i in range(3):
            kept = weights[order[i, :4]].sum(axis=0)  # step 2 of 5 changes the first 4 of 10 bands
            part = np.fft.irfft(spectra[i] * kept[:, None], n=LENGTH, axis=0)
            by_hand = model.predict_on_batch(np.stack([x[i] - part, part]).astype(np.float32))[:, 0]
            np.testing.assert_allclose([curve.deletion[i, 2], curve.insertion[i, 2]], by_hand, rtol=1e-4, atol=1e-6)
    # the band that carries the output goes first: the output is gone after one step
    assert curves["best"].deletion_auc.max() < 0.5 * curves["worst"].deletion_auc.min()
    assert curves["best"].insertion_auc.min() > 2 * curves["worst"].insertion_auc.max()


def test_evaluate_judges_band_maps_against_a_random_band_order(tmp_path):
    model, data = ROOT / "sample_models/ecg_cnn.keras", ROOT / "sample_data/ecg_beats.npy"
    common = ["-m", "spectral_occlusion,saliency", "--bands", "8", "--samples", "0:6", "--steps", "4", "-q"]
    result = CliRunner().invoke(app, ["evaluate", str(model), str(data), *common, "--fail-on", "random", "-o",
                                      str(tmp_path / "ev"), "--no-randomization"])  # fmt: skip
    assert result.exit_code in (0, 9), result.output
    document = json.loads((tmp_path / "ev" / "evaluation.json").read_text())
    rows = {row["map"]: row for row in document["summary"]}
    assert set(rows) == {"spectral_occlusion", "saliency", "random", "random bands"}
    assert rows["random bands"]["method"] == "random band order (reference)"
    assert document["curves"]["maps"]["spectral_occlusion"]["fractions"] == [0, 0.25, 0.5, 0.75, 1.0]
    explained = CliRunner().invoke(app, ["explain", str(model), str(data), *common, "--no-plots", "-o",
                                         str(tmp_path / "ex")])  # fmt: skip
    assert explained.exit_code == 0, explained.output
    again = CliRunner().invoke(app, ["evaluate", str(model), str(data), "--from", str(tmp_path / "ex"), "--steps", "4",
                                     "-q", "-o", str(tmp_path / "ev2"), "--no-randomization"])  # fmt: skip
    assert again.exit_code == 0, again.output
    stored = {row["map"]: row for row in json.loads((tmp_path / "ev2" / "evaluation.json").read_text())["summary"]}
    for name in ("spectral_occlusion", "random bands"):
        assert abs(stored[name]["deletion_auc"] - rows[name]["deletion_auc"]) < 1e-6
    summary = (tmp_path / "ev" / "summary.md").read_text()
    assert "spectral_occlusion: deletion AUC below the random band order's" in summary
