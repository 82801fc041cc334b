"""``evaluate`` and ``compare`` write through sinks from tables, as ``explain`` does: each file written once,
at close, by the sink its row builds; a failed write names the file; a row not wanted writes nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from signalscreen_cli.comparison.request import CompareRequest
from signalscreen_cli.comparison.scores import score_pair
from signalscreen_cli.comparison.sinks import COLUMNS, COMPARE_SINKS, ComparisonOutputs
from signalscreen_cli.errors import OutputError
from signalscreen_cli.evaluation.extra_scores import ExtraResults
from signalscreen_cli.evaluation.request import EvaluateRequest
from signalscreen_cli.evaluation.sinks import EVALUATE_SINKS, EvaluationOutputs
from signalscreen_cli.gates.checks import Gate
from signalscreen_cli.records import ChunkResult, RunRecord
from signalscreen_cli.request import explain_request
from signalscreen_cli.sinks.finished import FinishedFile, write_finished
from signalscreen_cli.sinks.table import wanted_sinks


def comparison(folder: Path, plots: bool = False) -> ComparisonOutputs:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 16))
    pair = score_pair("saliency", "saliency", a, a + 0.1 * rng.normal(size=a.shape), 10)
    row = {"map": "saliency", "map_a": "saliency", "map_b": "saliency", "compared": pair.compared, "signals": 3}
    row |= {"median_pearson": float(np.median(pair.pearson)), "mean_pearson": float(pair.pearson.mean())}
    row |= {"median_spearman": 0.5, "mean_spearman": 0.5, "mean_cosine": 0.25, "mean_top_overlap": 1.0}
    classes = {"saliency": [{"class": "N", "mean_map_a": [1.0, 2.0], "mean_map_b": [3.0, 4.0]}]}
    request = CompareRequest(folder / "a", folder / "b", folder / "out", plots=plots)
    gates = [Gate("saliency", "median Pearson (signed) >= 0.9", row["median_pearson"], 0.9, True)]
    return ComparisonOutputs(folder, request, [row], gates, [pair], classes, np.arange(3), None)


def test_compare_sinks_write_each_file_once_at_close(tmp_path):
    outputs = comparison(tmp_path)
    sinks = wanted_sinks(COMPARE_SINKS, outputs)
    assert [row.name for row in COMPARE_SINKS if row.wanted(outputs)] == [
        "comparison.json", "comparison.csv", "summary.md", "class_means.npz",
    ]  # fmt: skip
    for sink in sinks:  # nothing per chunk: every file describes the whole comparison
        sink.write(0, ChunkResult(np.arange(3), np.zeros((3, 16, 1), np.float32)))
    assert list(tmp_path.iterdir()) == []
    document = {"signals": {"flips": 1}, "summary": outputs.rows}
    for sink in sinks:
        sink.close(RunRecord(document))
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "class_means.npz", "comparison.csv", "comparison.json", "summary.md",
    ]  # fmt: skip
    assert json.loads((tmp_path / "comparison.json").read_text()) == document
    with open(tmp_path / "comparison.csv", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert tuple(table[0]) == COLUMNS and float(table[0]["median_pearson"]) == outputs.rows[0]["median_pearson"]
    summary = (tmp_path / "summary.md").read_text()
    assert "3 signals, 1 prediction change(s)." in summary and "| saliency |" in summary
    means = np.load(tmp_path / "class_means.npz")
    assert sorted(means) == ["saliency__a__N", "saliency__b__N"]
    np.testing.assert_array_equal(means["saliency__b__N"], np.float32([3, 4]))


def test_a_failed_write_is_an_output_error_naming_the_file(tmp_path):
    (tmp_path / "taken").write_text("a file where the output folder should be")
    outputs = comparison(tmp_path / "taken")
    with pytest.raises(OutputError) as failed:
        write_finished(COMPARE_SINKS, outputs, RunRecord({"signals": {"flips": 0}}))
    assert failed.value.message == f"{tmp_path / 'taken' / 'comparison.json'}: cannot write (Not a directory)"

    def produce(path: Path, record: RunRecord) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError) as failed:
        FinishedFile(tmp_path / "x.csv", produce).close(RunRecord({}))
    assert failed.value.message == f"{tmp_path / 'x.csv'}: cannot write (No space left on device)"


@pytest.mark.parametrize(
    ("plots", "report", "tables", "wanted"),
    [
        (False, False, [], ["evaluation.json", "evaluation.csv", "summary.md"]),
        (True, True, [("truth.csv", None, [])], [
            "evaluation.json", "evaluation.csv", "summary.md", "score tables", "figures", "report.html",
        ]),
    ],
)  # fmt: skip
def test_evaluate_wants_the_figures_tables_and_report_asked_for_and_the_report_last(
    tmp_path, plots, report, tables, wanted
):
    explain = explain_request(tmp_path / "m.keras", tmp_path / "x.npy", tmp_path / "out")
    request = EvaluateRequest(explain, plots=plots, report=report)
    outputs = EvaluationOutputs(tmp_path, request, [], [], {}, None, ExtraResults(files=tables), 0, "softmax")
    assert [row.name for row in EVALUATE_SINKS if row.wanted(outputs)] == wanted
    assert len(wanted_sinks(EVALUATE_SINKS, outputs)) == len(wanted)  # every builder named in the table exists
