"""Joins of two outputs are checked: ``report --evaluation`` refuses an evaluation of another model, data or
rows (exit code 2, nothing written) unless ``--allow-mismatch``, and then the page says so in a banner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode
from signalscreen_cli.results.joins import MismatchedOutputs, Source, check_join, differences

ROOT = Path(__file__).parents[2]
CSV = ROOT / "sample_data" / "ecg_beats.csv"
RETRAINED = ROOT / "sample_models" / "ecg_cnn_retrained.keras"
BANNER = "These outputs do not come from the same source"


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def other_model(tmp_path_factory) -> Path:
    """An evaluation of the same signals with the retrained model."""
    folder = tmp_path_factory.mktemp("other") / "evaluated"
    done = invoke(
        "evaluate", RETRAINED, CSV, "--label-column", "-1", "-m", "saliency", "--steps", "4", "--no-randomization",
        "--no-plots", "-q", "-o", folder,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    return folder


def test_an_evaluation_of_another_model_is_refused(reports, other_model, tmp_path):
    run = reports["run"].parent
    page = tmp_path / "page.html"
    done = invoke("report", run, "--evaluation", other_model, "-o", page)
    assert done.exit_code == ExitCode.USAGE, done.output
    output = " ".join(done.output.split())
    assert f"Error: --evaluation {other_model} was made from model '{RETRAINED}'" in output
    assert "pass --allow-mismatch" in output and not page.exists()


def test_allow_mismatch_shows_the_join_with_a_banner(reports, other_model, tmp_path):
    page = tmp_path / "page.html"
    done = invoke("report", reports["run"].parent, "--evaluation", other_model, "-o", page, "--allow-mismatch")
    assert done.exit_code == 0, done.output
    text = page.read_text(encoding="utf-8")
    assert BANNER in text and "ecg_cnn_retrained.keras" in text and 'role="alert"' in text


def test_an_evaluation_of_other_rows_is_refused(reports, tmp_path):
    evaluation = reports["evaluation"].parent
    fewer = tmp_path / "fewer"
    shutil.copytree(evaluation, fewer)
    document = json.loads((fewer / "evaluation.json").read_text())
    document["signals"]["sample_index"] = document["signals"]["sample_index"][:8]
    (fewer / "evaluation.json").write_text(json.dumps(document))
    done = invoke("report", reports["run"].parent, "--evaluation", fewer, "-o", tmp_path / "page.html")
    assert done.exit_code == ExitCode.USAGE, done.output
    output = " ".join(done.output.split())
    assert f"--evaluation {fewer} covers 8 rows (0–7), {reports['run'].parent} 32 rows (0–31)" in output


def test_the_matching_join_has_no_banner(reports):
    assert BANNER not in reports["combined"].read_text(encoding="utf-8")


def test_evaluate_from_a_subset_reports_it_with_the_banner(reports, tmp_path):
    out = tmp_path / "subset"
    done = invoke(
        "evaluate", ROOT / "sample_models" / "ecg_cnn.keras", CSV, "--from", reports["run"].parent, "--label-column",
        "-1", "--samples", "0:8", "--steps", "4", "--no-randomization", "--no-plots", "--report", "-q", "-o", out,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    text = (out / "report.html").read_text(encoding="utf-8")
    assert BANNER in text and "covers 8 rows (0–7)" in text


def test_differences_name_model_data_and_rows():
    a = Source("A", "m" * 64, "d" * 64, "a.keras", "x.npy", np.arange(4))
    b = Source("B", "n" * 64, "e" * 64, "b.keras", "y.npy", np.array([0, 1, 5]))
    found = differences(a, b)
    assert found == [
        f"B was made from model 'b.keras' (sha256 {'n' * 12}…), A from 'a.keras' (sha256 {'m' * 12}…)",
        f"B was made from data 'y.npy' (sha256 {'e' * 12}…), A from 'x.npy' (sha256 {'d' * 12}…)",
        "B covers 3 rows (0, 1, 5), A 4 rows (0–3)",
    ]
    assert differences(a, a) == [] and differences(a, b, roles=("rows",)) == found[2:]
    with pytest.raises(MismatchedOutputs) as raised:
        check_join(a, b, False, "--allow-mismatch")
    assert raised.value.exit_code == ExitCode.USAGE
    assert check_join(a, b, True, "--allow-mismatch") == found
