"""Occlusion known answers, computed by hand or by brute force outside the method."""

import numpy as np
import pytest

from signalscreen_cli.errors import UsageError
from signalscreen_cli.methods.baselines import make_baseline
from signalscreen_cli.methods.occlusion import Occlusion
from signalscreen_cli.methods.windows import window_bounds, window_masks
from tests.zoo import adapter_for, build_linear, small_cnn


def test_window_bounds_are_centred_and_clipped():
    starts, stops = window_bounds(10, 3)
    assert list(zip(starts, stops, strict=True))[:2] == [(0, 2), (0, 3)]
    assert (starts[9], stops[9]) == (8, 10)
    starts, stops = window_bounds(10, 4)  # even width: one more sample after the centre
    assert (starts[5], stops[5]) == (4, 8)
    assert window_masks(10, 1).sum() == 10
    assert (window_masks(10, 25).all()) and window_masks(10, 3).sum(axis=1).tolist()[:3] == [2, 3, 3]


@pytest.mark.parametrize("width", [1, 3, 4, 7])
def test_occlusion_of_linear_model_by_hand(tmp_path, width):
    rng = np.random.default_rng(3)
    length = 16
    w = rng.normal(size=length)
    model = build_linear(length, 1, w[:, None], np.array([0.7]))
    adapter = adapter_for(model, "memory", tmp_path, batch_size=7)  # batches that split signals
    x = rng.normal(size=(3, length, 1)).astype(np.float32)
    got = Occlusion(sliding_window=(width,)).attribute(adapter, x, np.zeros(3, np.int32))[f"occlusion_w{width}"]
    expected = np.zeros((3, length))
    for n in range(3):
        for i in range(length):
            lo, hi = max(0, i - (width - 1) // 2), min(length, i + width // 2 + 1)
            expected[n, i] = sum(w[j] * x[n, j, 0] for j in range(lo, hi))  # f(x) - f(x with window zeroed)
    np.testing.assert_allclose(got[:, :, 0], expected, rtol=1e-4, atol=1e-5)
    if width == 1:
        np.testing.assert_allclose(got[:, :, 0], w * x[:, :, 0], rtol=1e-4, atol=1e-5)


def test_occlusion_on_probabilities_matches_brute_force(tmp_path):
    model = small_cnn(length=24, outputs=3)
    adapter = adapter_for(model, ".h5", tmp_path, batch_size=50)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 24, 1)).astype(np.float32)
    targets = np.array([2, 0])
    maps = Occlusion(sliding_window=(5, 9)).attribute(adapter, x, targets)
    for width in (5, 9):
        expected = np.zeros((2, 24))
        for n in range(2):
            base = model(x[n : n + 1]).numpy()[0, targets[n]]
            copies = np.repeat(x[n : n + 1], 24, axis=0)
            for i in range(24):  # copy i: the window centred on i set to zero
                copies[i, max(0, i - (width - 1) // 2) : i + width // 2 + 1] = 0.0
            expected[n] = base - model(copies).numpy()[:, targets[n]]  # Keras's own forward, one batch
        np.testing.assert_allclose(maps[f"occlusion_w{width}"][:, :, 0], expected, atol=2e-6)


def test_mean_and_interp_baselines_fill_the_window(tmp_path):
    x = np.arange(8, dtype=np.float32).reshape(1, 8, 1) ** 2
    masks_row = 3
    occluded = Occlusion._occluded(x, None, np.array([0]), np.array([masks_row]), 3)
    # window covers 2..4; interp runs from x[1]=1 to x[5]=25
    np.testing.assert_allclose(occluded[0, :, 0], [0, 1, 7, 13, 19, 25, 36, 49])
    edge = Occlusion._occluded(x, None, np.array([0]), np.array([0]), 3)
    np.testing.assert_allclose(edge[0, :, 0], [4, 4, 4, 9, 16, 25, 36, 49])  # left edge: the value on its right
    mean = np.full_like(x, x.mean())
    occluded = Occlusion._occluded(x, mean, np.array([0]), np.array([7]), 3)
    np.testing.assert_allclose(occluded[0, :, 0], [0, 1, 4, 9, 16, 25, 17.5, 17.5])


def test_window_longer_than_signal_is_refused(tmp_path):
    adapter = adapter_for(build_linear(6, 1, np.ones((6, 1)), np.zeros(1)), "memory", tmp_path)
    with pytest.raises(UsageError, match="between 1 and the signal length 6"):
        Occlusion(sliding_window=(7,)).attribute(adapter, np.zeros((1, 6, 1), np.float32), np.zeros(1, np.int32))


def test_every_baseline_gives_the_expected_occluded_copy(tmp_path):
    x = np.array([[[1.0], [3.0], [2.0], [6.0], [4.0], [5.0]]], np.float32)
    samples = np.array([0, 0])
    positions = np.array([0, 3])  # an edge window (0..1) and an inner one (2..4)

    def copy(kind, **options):
        base = None if kind == "interp" else make_baseline(kind, x, **options)
        return Occlusion._occluded(x, base, samples, positions, 3)[:, :, 0]

    np.testing.assert_allclose(copy("zero"), [[0, 0, 2, 6, 4, 5], [1, 3, 0, 0, 0, 5]])
    np.testing.assert_allclose(copy("mean"), [[3.5, 3.5, 2, 6, 4, 5], [1, 3, 3.5, 3.5, 3.5, 5]])
    np.testing.assert_allclose(copy("interp"), [[2, 2, 2, 6, 4, 5], [1, 3, 3.5, 4, 4.5, 5]])
    dataset = np.arange(6, dtype=np.float32)[:, None]
    np.testing.assert_allclose(copy("dataset-mean", dataset_mean=dataset), [[0, 1, 2, 6, 4, 5], [1, 3, 2, 3, 4, 5]])
    blurred = make_baseline("blur", x, blur_sigma=1.0)[0, :, 0]
    np.testing.assert_allclose(copy("blur", blur_sigma=1.0)[1], [1, 3, *blurred[2:5], 5], rtol=1e-6)
    noise = make_baseline("noise", x, seed=4)
    assert noise.std() > 0 and np.array_equal(noise, make_baseline("noise", x, seed=4))
    np.save(tmp_path / "b.npy", np.full(6, 9.0, np.float32))
    np.testing.assert_allclose(copy(str(tmp_path / "b.npy")), [[9, 9, 2, 6, 4, 5], [1, 3, 9, 9, 9, 5]])


def test_stride_interpolates_between_evaluated_positions(tmp_path):
    rng = np.random.default_rng(18)
    w = rng.normal(size=20)
    adapter = adapter_for(build_linear(20, 1, w[:, None], np.zeros(1)), "memory", tmp_path)
    x = rng.normal(size=(2, 20, 1)).astype(np.float32)
    full = Occlusion(sliding_window=(3,)).attribute(adapter, x, np.zeros(2, np.int32))["occlusion_w3"][:, :, 0]
    strided = Occlusion(sliding_window=(3,), stride=4).attribute(adapter, x, np.zeros(2, np.int32))
    strided = strided["occlusion_w3"][:, :, 0]
    evaluated = [0, 4, 8, 12, 16, 19]
    np.testing.assert_allclose(strided[:, evaluated], full[:, evaluated], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(strided[:, 2], (full[:, 0] + full[:, 4]) / 2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(strided[:, 18], (full[:, 16] + 2 * full[:, 19]) / 3, rtol=1e-5, atol=1e-6)


def test_each_channel_gets_its_own_map(tmp_path):
    rng = np.random.default_rng(19)
    weights = rng.normal(size=(10 * 3, 1))
    adapter = adapter_for(build_linear(10, 3, weights, np.zeros(1)), "memory", tmp_path)
    x = rng.normal(size=(2, 10, 3)).astype(np.float32)
    each = Occlusion(sliding_window=(1,), occlude_channels="each").attribute(adapter, x, np.zeros(2, np.int32))
    np.testing.assert_allclose(each["occlusion_w1"], weights[:, 0].reshape(10, 3) * x, rtol=1e-4, atol=1e-5)
    together = Occlusion(sliding_window=(1,)).attribute(adapter, x, np.zeros(2, np.int32))["occlusion_w1"]
    summed = (weights[:, 0].reshape(10, 3) * x).sum(axis=2)
    np.testing.assert_allclose(together, np.repeat(summed[:, :, None], 3, axis=2), rtol=1e-4, atol=1e-5)


def test_a_npy_baseline_is_read_once_by_the_plan(tmp_path):
    from signalscreen_cli.pipeline.plan import MethodPlan

    length = 8
    w = np.arange(1, length + 1, dtype=np.float64)
    adapter = adapter_for(build_linear(length, 1, w[:, None], np.array([0.0])), "memory", tmp_path)
    path = tmp_path / "baseline.npy"
    np.save(path, np.full(length, 2.0, np.float32))
    planned = MethodPlan.of("occlusion", Occlusion.Parameters(baselines=str(path), sliding_window=(1,)))
    path.unlink()  # the method never opens the file again
    x = np.ones((2, length, 1), np.float32)
    got = planned.build(None).attribute(adapter, x, np.zeros(2, np.int32))["occlusion_w1"]
    np.testing.assert_allclose(got[..., 0], np.broadcast_to(w * (1.0 - 2.0), (2, length)), rtol=1e-5)
