"""Labels through the command line: kept as an array, split the summaries, listed when misclassified."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode

ROOT = Path(__file__).parents[2]
MODEL = ROOT / "sample_models" / "ecg_cnn.keras"
BEATS, LABELS, CSV = (ROOT / "sample_data" / name for name in ("ecg_beats.npy", "ecg_labels.npy", "ecg_beats.csv"))
FAST = ("-m", "saliency,gradcam", "--no-plots", "--class-names", "N,V", "-q")


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_label_column_values_are_kept_as_labels(tmp_path):
    result = invoke("explain", MODEL, CSV, "--label-column", "-1", *FAST, "--samples", "3:20", "-o", tmp_path / "o")
    assert result.exit_code == 0, result.output
    column = np.loadtxt(CSV, delimiter=",", skiprows=1)[3:20, -1]
    with np.load(tmp_path / "o" / "attributions.npz") as arrays:
        np.testing.assert_array_equal(arrays["labels"], column.astype(np.int64))
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["arrays"]["labels"]["shape"] == [17]
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert [g["by"] for g in summary["groups"]] == ["target", "target", "true", "true"]
    assert sum(g["count"] for g in summary["groups"] if g["by"] == "true") == 17


def test_a_labels_file_finds_the_misclassified(tmp_path):
    labels = np.load(LABELS)
    flipped = labels.copy()
    flipped[[2, 5]] = 1 - flipped[[2, 5]]  # the sample model is right on every beat, so these two are wrong
    np.save(tmp_path / "labels.npy", flipped)
    result = invoke(
        "explain", MODEL, BEATS, "--labels", tmp_path / "labels.npy", *FAST, "--samples", "0:40", "-o", tmp_path / "o"
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["labels"]["misclassified_count"] == 2
    assert [entry["file_row"] for entry in summary["labels"]["misclassified"]] == [2, 5]
    assert summary["labels"]["accuracy"] == 38 / 40
    with np.load(tmp_path / "o" / "summary.npz") as stored:
        assert sorted(stored["misclassified_shown"]) == [2, 5] and {2, 5} <= set(stored["example_rows"])
    markdown = (tmp_path / "o" / "summary.md").read_text()
    names = ["N", "V"]
    wrong = ", ".join(f"{row} ({names[flipped[row]]}→{names[labels[row]]})" for row in (2, 5))
    assert f"Accuracy **0.950**; 2 misclassified: rows {wrong}." in markdown
    assert "| N | " in markdown and "| V | " in markdown and "Where the model looks" in markdown


def test_bad_labels_are_refused(tmp_path):
    np.save(tmp_path / "short.npy", np.zeros(10, np.int64))
    np.save(tmp_path / "seven.npy", np.full(501, 7))
    short = invoke("explain", MODEL, BEATS, "--labels", tmp_path / "short.npy", *FAST, "-o", tmp_path / "a")
    assert short.exit_code == ExitCode.SIGNAL_FILE
    assert f"--labels {tmp_path / 'short.npy'}: holds shape (10,), but the data has 501 rows" in short.output
    seven = invoke("explain", MODEL, BEATS, "--labels", tmp_path / "seven.npy", *FAST, "-o", tmp_path / "b")
    assert seven.exit_code == ExitCode.USAGE and "label 7 (row 0) is not a class index 0..1" in seven.output
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_merged_shards_summarise_like_one_run(tmp_path):
    for k in (1, 2):
        shard = invoke(
            "explain", MODEL, BEATS, "--labels", LABELS, *FAST, "--samples", "0:30", "--shard", f"{k}/2",
            "-o", tmp_path / f"s{k}",
        )  # fmt: skip
        assert shard.exit_code == 0, shard.output
        assert json.loads((tmp_path / f"s{k}" / "summary.json").read_text())["signals"] == 15
    merged = invoke("merge", tmp_path / "s1", tmp_path / "s2", "-o", tmp_path / "m")
    assert merged.exit_code == 0, merged.output
    with np.load(tmp_path / "m" / "attributions.npz") as arrays:
        np.testing.assert_array_equal(arrays["labels"], np.load(LABELS)[:30])
    whole = invoke("explain", MODEL, BEATS, "--labels", LABELS, *FAST, "--samples", "0:30", "-o", tmp_path / "w")
    assert whole.exit_code == 0, whole.output
    with np.load(tmp_path / "m" / "summary.npz") as joined, np.load(tmp_path / "w" / "summary.npz") as one:
        assert joined.files == one.files
        for name in one.files:
            if name.endswith(("_mean", "_mean_abs", "mean_signal")):  # float64 sums, added in another order
                np.testing.assert_allclose(joined[name], one[name], rtol=1e-6, atol=1e-9, err_msg=name)
            else:  # counts, quantiles (exact histogram counts on the same grid), prototypes, examples
                np.testing.assert_array_equal(joined[name], one[name], err_msg=name)
    documents = [json.loads((tmp_path / side / "summary.json").read_text()) for side in ("m", "w")]
    assert [g["prototype_row"] for g in documents[0]["groups"]] == [g["prototype_row"] for g in documents[1]["groups"]]
    assert documents[0]["labels"] == documents[1]["labels"]
