"""Chunked, sharded and segmented runs give the same arrays as the plain computation."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli import explain
from signalscreen_cli.cli import app
from signalscreen_cli.methods import get_method
from signalscreen_cli.model.files import load_model
from signalscreen_cli.request import ExplainRequest, resolve_methods
from signalscreen_cli.signals.segments import cut, stitch, window_starts

ROOT = Path(__file__).parents[2]
MODEL = ROOT / "sample_models" / "ecg_cnn.keras"
DATA = ROOT / "sample_data" / "ecg_beats.npy"
METHODS = ("occlusion", "saliency", "gradcam", "integrated_gradients", "smoothgrad")
OPTIONS = {"methods": METHODS, "samples": "0:23", "steps": 8, "noise_samples": 4, "plots": False}


def arrays_of(folder: Path) -> dict[str, np.ndarray]:
    with np.load(folder / "attributions.npz") as archive:
        return {name: archive[name] for name in archive.files}


def test_chunk_sizes_give_the_in_memory_result(tmp_path):
    adapter = load_model(MODEL)
    x = np.load(DATA)[:23, :, None].astype(np.float32)
    targets = adapter.predict(x).argmax(axis=1)
    request = ExplainRequest(MODEL, DATA, tmp_path, methods=METHODS, options={"n_steps": 8, "noise_samples": 4})
    expected: dict[str, np.ndarray] = {}
    for name, params in resolve_methods(request):
        expected.update(get_method(name)(params).attribute(adapter, x, targets))
    for chunk_size in (1, 5, 23, 1000):  # 5 leaves a last partial chunk of 3
        out = tmp_path / f"chunk{chunk_size}"
        explain(MODEL, DATA, out, chunk_size=chunk_size, **OPTIONS)
        got = arrays_of(out)
        assert got["sample_index"].tolist() == list(range(23))
        for name, values in expected.items():
            np.testing.assert_allclose(got[name], values, rtol=1e-5, atol=1e-6, err_msg=f"{name} chunk {chunk_size}")


def test_shards_merged_equal_one_full_run(tmp_path):
    explain(MODEL, DATA, tmp_path / "full", chunk_size=8, **OPTIONS)
    folders = []
    for shard in (2, 3, 1):
        folder = tmp_path / f"shard{shard}"
        explain(MODEL, DATA, folder, shard=(shard, 3), chunk_size=8, **{**OPTIONS, "plots": True, "max_plots": 2})
        folders.append(folder)
    result = CliRunner().invoke(app, ["merge", *map(str, folders), "--out", str(tmp_path / "merged")])
    assert result.exit_code == 0, result.output
    full, merged = arrays_of(tmp_path / "full"), arrays_of(tmp_path / "merged")
    assert set(full) == set(merged)
    for name in full:
        np.testing.assert_allclose(merged[name], full[name], rtol=1e-5, atol=1e-6, err_msg=name)
    manifest = json.loads((tmp_path / "merged" / "manifest.json").read_text())
    assert manifest["data"]["signals"] == 23 and manifest["shard"] is None and len(manifest["merged_from"]) == 3
    assert manifest["arrays"]["saliency"]["shape"] == [23, 187, 1]
    assert len(list((tmp_path / "merged" / "plots").glob("*.png"))) == 3 * 2 * 5  # 2 rows per shard, 5 maps


def test_merge_refuses_incomplete_or_mismatched_shards(tmp_path):
    explain(MODEL, DATA, tmp_path / "a", shard=(1, 2), **OPTIONS)
    explain(MODEL, DATA, tmp_path / "b", shard=(2, 2), **{**OPTIONS, "steps": 16})
    runner = CliRunner()
    missing = runner.invoke(app, ["merge", str(tmp_path / "a"), "--out", str(tmp_path / "m")])
    assert missing.exit_code == 2 and "need each of the shards 1/2..2/2 once, got 1/2" in missing.output
    mixed = runner.invoke(app, ["merge", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "m")])
    assert mixed.exit_code == 2 and "options differ" in mixed.output and "steps" in mixed.output
    assert not (tmp_path / "m").exists()


def test_segment_and_stitch_reproduce_window_by_window_attribution(tmp_path):
    beats = np.load(DATA)[:12].astype(np.float32)
    recording = beats.reshape(1, -1)  # 12 beats in a row: 2244 samples
    np.save(tmp_path / "long.npy", recording)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "explain",
            str(MODEL),
            str(tmp_path / "long.npy"),
            "-o",
            str(out),
            "--segment",
            "187",
            "--hop",
            "100",
            "-m",
            "saliency,gradcam,occlusion",
            "--max-plots",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    got = arrays_of(out)
    adapter = load_model(MODEL)
    starts = window_starts(recording.shape[1], 187, 100)
    assert starts[-1] == recording.shape[1] - 187 and got["segment_starts"][0].tolist() == starts.tolist()
    for name in ("saliency", "gradcam", "occlusion_w15"):
        expected_track = np.zeros(recording.shape[1])
        count = np.zeros(recording.shape[1])
        for start in starts:  # the model applied window by window, averaged by hand
            window = recording[:, start : start + 187, None]
            target = adapter.predict(window).argmax(axis=1)
            method = get_method(name.split("_w")[0])()
            values = method.attribute(adapter, window, target)[name][0]
            expected_track[start : start + 187] += values.reshape(187, -1)[:, 0]
            count[start : start + 187] += 1
        track = got[name][0].reshape(recording.shape[1], -1)[:, 0]
        np.testing.assert_allclose(track, expected_track / count, rtol=1e-4, atol=1e-6, err_msg=name)
    assert got["predictions"].shape == (1, len(starts), 2) and got["targets"].shape == (1, len(starts))
    assert (out / "plots" / "0_saliency_page1.png").exists()


def test_stitch_averages_overlaps():
    maps = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    track = stitch(maps, np.array([0, 2, 4]), 8)
    np.testing.assert_allclose(track[0], [0, 1, (2 + 4) / 2, (3 + 5) / 2, (6 + 8) / 2, (7 + 9) / 2, 10, 11])
    recordings = np.arange(10, dtype=np.float32).reshape(1, 10, 1)
    windows = cut(recordings, window_starts(10, 4, 3), 4)
    assert windows[:, :, 0].tolist() == [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]


def test_json_progress_and_auto_batch_size(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "explain",
            str(MODEL),
            str(DATA),
            "-o",
            str(tmp_path / "o"),
            "--samples",
            "0:30",
            "--chunk-size",
            "10",
            "-m",
            "saliency",
            "--batch-size",
            "auto",
            "--memory-budget",
            "64M",
            "--json-progress",
            "--no-plots",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [line["done"] for line in lines] == [10, 20, 30] and lines[-1]["total"] == 30
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert 16 <= manifest["model"]["batch_size"] <= 16384 and manifest["parameters"]["batch_size"] is None


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--shard", "3/2"], "--shard must be K/N with 1 <= K <= N"),
        (["--shard", "x"], "--shard must look like K/N"),
        (["--hop", "5"], "--hop needs --segment"),
        (["--segment", "187", "--target", "all"], "--segment and --target all contradict"),
        (["--segment", "500"], "--segment 500 must equal the model's input length 187"),
        (["--segment", "187", "--hop", "0"], "--hop must be at least 1, not 0"),
        (["--segment", "1.5s"], "--segment 1.5s: seconds need the sampling rate"),
        (["--segment", "187", "--hop", "2.5"], "--hop: '2.5' is not a whole, non-negative number of samples"),
        (["--memory-budget", "lots"], "--memory-budget: cannot read 'lots'"),
        (["--quiet", "--json-progress"], "--quiet and --json-progress contradict"),
    ],
)
def test_bad_scale_options(tmp_path, argv, message):
    result = CliRunner().invoke(
        app, ["explain", str(MODEL), str(DATA), "-o", str(tmp_path / "o"), "--samples", "0:4", *argv]
    )
    assert result.exit_code != 0 and message in result.output, result.output
    assert not (tmp_path / "o").exists()


def test_recording_shorter_than_a_segment(tmp_path):
    np.save(tmp_path / "short.npy", np.zeros((2, 150), np.float32))
    result = CliRunner().invoke(
        app, ["explain", str(MODEL), str(tmp_path / "short.npy"), "-o", str(tmp_path / "o"), "--segment", "187"]
    )
    assert result.exit_code == 5 and "recordings have 150 samples, fewer than one --segment of 187" in result.output


def test_windows_in_seconds_equal_windows_in_samples(tmp_path):
    np.save(tmp_path / "long.npy", np.load(DATA)[:6].astype(np.float32).reshape(1, -1))
    common = ["explain", str(MODEL), str(tmp_path / "long.npy"), "-m", "saliency", "--no-plots", "-q"]
    seconds = [*common, "--segment", "1.496s", "--hop", "0.8s", "--sampling-rate", "125", "-o", str(tmp_path / "s")]
    samples = [*common, "--segment", "187", "--hop", "100", "-o", str(tmp_path / "n")]
    for argv in (seconds, samples):
        result = CliRunner().invoke(app, argv)
        assert result.exit_code == 0, result.output
    by_seconds, by_samples = arrays_of(tmp_path / "s"), arrays_of(tmp_path / "n")
    np.testing.assert_array_equal(by_seconds["segment_starts"], by_samples["segment_starts"])
    np.testing.assert_array_equal(by_seconds["saliency"], by_samples["saliency"])
