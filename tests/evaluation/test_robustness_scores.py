"""Sparseness, complexity and the sensitivities: known answers from the papers' definitions on real tiny models."""

import json

import keras
import numpy as np
import pytest
from typer.testing import CliRunner
from zoo import FORMATS, adapter_for, build_linear

from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode
from signalscreen_cli.evaluation.complexity import complexity, sparseness
from signalscreen_cli.evaluation.robustness_stage import RobustnessChunk, robust_key
from signalscreen_cli.evaluation.sensitivity import sensitivity_noise
from signalscreen_cli.methods import get_method
from signalscreen_cli.pipeline.chunks import attribute_chunk
from signalscreen_cli.targets import Target

LENGTH = 12


def test_sparseness_and_complexity_by_hand():
    d = 10
    one_hot, constant = np.zeros((1, d)), np.ones((1, d))
    one_hot[0, 3] = -2.5  # magnitudes: the sign does not matter
    assert sparseness(one_hot)[0] == pytest.approx((d - 1) / d) and sparseness(constant)[0] == pytest.approx(0.0)
    assert complexity(one_hot)[0] == pytest.approx(0.0) and complexity(constant)[0] == pytest.approx(np.log(d))
    assert sparseness(np.array([[1.0, 1, 0, 0]]))[0] == pytest.approx((1 * 1 + 3 * 1) / (4 * 2))
    assert complexity(np.array([[1.0, 1, 0, 0]]))[0] == pytest.approx(np.log(2))
    others = np.random.default_rng(0).random((200, d))
    assert (sparseness(others) <= (d - 1) / d).all() and (complexity(others) >= 0).all()  # one-hot is the extreme
    assert np.isnan(sparseness(np.zeros((1, d)))[0]) and np.isnan(complexity(np.zeros((1, d)))[0])


def _quadratic() -> keras.Model:
    """f(x) = Σ x²: gradient 2x."""
    inputs = keras.Input((LENGTH, 1))
    squared = keras.layers.Multiply()([inputs, inputs])
    dense = keras.layers.Dense(1, use_bias=False, name="sum")
    model = keras.Model(inputs, dense(keras.layers.Flatten()(squared)), name="quadratic")
    dense.set_weights([np.ones((LENGTH, 1), np.float32)])
    return model


def _scores(adapter, method: str, x: np.ndarray, samples: int = 6, radius: float = 0.05) -> dict[str, np.ndarray]:
    cls = get_method(method)
    methods = [cls(cls.Parameters())]
    chunk = attribute_chunk(adapter, methods, x, np.arange(len(x)), Target.parse("0"), "none")
    scored = RobustnessChunk(samples, radius, seed=3)(adapter, methods, chunk)
    return {score: scored.arrays[robust_key(score, method)] for score in ("max_sensitivity", "avg_sensitivity",
            "local_lipschitz")}  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_saliency_of_a_linear_model_has_zero_sensitivity(fmt, tmp_path):
    weights = np.random.default_rng(1).normal(size=(LENGTH, 1))
    adapter = adapter_for(build_linear(LENGTH, 1, weights, np.zeros(1)), fmt, tmp_path)
    x = np.random.default_rng(2).normal(size=(4, LENGTH, 1)).astype(np.float32)
    for score, values in _scores(adapter, "saliency", x).items():
        assert values == pytest.approx(np.zeros(4), abs=1e-6), score


@pytest.mark.parametrize("fmt", FORMATS)
def test_saliency_of_a_quadratic_model_by_hand(fmt, tmp_path):
    adapter = adapter_for(_quadratic(), fmt, tmp_path)
    x = np.random.default_rng(4).uniform(1, 2, (5, LENGTH, 1)).astype(np.float32)  # no sign flips under the noise
    found = _scores(adapter, "saliency", x, samples=6, radius=0.05)
    noise = sensitivity_noise(x, 0.05, 6, 3).astype(np.float64)
    # saliency |2x|: moved by 2δ, so ‖Φ(x+δ) − Φ(x)‖ / ‖Φ(x)‖ = ‖δ‖ / ‖x‖ and the Lipschitz ratio is exactly 2
    ratio = np.linalg.norm(noise.reshape(5, 6, -1), axis=2) / np.linalg.norm(x.reshape(5, -1), axis=1)[:, None]
    np.testing.assert_allclose(found["max_sensitivity"], ratio.max(axis=1), rtol=1e-4)
    np.testing.assert_allclose(found["avg_sensitivity"], ratio.mean(axis=1), rtol=1e-4)
    np.testing.assert_allclose(found["local_lipschitz"], 2.0, rtol=1e-4)


def test_noise_is_seeded_per_signal_and_scaled_to_its_range():
    x = np.random.default_rng(0).normal(size=(3, LENGTH, 2)).astype(np.float32)
    noise = sensitivity_noise(x, 0.1, 4, 0)
    np.testing.assert_array_equal(sensitivity_noise(x[1:2], 0.1, 4, 0)[0], noise[1])  # alone or in a batch
    for signal, drawn in zip(x, noise, strict=True):
        assert np.abs(drawn).max() <= 0.1 * (signal.max() - signal.min())


def test_evaluate_robustness_end_to_end_with_gates_and_chunks(tmp_path):
    weights = np.zeros((LENGTH, 2))
    weights[3, 0] = 1.0
    model = tmp_path / "linear.keras"
    build_linear(LENGTH, 1, weights, np.zeros(2)).save(model)
    data = tmp_path / "x.npy"
    np.save(data, np.random.default_rng(0).normal(size=(5, LENGTH, 1)).astype(np.float32))
    common = ["evaluate", model, data, "-m", "saliency,occlusion", "--window", "3", "--target", "0", "--robustness",
              "--steps", "4", "--sensitivity-samples", "3", "--no-randomization", "--no-plots"]  # fmt: skip
    gate = ["--fail-on", "max-sensitivity=1e-6", "-o", tmp_path / "a"]
    done = CliRunner().invoke(app, [str(a) for a in [*common, *gate]])
    assert done.exit_code == ExitCode.GATE, done.output  # occlusion of a linear model moves with its input
    assert "PASS saliency: mean max_sensitivity <= 1e-06" in done.output
    assert "FAIL occlusion_w3: mean max_sensitivity <= 1e-06" in done.output
    document = json.loads((tmp_path / "a" / "evaluation.json").read_text())["robustness"]
    saliency = document["rows"][0]
    assert saliency["sparseness"] == pytest.approx((LENGTH - 1) / LENGTH) and saliency["complexity"] == pytest.approx(0)
    assert (tmp_path / "a" / "robustness.csv").read_text().startswith("map,method,sparseness,")
    from signalscreen_cli.evaluation.request import EvaluateRequest
    from signalscreen_cli.evaluation.runner import evaluate
    from signalscreen_cli.request import explain_request

    explain = explain_request(model, data, tmp_path / "b", methods=("saliency", "occlusion"), target="0",
                              options={"sliding_window": 3}, plots=False, chunk_size=2)  # fmt: skip
    request = EvaluateRequest(explain=explain, steps=4, randomization=False, plots=False, robustness=True,
                              sensitivity_samples=3)  # fmt: skip
    chunked = evaluate(request).document["robustness"]["per_signal"]
    for name, scores in chunked.items():
        for score, values in scores.items():
            np.testing.assert_allclose(values, document["per_signal"][name][score], rtol=1e-6, err_msg=score)


def test_robustness_gates_need_robustness(tmp_path):
    args = ["evaluate", "m.keras", "x.npy", "--fail-on", "sparseness=0.5", "-o", str(tmp_path / "n")]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == ExitCode.USAGE and "--fail-on sparseness needs --robustness" in done.output
