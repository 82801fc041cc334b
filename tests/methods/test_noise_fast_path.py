"""The SmoothGrad family's fast path: noise drawn in background threads, the statistic reduced in the compiled call.

Known answers: the copies are the documented draws, whatever the blocks and threads; the in-graph statistic is
numpy's of the same copies' gradients (to float32 round-off) on real models, and a linear model's SmoothGrad is
exactly its weights, its SmoothGrad² their squares, its VarGrad exactly 0.
"""

import zlib

import numpy as np
import pytest

import signalscreen_cli.methods.noise_tunnel as noise_tunnel
from signalscreen_cli.methods.noise_tunnel import SmoothGrad, SmoothGradSquared, VarGrad
from signalscreen_cli.model.noisy_statistic import noisy_statistic, reduces_in_graph
from tests.fakes import LinearAdapter
from tests.zoo import adapter_for, build_linear, residual_cnn, small_cnn

STATISTICS = {SmoothGrad: "mean", SmoothGradSquared: "squared", VarGrad: "variance"}


def documented_copies(signal: np.ndarray, samples: int, noise: float, seed: int) -> np.ndarray:
    """σ = noise × (max − min); float64 draws of ``default_rng([seed, crc32(float32 bytes)])``, rounded once."""
    rng = np.random.default_rng([seed, zlib.crc32(np.ascontiguousarray(signal, dtype=np.float32).tobytes())])
    sigma = noise * float(signal.max() - signal.min())
    return (signal[None] + sigma * rng.standard_normal((samples, *signal.shape))).astype(np.float32)


def numpy_statistic(grads: np.ndarray, statistic: str) -> np.ndarray:
    if statistic == "mean":
        return grads.mean(axis=1)
    if statistic == "squared":
        return (grads**2).mean(axis=1)
    return grads.var(axis=1)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_noisy_blocks_are_the_documented_draws_whatever_the_blocks_and_threads(monkeypatch, threads):
    monkeypatch.setattr(noise_tunnel, "NOISE_THREADS", threads)
    x = np.random.default_rng(3).normal(size=(7, 24, 2)).astype(np.float32)
    method = SmoothGrad(noise_samples=5, noise=0.2, seed=4)
    expected = np.concatenate([documented_copies(signal, 5, 0.2, 4) for signal in x])
    for size in (1, 3, 7):
        blocks = [slice(start, min(start + size, 7)) for start in range(0, 7, size)]
        got = np.concatenate(list(method._noisy_blocks(x, blocks)))
        np.testing.assert_array_equal(got, expected)  # bit for bit: the same stream as before the threads
    np.testing.assert_array_equal(method._noisy_copies(x[2]), expected[10:15])


def test_a_drawing_error_reaches_the_caller(monkeypatch):
    def broken(self, signals, copies):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(SmoothGrad, "_draw_into", broken)
    x = np.zeros((4, 8, 1), np.float32)
    with pytest.raises(RuntimeError, match="drawing failed"):
        list(SmoothGrad(noise_samples=2)._noisy_blocks(x, [slice(0, 2), slice(2, 4)]))


@pytest.mark.parametrize("make", [small_cnn, residual_cnn], ids=["small_cnn", "residual_cnn"])
def test_the_in_graph_statistic_is_numpys_of_the_same_gradients(tmp_path, make):
    model = make(length=32, seed=7) if make is small_cnn else make(length=32, channels=2, seed=7)
    adapter = adapter_for(model, ".keras", tmp_path, batch_size=16)
    assert reduces_in_graph(adapter)
    rng = np.random.default_rng(8)
    x = rng.normal(size=(5, 32, adapter.input_shape[1])).astype(np.float32)
    targets = np.array([0, 1, 2, 1, 0])
    m = 4  # blocks of 16 // 4 = 4 signals: a full block and a short one
    method_copies = np.stack([documented_copies(signal, m, 0.3, 2) for signal in x])
    grads, _ = adapter.gradients(method_copies.reshape(-1, *x.shape[1:]), np.repeat(targets, m))
    grads = grads.reshape(5, m, *x.shape[1:])
    for method, statistic in STATISTICS.items():
        expected = numpy_statistic(grads, statistic)
        direct = noisy_statistic(adapter, method_copies[:2].reshape(-1, *x.shape[1:]), targets[:2], m, statistic)
        np.testing.assert_allclose(direct, expected[:2], rtol=2e-6, atol=2e-7 * np.abs(expected).max())
        got = method(noise_samples=m, noise=0.3, seed=2).attribute(adapter, x, targets)[method.name]
        assert got.dtype == np.float32 and got.shape == x.shape
        np.testing.assert_allclose(got, expected, rtol=2e-6, atol=2e-7 * np.abs(expected).max())
        assert np.abs(expected).max() > 1e-5  # gradients that carry signal: not a check of zeros


@pytest.mark.parametrize("head", ["linear", "activation"])
def test_a_linear_models_smoothgrad_is_its_weights_exactly(tmp_path, head):
    # dyadic weights with few bits: every partial sum of the copies' equal gradients is exact in float32
    rng = np.random.default_rng(5)
    weights = rng.integers(-64, 65, size=(30, 3)) / 32.0
    adapter = adapter_for(build_linear(15, 2, weights, rng.normal(size=3), head=head), "memory", tmp_path)
    assert reduces_in_graph(adapter)
    x = rng.normal(size=(6, 15, 2)).astype(np.float32)
    targets = np.array([0, 1, 2, 2, 1, 0])
    w = weights[:, targets].T.reshape(x.shape).astype(np.float32)
    params = {"noise_samples": 8, "noise": 0.5, "seed": 1}
    np.testing.assert_array_equal(SmoothGrad(**params).attribute(adapter, x, targets)["smoothgrad"], w)
    squared = SmoothGradSquared(**params).attribute(adapter, x, targets)["smoothgrad_squared"]
    np.testing.assert_array_equal(squared, w**2)
    np.testing.assert_array_equal(VarGrad(**params).attribute(adapter, x, targets)["vargrad"], np.zeros_like(w))


def test_copies_past_a_batch_and_fakes_keep_the_numpy_path(tmp_path, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the in-graph call ran")

    monkeypatch.setattr("signalscreen_cli.model.noisy_statistic.noisy_statistic", never)
    model = small_cnn(length=32, seed=9)
    adapter = adapter_for(model, "memory", tmp_path, batch_size=4)
    x = np.random.default_rng(10).normal(size=(2, 32, 1)).astype(np.float32)
    targets = np.array([2, 0])
    got = VarGrad(noise_samples=6, noise=0.2, seed=3).attribute(adapter, x, targets)["vargrad"]  # 6 copies > 4
    copies = np.stack([documented_copies(signal, 6, 0.2, 3) for signal in x])
    grads, _ = adapter.gradients(copies.reshape(-1, 32, 1), np.repeat(targets, 6))
    np.testing.assert_array_equal(got, grads.reshape(2, 6, 32, 1).var(axis=1))  # numpy's own reduction
    fake = LinearAdapter(np.ones((32, 1, 3)), np.zeros(3))
    assert not reduces_in_graph(fake)
    assert SmoothGrad(noise_samples=2).attribute(fake, x, targets)["smoothgrad"].shape == x.shape
