"""The SmoothGrad family's fast path: noise drawn in background threads.

Known answers: the copies are the documented draws, whatever the blocks and threads.
"""

import zlib

import numpy as np
import pytest

import signalscreen_cli.methods.noise_tunnel as noise_tunnel
from signalscreen_cli.methods.noise_tunnel import SmoothGrad


def documented_copies(signal: np.ndarray, samples: int, noise: float, seed: int) -> np.ndarray:
    """σ = noise × (max − min); float64 draws of ``default_rng([seed, crc32(float32 bytes)])``, rounded once."""
    rng = np.random.default_rng([seed, zlib.crc32(np.ascontiguousarray(signal, dtype=np.float32).tobytes())])
    sigma = noise * float(signal.max() - signal.min())
    return (signal[None] + sigma * rng.standard_normal((samples, *signal.shape))).astype(np.float32)


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
