"""The incremental occlusion path gives the full-pass maps to float32 round-off, on every zoo model, after a
save/reload in each format, and on models built to cover every layer kind the prefix accepts."""

import json

import keras
import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.incremental.forward import incremental_forward
from signalscreen_cli.methods.occlusion import Occlusion
from tests import zoo

TOLERANCE = 1e-5
"""Largest difference allowed, relative to the larger of the map's largest |score| and the target outputs'
largest magnitude: a score is a difference of two outputs, each rounded to float32 on its own scale."""


def compare(adapter, x, targets, **options):
    """The max relative difference of each incremental map from the full-pass map, and the paths taken."""
    incremental = Occlusion(**options)
    full = Occlusion(incremental=False, **options)
    got, expected = incremental.attribute(adapter, x, targets), full.attribute(adapter, x, targets)
    outputs = np.abs(adapter.predict(x)[np.arange(len(x)), targets]).max()
    differences = {
        name: float(np.abs(got[name] - expected[name]).max() / max(np.abs(expected[name]).max(), outputs))
        for name in expected
    }
    assert set(full.parameters()["forward_path"].values()) == {"full passes (--no-incremental)"}
    return differences, incremental.parameters()["forward_path"]


def signals(length, channels, count=2, seed=0):
    return np.random.default_rng(seed).normal(size=(count, length, channels)).astype(np.float32)


ZOO = {
    "linear": (lambda: zoo.build_linear(24, 2, np.random.default_rng(1).normal(size=(48, 3)), np.zeros(3)), 24, 2),
    "conv_gap_dense": (lambda: zoo.conv_gap_dense(30, 2, 4, 3, 5, seed=0), 30, 2),
    "small_cnn": (lambda: zoo.small_cnn(length=40), 40, 1),
    "residual_cnn": (lambda: zoo.residual_cnn(), 48, 2),
    "recurrent": (lambda: zoo.recurrent_model(), 32, 1),
    "regression_cnn": (lambda: zoo.regression_cnn(), 40, 1),
    "deep_residual": (lambda: zoo.deep_residual_cnn(length=64, outputs=3), 64, 1),
}
FULL_PASS_MODELS = {"linear", "recurrent"}  # Flatten / LSTM see the whole signal at once: no local prefix


@pytest.mark.parametrize("fmt", [".keras", ".h5"])
@pytest.mark.parametrize("name", list(ZOO))
def test_zoo_maps_equal_full_passes(tmp_path, name, fmt):
    build, length, channels = ZOO[name]
    adapter = zoo.adapter_for(build(), fmt, tmp_path, batch_size=16)
    x = signals(length, channels)
    targets = adapter.predict(x).argmax(axis=1)
    differences, paths = compare(adapter, x, targets, sliding_window=(1, 6))
    assert max(differences.values()) <= TOLERANCE, differences
    taken = {path.split(" ")[0] for path in paths.values()}
    assert taken == ({"full"} if name in FULL_PASS_MODELS else {"incremental"}), paths


def every_layer_kind(length=40, channels=2):
    """Strided, dilated, causal and valid convs, separable and depthwise convs, BatchNorm, Dropout,
    LeakyReLU, a 'same' max pool, a valid average pool, Add of local branches, a global max pool head beside
    a Flatten head."""
    keras.utils.set_random_seed(3)
    layers = keras.layers
    inputs = keras.Input((length, channels))
    a = layers.Conv1D(6, 5, strides=2, padding="same", activation="tanh", name="strided")(inputs)
    a = layers.BatchNormalization(name="bn")(a)
    b = layers.Conv1D(6, 3, dilation_rate=2, padding="causal", name="causal")(a)
    b = layers.LeakyReLU(negative_slope=0.1, name="leaky")(b)
    c = layers.SeparableConv1D(6, 3, padding="same", name="separable")(a)
    merged = layers.Add(name="add")([b, c])
    d = layers.DepthwiseConv1D(3, padding="same", name="depthwise")(merged)
    d = layers.MaxPooling1D(3, strides=2, padding="same", name="max_same")(d)
    e = layers.Dropout(0.5, name="drop")(d)
    e = layers.Conv1D(4, 3, padding="valid", activation="relu", name="valid")(e)
    f = layers.AveragePooling1D(2, name="avg_valid")(layers.Conv1D(4, 1, name="pointwise_conv")(d))
    g = layers.GlobalMaxPooling1D(name="gmp")(e)
    h = layers.Dense(3, name="flat_dense")(layers.Flatten(name="flatten")(f))
    logits = layers.Add(name="heads")([layers.Dense(3, name="gmp_dense")(g), h])
    return keras.Model(inputs, layers.Softmax(name="probs")(logits), name="every_layer_kind")


def concatenating(length=36, channels=1):
    """Concatenate of two local branches and a per-step output (the prefix reaches the model's output)."""
    keras.utils.set_random_seed(4)
    layers = keras.layers
    inputs = keras.Input((length, channels))
    a = layers.Conv1D(3, 3, padding="same", activation="relu", name="a")(inputs)
    b = layers.Conv1D(2, 5, padding="same", activation="relu", name="b")(inputs)
    joined = layers.Concatenate(name="concat")([a, b])
    steps = layers.Conv1D(2, 3, padding="same", name="per_step")(joined)
    return keras.Model(inputs, layers.Softmax(name="probs")(steps), name="per_step")


@pytest.mark.parametrize("fmt", ["memory", ".keras"])
@pytest.mark.parametrize(
    "options",
    [
        {"sliding_window": (1, 5, 12)},
        {"sliding_window": (7,), "stride": 3, "baselines": "interp"},
        {"sliding_window": (4,), "occlude_channels": "each", "baselines": "mean"},
        {"sliding_window": (9,), "baselines": "noise", "seed": 2},
    ],
)
def test_every_layer_kind_and_option_equal_full_passes(tmp_path, fmt, options):
    adapter = zoo.adapter_for(every_layer_kind(), fmt, tmp_path, batch_size=8)
    x = signals(40, 2, count=3)
    differences, paths = compare(adapter, x, np.array([0, 1, 2]), **options)
    assert max(differences.values()) <= TOLERANCE, differences
    assert all(path.startswith("incremental") for path in paths.values()), paths


@pytest.mark.parametrize(
    "build, length, channels",
    [(every_layer_kind, 40, 2), (lambda: zoo.conv_gap_dense(30, 2, 4, 3, 5, seed=0), 30, 2)],
    ids=["global_max_pool", "global_average_pool"],
)
def test_copies_in_many_small_calls_equal_full_passes(tmp_path, build, length, channels):
    """Seven copies a call: many blocks, and the edge copies of several blocks gathered into one call."""
    adapter = zoo.adapter_for(build(), "memory", tmp_path, batch_size=8)
    x = signals(length, channels, count=3)
    targets = adapter.predict(x).argmax(axis=1)
    differences, paths = compare(adapter, x, targets, sliding_window=(1, 6), perturbations_per_eval=7)
    assert max(differences.values()) <= TOLERANCE, differences
    assert all(path.startswith("incremental") for path in paths.values()), paths


def test_per_step_output_and_concatenate_equal_full_passes(tmp_path):
    adapter = zoo.adapter_for(concatenating(), ".h5", tmp_path, batch_size=8)
    x = signals(36, 1)
    differences, paths = compare(adapter, x, np.array([0, 1]), sliding_window=(3, 10))
    assert max(differences.values()) <= TOLERANCE, differences
    assert all(path.startswith("incremental") for path in paths.values()), paths


def test_a_window_that_reaches_everywhere_runs_full_passes(tmp_path):
    adapter = zoo.adapter_for(zoo.small_cnn(length=24), "memory", tmp_path)
    x = signals(24, 1)
    differences, paths = compare(adapter, x, np.array([0, 1]), sliding_window=(24,))
    assert max(differences.values()) <= TOLERANCE
    assert paths["occlusion_w24"].startswith("full passes (window 24 reaches every position")


def test_no_incremental_on_the_command_line_and_the_manifest_records_the_path(tmp_path):
    root = zoo.Path(__file__).parents[2]
    model, data = root / "sample_models" / "ecg_cnn.keras", root / "sample_data" / "ecg_beats.npy"
    runs = {}
    for flag in ("--incremental", "--no-incremental"):
        out = tmp_path / flag
        argv = ["explain", model, data, "-o", out, "-m", "occlusion", "--samples", "0:3", "-w", "15", "--no-plots"]
        result = CliRunner().invoke(app, [str(a) for a in [*argv, flag]])
        assert result.exit_code == 0, result.output
        manifest = json.loads((out / "manifest.json").read_text())
        runs[flag] = (np.load(out / "attributions.npz")["occlusion_w15"], manifest)
    paths = {flag: run[1]["arrays"]["occlusion_w15"]["parameters"]["forward_path"] for flag, run in runs.items()}
    assert paths["--incremental"]["occlusion_w15"].startswith("incremental (recomputes conv1…conv2")
    assert paths["--no-incremental"] == {"occlusion_w15": "full passes (--no-incremental)"}
    np.testing.assert_allclose(runs["--incremental"][0], runs["--no-incremental"][0], rtol=0, atol=1e-6)


def test_by_default_full_passes_run_where_the_predicted_gain_is_small(tmp_path, monkeypatch):
    from signalscreen_cli.incremental import forward

    monkeypatch.setattr(forward, "MIN_GAIN", 3.5)
    adapter = zoo.adapter_for(zoo.small_cnn(length=40), "memory", tmp_path, batch_size=16)
    x = signals(40, 1)
    targets = adapter.predict(x).argmax(axis=1)
    path = incremental_forward(adapter, 40)
    gains = {width: path.predicted_gain(width) for width in (1, 20)}
    _, paths = compare(adapter, x, targets, sliding_window=(1, 20))
    for width, gain in gains.items():
        assert paths[f"occlusion_w{width}"].startswith("incremental" if gain >= 3.5 else "full"), (gain, paths)
