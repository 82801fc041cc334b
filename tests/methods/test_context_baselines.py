"""Integrated gradients' baseline of a multi-input model's other inputs (``--ig-context-baseline``).

Known answer from the definition (Sundararajan et al. 2017): on ``f(x, m) = w·x + v·m`` the path from
``(0, b)`` to ``(x, m)`` gives ``w ⊙ x`` for the signal and ``v ⊙ (m − b)`` for the other input, summing to
``f(x, m) − f(0, b)``; with ``mean`` the baseline ``b`` is the mean row of ``m`` over the whole data file,
whatever the chunk or the rows explained.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli import api
from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode
from tests.zoo import linear_two_input

L, C, F, K = 8, 2, 3, 2
RNG = np.random.default_rng(5)
W = RNG.normal(size=(L * C, K)).astype(np.float32)
V = RNG.normal(size=(F, K)).astype(np.float32)
X = RNG.normal(size=(6, L, C)).astype(np.float32)
M = (RNG.normal(size=(6, F)) + np.array([3.0, -2.0, 0.5])).astype(np.float32)  # a mean far from zero
TARGET = 1


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("kind", ["zero", "mean"])
def test_integrated_gradients_of_the_other_input_is_v_times_m_minus_its_baseline(kind):
    held = api.explain(
        linear_two_input(L, C, W, V), {"ecg": X, "meta": M}, methods=("integrated_gradients",),
        target=str(TARGET), steps=8, context_baselines=kind,
    )  # fmt: skip
    b = M.mean(axis=0) if kind == "mean" else np.zeros(F, np.float32)
    v, w = V[:, TARGET], W[:, TARGET].reshape(L, C)
    np.testing.assert_allclose(held.arrays["integrated_gradients.meta"], v * (M - b), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(held.arrays["integrated_gradients"], w * X, rtol=1e-4, atol=1e-5)
    assert held.arrays["integrated_gradients_delta"].max() < 1e-4  # completeness: f(x, m) − f(0, b)


def test_the_cli_takes_the_mean_over_the_whole_file_and_records_it(tmp_path):
    linear_two_input(L, C, W, V).save(tmp_path / "linear.h5")
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "meta.npy", M)
    common = ("--input", f"meta={tmp_path / 'meta.npy'}", "-m", "integrated_gradients", "--target", TARGET)
    result = invoke(
        "explain", tmp_path / "linear.h5", tmp_path / "x.npy", *common, "--ig-context-baseline", "mean",
        "--chunk-size", "2", "--no-plots", "-q", "-o", tmp_path / "out",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    stored = np.load(tmp_path / "out" / "attributions.npz")
    expected = V[:, TARGET] * (M - M.mean(axis=0))  # the file's mean, not each chunk of two rows'
    np.testing.assert_allclose(stored["integrated_gradients.meta"], expected, rtol=1e-4, atol=1e-5)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["methods"]["integrated_gradients"]["context_baselines"] == "mean"
    wrong = invoke("explain", tmp_path / "linear.h5", tmp_path / "x.npy", *common, "--ig-context-baseline", "median")
    assert wrong.exit_code == ExitCode.USAGE
    assert "median" in wrong.output


def test_a_one_input_model_refuses_an_other_input_baseline():
    from signalscreen_cli.errors import UsageError
    from tests.zoo import build_linear

    with pytest.raises(UsageError, match="--ig-context-baseline mean: the model has no other inputs than the signal"):
        model = build_linear(L, C, W, np.zeros(K))
        api.explain(model, X, methods=("integrated_gradients",), context_baselines="mean")
