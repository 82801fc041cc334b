"""Known answers for the streamed class summaries: numpy on the whole array, for every chunking."""

from __future__ import annotations

import json

import numpy as np
import pytest

from signalscreen_cli.layout import SUMMARY_JSON, SUMMARY_NPZ
from signalscreen_cli.records import ChunkResult, RunRecord
from signalscreen_cli.sinks.summary import SummarySink
from signalscreen_cli.summaries.sketch import PositionQuantiles
from signalscreen_cli.summaries.stats import top_segments

N, L, C, K = 203, 40, 2, 3


def fixture_run(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(N, K))
    predictions = (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)).astype(np.float32)
    return {
        "signals": rng.normal(size=(N, L, C)).astype(np.float32) * np.linspace(0.1, 3, L)[None, :, None],
        "predictions": predictions,
        "targets": predictions.argmax(axis=1).astype(np.int32),
        "grad": (rng.standard_t(3, size=(N, L, C)) * 10.0 ** rng.integers(-3, 3, size=(1, L, 1))).astype(np.float32),
        "cam": np.maximum(rng.normal(size=(N, L)), 0).astype(np.float32),  # many exact zeros, as after a ReLU
        "labels": rng.integers(0, K, N),
    }


def summarise(tmp_path, run: dict[str, np.ndarray], chunk: int, labels: bool = True) -> dict[str, np.ndarray]:
    folder = tmp_path / f"chunk{chunk}"
    folder.mkdir()
    sink = SummarySink(folder, N, run["labels"] if labels else None, gallery=4, sampling_rate=50.0)
    for start in range(0, N, chunk):
        part = slice(start, start + chunk)
        arrays = {name: run[name][part] for name in ("predictions", "targets", "grad", "cam")}
        kinds = {"predictions": "index", "targets": "index", "grad": "attribution", "cam": "attribution"}
        sink.write(start, ChunkResult(np.arange(N)[part], run["signals"][part], arrays, kinds))
    sink.close(RunRecord({}, {"sample_index": np.arange(N) + 1000}, class_names=["a", "b", "c"]))
    assert not (folder / ".summary-spill").exists()
    with np.load(folder / SUMMARY_NPZ) as stored:
        found = {name: stored[name] for name in stored.files}
    found["document"] = json.loads((folder / SUMMARY_JSON).read_text())
    return found


@pytest.mark.parametrize("chunk", [1, 7, 64, N])
def test_means_quantiles_and_prototypes_equal_numpy_on_the_whole_array(tmp_path, chunk):
    run = fixture_run()
    found = summarise(tmp_path, run, chunk)
    groups = list(zip(found["group_by"], found["group_class"], strict=True))
    assert groups == [("target", k) for k in range(K)] + [("true", k) for k in range(K)]
    for g, (by, k) in enumerate(groups):
        member = (run["targets"] if by == "target" else run["labels"]) == k
        assert found["count"][g] == member.sum()
        signals = run["signals"][member].astype(np.float64)
        np.testing.assert_allclose(found["mean_signal"][g], signals.mean(axis=0), rtol=1e-6, atol=1e-7)
        nearest = np.flatnonzero(member)[np.argmin(((signals - signals.mean(axis=0)) ** 2).sum(axis=(1, 2)))]
        assert found["prototype"][g] == nearest
        for name in ("grad", "cam"):
            values = run[name][member].astype(np.float64)
            np.testing.assert_allclose(found[f"{name}_mean"][g], values.mean(axis=0), rtol=1e-6, atol=1e-9)
            np.testing.assert_allclose(found[f"{name}_mean_abs"][g], np.abs(values).mean(axis=0), rtol=1e-6, atol=1e-9)
            error = found[f"{name}_q_error"][g].astype(np.float64)
            span = values.max(axis=0) - values.min(axis=0)
            assert np.all(error <= span / (1024 - 2) + np.abs(values).max(axis=0) * 2.0**-40)  # the stated bound
            for q in (10, 50, 90):
                exact = np.quantile(values, q / 100, axis=0, method="lower")
                assert np.all(np.abs(found[f"{name}_q{q}"][g] - exact) <= error * (1 + 1e-6) + 1e-12)


def test_every_chunking_gives_the_same_bytes(tmp_path):
    run = fixture_run(1)
    first, second = summarise(tmp_path, run, 5), summarise(tmp_path, run, 150)
    for name in first:
        if name != "document":
            np.testing.assert_array_equal(first[name], second[name], err_msg=name)
    assert first["document"] == second["document"]


def test_labels_give_a_confusion_matrix_and_the_misclassified(tmp_path):
    run = fixture_run(2)
    found = summarise(tmp_path, run, 50)
    labels = found["document"]["labels"]
    predicted = run["predictions"].argmax(axis=1)
    expected = np.zeros((K, K), int)
    np.add.at(expected, (run["labels"], predicted), 1)
    assert labels["confusion"] == expected.tolist()
    assert labels["accuracy"] == pytest.approx((run["labels"] == predicted).mean())
    np.testing.assert_array_equal(found["misclassified"], np.flatnonzero(run["labels"] != predicted))
    assert [entry["file_row"] for entry in labels["misclassified"][:3]] == list(found["misclassified"][:3] + 1000)
    shown = found["misclassified_shown"]
    confidence = run["predictions"].max(axis=1)
    others = np.setdiff1d(found["misclassified"], shown)
    assert len(shown) == 8 and confidence[shown].min() >= confidence[others].max()
    rows = found["example_rows"]
    assert set(shown) | set(found["least_sure"]) | {0, 1, 2, 3} <= set(rows)
    np.testing.assert_array_equal(found["example_grad"], run["grad"][rows])
    np.testing.assert_array_equal(found["example_signals"], run["signals"][rows])
    margin = np.sort(run["predictions"], axis=1)
    np.testing.assert_array_equal(found["least_sure"], np.argsort(margin[:, -1] - margin[:, -2], kind="stable")[:8])


def test_without_labels_only_target_groups(tmp_path):
    found = summarise(tmp_path, fixture_run(3), 64, labels=False)
    assert list(found["group_by"]) == ["target"] * K and "labels" not in found["document"]
    assert found["misclassified"].shape == (0,)


def test_sketches_merge_exactly():
    rng = np.random.default_rng(4)
    values = np.concatenate([rng.normal(size=(90, 6)), 1e4 * rng.normal(size=(30, 6)), np.zeros((5, 6))])
    whole, first, second = PositionQuantiles(6, 64), PositionQuantiles(6, 64), PositionQuantiles(6, 64)
    whole.add(values)
    first.add(values[:40])
    second.add(values[40:])
    first.merge(second)
    np.testing.assert_array_equal(first.counts, whole.counts)
    np.testing.assert_array_equal(first.quantile(0.5), whole.quantile(0.5))


def test_a_constant_position_has_exact_quantiles():
    sketch = PositionQuantiles(2, 16)
    sketch.add(np.array([[0.0, 3.5]] * 5))
    sketch.add(np.array([[0.0, 3.5]]))
    np.testing.assert_array_equal(sketch.quantile(0.5), [0.0, 3.5])
    np.testing.assert_array_equal(sketch.quantile(0.9), [0.0, 3.5])


def test_top_segments_are_runs_of_the_largest_positions():
    score = np.zeros(50)
    score[10:14], score[30:32] = 5.0, 9.0
    segments = top_segments(score, share=0.12)
    assert [(s["start"], s["stop"]) for s in segments] == [(10, 14), (30, 32)]
    assert segments[0]["weight"] == pytest.approx(20 / 38)


def test_with_every_class_explained_each_signal_counts_with_its_predicted_class_map(tmp_path):
    run = fixture_run(5)
    every = np.stack([run["cam"] * (k + 1) for k in range(K)], axis=1)  # (n, K, L): a different map per class
    sink = SummarySink(tmp_path, N, None, gallery=2)
    kinds = {"predictions": "index", "cam": "attribution"}
    for start in range(0, N, 50):
        part = slice(start, start + 50)
        arrays = {"predictions": run["predictions"][part], "cam": every[part]}
        sink.write(start, ChunkResult(np.arange(N)[part], run["signals"][part], arrays, kinds))
    sink.close(RunRecord({}, {"sample_index": np.arange(N)}, class_names=["a", "b", "c"]))
    with np.load(tmp_path / SUMMARY_NPZ) as stored:
        predicted = run["predictions"].argmax(axis=1)
        for k in range(K):
            expected = (run["cam"][predicted == k] * (k + 1)).astype(np.float64).mean(axis=0)
            np.testing.assert_allclose(stored["cam_mean"][k], expected, rtol=1e-6, atol=1e-9)
        assert stored["example_cam"].shape == (len(stored["example_rows"]), L)
