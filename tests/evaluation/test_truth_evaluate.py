"""``evaluate --truth`` end to end on a hand-weighted linear model whose answer is known: scores, tables, gates,
JUnit, errors, and the same numbers for every chunk size and with ``--from``."""

import csv
import json
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from typer.testing import CliRunner
from zoo import build_linear

from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode, SignalFileError
from signalscreen_cli.evaluation.request import EvaluateRequest
from signalscreen_cli.evaluation.runner import evaluate
from signalscreen_cli.request import explain_request

LENGTH, INSIDE = 16, slice(4, 8)


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """f(x) = w·x for class 0 with w = 1 on positions 4..7 only; six signals, the last with an empty mask."""
    folder = tmp_path_factory.mktemp("truth")
    weights = np.zeros((LENGTH, 2))
    weights[INSIDE, 0] = 1.0
    weights[:, 1] = np.linspace(-1, 1, LENGTH)
    model = folder / "linear.keras"
    build_linear(LENGTH, 1, weights, np.zeros(2)).save(model)
    data = folder / "signals.npy"
    np.save(data, np.random.default_rng(0).uniform(0.5, 1.5, (6, LENGTH, 1)).astype(np.float32))
    mask = np.zeros((6, LENGTH), bool)
    mask[:5, INSIDE] = True
    truth = folder / "mask.npy"
    np.save(truth, mask)
    return model, data, truth


def test_saliency_of_a_linear_model_finds_its_weights_exactly(files, tmp_path):
    model, data, truth = files
    out, junit = tmp_path / "out", tmp_path / "gates.xml"
    result = invoke(
        "evaluate", model, data, "--truth", truth, "-m", "saliency,gradient_x_input", "--target", "0",
        "--steps", "4", "--no-randomization", "--no-plots", "--fail-on", "truth", "--fail-on", "mass-accuracy=0.99",
        "--junit", junit, "-o", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads((out / "evaluation.json").read_text())
    rows = document["truth"]["rows"]
    assert [(row["map"], row["class"]) for row in rows] == [
        ("saliency", "all"), ("saliency", "0"), ("gradient_x_input", "all"), ("gradient_x_input", "0"),
        ("random", "all"), ("random", "0"),
    ]  # fmt: skip
    saliency = rows[0]
    assert saliency["signals"] == 5  # the empty mask is left out
    for score in ("mass_accuracy", "rank_accuracy", "pointing_game", "aup", "aur", "auprc"):
        assert saliency[score] == pytest.approx(1.0), score  # |w| is 1 inside, 0 outside
    assert rows[2]["mass_accuracy"] == pytest.approx(1.0) and rows[2]["rank_accuracy"] == pytest.approx(1.0)
    assert rows[4]["mass_accuracy"] < 0.6  # the random order: about a quarter of the mass
    per_signal = document["truth"]["per_signal"]["saliency"]["mass_accuracy"]
    assert per_signal[:5] == pytest.approx([1.0] * 5) and np.isnan(per_signal[5])  # NaN in the JSON
    with open(out / "truth.csv", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert len(written) == 6 and float(written[0]["mass_accuracy"]) == saliency["mass_accuracy"]
    assert "| saliency | all | 5 | 1.000 |" in (out / "summary.md").read_text()
    assert "mass acc" in result.output and "against the known answer" in result.output
    cases = ElementTree.parse(junit).getroot().iter("testcase")
    assert sum(1 for _ in cases) == 2 * 3 + 2  # truth: three scores per map; mass-accuracy: one per map


def test_a_failed_truth_gate_exits_9_after_writing_everything(files, tmp_path):
    model, data, truth = files
    out, junit = tmp_path / "out", tmp_path / "gates.xml"
    result = invoke(
        "evaluate", model, data, "--truth", truth, "-m", "saliency", "--target", "1", "--steps", "4",
        "--no-randomization", "--no-plots", "--fail-on", "rank-accuracy=0.9", "--junit", junit, "-o", out,
    )  # fmt: skip
    assert result.exit_code == ExitCode.GATE, result.output
    assert "saliency: mean rank_accuracy >= 0.9" in result.output
    assert (out / "truth.csv").is_file() and "failure" in junit.read_text()


def test_bad_masks_give_one_error_line_and_write_nothing(files, tmp_path):
    model, data, _ = files
    wrong = tmp_path / "wrong.npy"
    np.save(wrong, np.zeros((6, LENGTH + 1)))
    heavy = tmp_path / "heavy.npy"
    weights = np.zeros((6, LENGTH))
    weights[3, 2] = 1.5
    np.save(heavy, weights)
    text = tmp_path / "mask.csv"
    text.write_text("0,1\n")
    cases = [
        (["--truth", wrong], ExitCode.SIGNAL_FILE, f"--truth {wrong}: shape (6, 17) does not match the data's (6, 16)"),
        (["--truth", heavy], ExitCode.SIGNAL_FILE, "row 3 has a value outside 0..1"),
        (["--truth", tmp_path / "none.npy"], ExitCode.SIGNAL_FILE, "none.npy: no such file"),
        (["--truth", text], ExitCode.USAGE, "expected a .npy mask file"),
        (["--fail-on", "truth"], ExitCode.USAGE, "--fail-on truth needs --truth FILE.npy"),
        (["--fail-on", "auprc"], ExitCode.USAGE, "--fail-on auprc needs a threshold"),
    ]
    for extra, code, message in cases:
        out = tmp_path / "never"
        args = ["-m", "saliency", "--steps", "4", "--no-randomization", "--no-plots", *extra, "-o", out]
        result = invoke("evaluate", model, data, *args)
        assert result.exit_code == code, (extra, result.output)
        lines = result.output.strip().splitlines()
        assert lines[0].startswith("Error: ") and message in lines[0], result.output
        assert len(lines) <= 2 and "Traceback" not in result.output, result.output  # the error, maybe a hint
        assert not out.exists()


def _scores(model: Path, data: Path, truth: Path, out: Path, **options) -> dict:
    explain = explain_request(model, data, out, methods=("saliency", "occlusion"), target="1", plots=False, **options)
    result = evaluate(EvaluateRequest(explain=explain, steps=4, randomization=False, plots=False, truth=truth))
    return result.document["truth"]["per_signal"]


def test_scores_are_the_same_for_every_chunk_size_and_from_a_stored_run(files, tmp_path):
    model, data, _ = files
    weights = np.random.default_rng(2).random((6, LENGTH))  # a weight mask
    weighted = tmp_path / "weights.npy"
    np.save(weighted, weights)
    whole = _scores(model, data, weighted, tmp_path / "whole")
    for size in (1, 4):
        chunked = _scores(model, data, weighted, tmp_path / f"c{size}", chunk_size=size)
        assert chunked.keys() == whole.keys()
        for name, scores in chunked.items():
            for score, values in scores.items():
                np.testing.assert_array_equal(values, whole[name][score], err_msg=f"{name} {score}")
    assert 0 < np.mean(whole["saliency"]["mass_accuracy"]) < 1
    explained = tmp_path / "explained"
    done = invoke(
        "explain", model, data, "-m", "saliency,occlusion", "--baseline", "mean", "--target", "1", "--no-plots",
        "-o", explained,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    out = tmp_path / "from"
    done = invoke(
        "evaluate", model, data, "--from", explained, "--truth", weighted, "--target", "1", "--steps", "4",
        "--no-randomization", "--no-plots", "--samples", "2:6", "-o", out,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    stored = json.loads((out / "evaluation.json").read_text())["truth"]["per_signal"]
    assert stored.keys() == whole.keys()
    for name, scores in stored.items():
        for score, values in scores.items():
            np.testing.assert_allclose(values, whole[name][score][2:], rtol=1e-6, err_msg=f"{name} {score}")


def test_a_mask_check_reads_rows_in_blocks(tmp_path):
    from signalscreen_cli.evaluation.truth_masks import check_truth

    mask = np.zeros((10, 4))
    mask[7, 1] = np.nan
    np.save(tmp_path / "m.npy", mask)
    with pytest.raises(SignalFileError, match="row 7 has a value outside"):
        check_truth(tmp_path / "m.npy", (10, 4, 1), chunk_rows=3)
