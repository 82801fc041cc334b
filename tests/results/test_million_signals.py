"""A long streaming run: a million short signals through ``explain`` with memory that does not follow the
data. Peak memory is measured for 10^5 and 10^6 signals of the same file; what grows in between is per-signal
bookkeeping (row numbers, predicted class, margin: tens of bytes a signal), never the signals or their maps."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from numpy.lib.format import open_memmap

from signalscreen_cli.results.reader import read_result

LENGTH, N = 64, 1_000_000


def peak_rss(argv: list[str], cwd: Path) -> int:
    """Peak resident memory of the process ``argv`` (bytes); it must succeed."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, process.stderr.read().decode()[-2000:] if process.stderr else ""
    return usage.ru_maxrss * 1024


@pytest.mark.slow
def test_a_million_signals_stream_with_flat_memory(tmp_path):
    inputs = keras.Input((LENGTH, 1))
    outputs = keras.layers.Dense(2)(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, outputs)
    weights = np.linspace(-1, 1, 2 * LENGTH, dtype=np.float32).reshape(LENGTH, 2)
    model.layers[-1].set_weights([weights, np.zeros(2, np.float32)])
    model.save(tmp_path / "linear.keras")
    data = open_memmap(tmp_path / "x.npy", mode="w+", dtype=np.float32, shape=(N, LENGTH))
    rng = np.random.default_rng(0)
    for start in range(0, N, 100_000):
        data[start : start + 100_000] = rng.normal(size=(100_000, LENGTH))
    data.flush()
    del data
    command = [sys.executable, "-m", "signalscreen_cli", "explain", "linear.keras", "x.npy", "-m", "saliency",
               "--target", "1", "--no-plots", "-q"]
    small = peak_rss([*command, "--samples", f"0:{N // 10}", "-o", "small"], tmp_path)
    large = peak_rss([*command, "-o", "large"], tmp_path)
    per_signal = (large - small) / (N - N // 10)
    held = 2 * LENGTH * 4  # bytes a signal and its map would take if the run held them
    print(f"\npeak memory {small / 2**20:.0f} MB at {N // 10:,} signals, {large / 2**20:.0f} MB at {N:,}: "
          f"{per_signal:.0f} bytes a signal (holding signal and map: {held})")
    assert per_signal < held / 2
    arrays = read_result(tmp_path / "large").arrays()  # verified against the manifest's SHA-256s
    assert arrays["saliency"].shape == (N, LENGTH, 1)
    expected = np.abs(weights[:, 1])  # f(x) = w . x: the saliency of the logit is |w|
    np.testing.assert_allclose(arrays["saliency"][[0, N // 2, N - 1], :, 0], np.tile(expected, (3, 1)), rtol=1e-6)
