"""``signalscreen evaluate`` end to end on the sample model: table, JSON, CSV and plots agree; ``--from``; errors."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode

ROOT = Path(__file__).parents[2]
MODEL = ROOT / "sample_models" / "ecg_cnn.keras"
DATA = ROOT / "sample_data" / "ecg_beats.npy"


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def read_csv(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    out = tmp_path_factory.mktemp("eval") / "out"
    result = invoke(
        "evaluate", MODEL, DATA, "--samples", "0:6", "-m", "saliency,gradcam", "-m", "integrated_gradients",
        "--ig-steps", "16", "--steps", "10", "--format", "png,svg", "--class-names", "N,V", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out, result.output


def test_table_json_csv_and_plots_agree(evaluated):
    out, printed = evaluated
    document = json.loads((out / "evaluation.json").read_text())
    rows = read_csv(out / "evaluation.csv")
    assert [row["map"] for row in rows] == ["saliency", "gradcam", "integrated_gradients", "random"]
    assert len(document["summary"]) == len(rows)
    for row, summary in zip(rows, document["summary"], strict=True):
        for column, value in summary.items():
            assert row[column] == ("" if value is None else str(value) if isinstance(value, str) else repr(value))
            if isinstance(value, float):
                assert float(row[column]) == value  # the very same numbers
    maps = document["curves"]["maps"]
    for row in document["summary"]:
        assert row["deletion_auc"] == pytest.approx(np.mean(maps[row["map"]]["deletion"]["auc"]))
        assert row["insertion_auc"] == pytest.approx(np.mean(maps[row["map"]]["insertion"]["auc"]))
    assert len(document["curves"]["fractions"]) == 11 and len(maps["saliency"]["deletion"]["curves"]) == 6
    randomization = document["randomization"]
    assert randomization["layers"] == ["logits", "conv2", "conv1"]
    assert rows[0]["randomization_check"] in ("pass", "fail") and rows[-1]["randomization_check"] == ""
    assert (
        document["integrated_gradients"]["integrated_gradients"]["mean"]
        == document["summary"][2]["ig_completeness_gap"]
    )
    assert document["summary"][0]["ig_completeness_gap"] is None
    assert set(document["signals"]["target_names"]) <= {"N", "V"}
    assert document["parameters"]["steps"] == 10
    assert document["method_parameters"]["integrated_gradients"]["n_steps"] == 16
    for stem in ("curves", "randomization"):
        for ext in ("png", "svg"):
            assert (out / f"{stem}.{ext}").stat().st_size > 5000
    for name in ("saliency", "gradcam", "integrated_gradients", "random", "deletion", "insertion"):
        assert name in printed
    assert f"{document['summary'][0]['deletion_auc']:.4f}" in printed
    assert not [p for p in out.parent.iterdir() if ".partial-" in p.name]


def test_from_an_explain_output(tmp_path, evaluated):
    explained = tmp_path / "explained"
    result = invoke(
        "explain", MODEL, DATA, "--samples", "0:6", "-m", "saliency,integrated_gradients", "--steps", "16",
        "--no-plots", "-o", explained,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = tmp_path / "from"
    result = invoke(
        "evaluate", MODEL, DATA, "--from", explained, "--steps", "10", "--no-randomization", "--no-plots",
        "--samples", "1:6", "-o", out, "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == ""  # --quiet
    document = json.loads((out / "evaluation.json").read_text())
    assert document["source"]["kind"] == "explain output" and document["randomization"] is None
    assert [row["map"] for row in document["summary"]] == ["saliency", "integrated_gradients", "random"]
    assert document["signals"]["sample_index"] == [1, 2, 3, 4, 5]
    manifest = json.loads((explained / "manifest.json").read_text())
    delta = np.load(explained / "attributions.npz")["integrated_gradients_delta"][1:]
    assert document["integrated_gradients"]["integrated_gradients"]["per_signal"] == pytest.approx(delta.tolist())
    assert document["seconds_per_sample"]["saliency"] == pytest.approx(manifest["timings_s"]["saliency"] / 6)
    # saliency does not depend on the baseline: the stored maps score as the ones computed here
    computed = json.loads((evaluated[0] / "evaluation.json").read_text())["curves"]["maps"]["saliency"]
    stored = document["curves"]["maps"]["saliency"]
    np.testing.assert_allclose(stored["deletion"]["auc"], computed["deletion"]["auc"][1:], rtol=1e-5)
    assert not list((tmp_path).glob("*.partial-*"))


def test_bad_from_folders_give_one_error_line(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    other = tmp_path / "other"
    other.mkdir()
    (other / "attributions.npz").write_bytes(b"")
    data = {"path": "d.npy", "sha256": "0" * 64, "signals": 2}
    manifest = {"model": {"sha256": "0" * 64, "path": "m.keras"}, "data": data, "parameters": {}, "arrays": {}}
    (other / "manifest.json").write_text(json.dumps(manifest))
    cases = [
        (empty, "no manifest.json"),
        (tmp_path / "missing", "no such folder"),
        (other, "was made from model 'm.keras'"),
    ]
    for folder, message in cases:
        out = tmp_path / "never"
        result = invoke("evaluate", MODEL, DATA, "--from", folder, "-o", out, "--samples", "0:2")
        assert result.exit_code == ExitCode.USAGE, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: --from ") and message in lines[0], result.output
        assert not out.exists()


def test_usage_and_output_errors(tmp_path):
    existing = tmp_path / "exists"
    existing.mkdir()
    cases = [
        (["--target", "all"], ExitCode.USAGE, "--target all is not supported"),
        (["--baseline", "interp"], ExitCode.USAGE, "--baseline interp"),
        (["-m", "lime"], ExitCode.USAGE, "unknown method 'lime'"),
        (["--steps", "500"], ExitCode.USAGE, "--steps 500 must be between 1 and the signal length 187"),
        (["-o", existing], ExitCode.OUTPUT, "already exists"),
    ]
    for extra, code, message in cases:
        args = ["evaluate", MODEL, DATA, "--samples", "0:2", "-m", "saliency", "--no-randomization", "--no-plots"]
        result = invoke(*args, *(extra if "-o" in extra else [*extra, "-o", tmp_path / "never"]))
        assert result.exit_code == code, (extra, result.output)
        assert message in result.output and "Traceback" not in result.output, result.output
    assert not (tmp_path / "never").exists() and list(existing.iterdir()) == []


def test_evaluate_help_imports_no_tensorflow():
    code = (
        "import sys\n"
        "from signalscreen_cli.cli import run\n"
        "sys.argv = ['signalscreen', 'evaluate', '--help']\n"
        "try:\n"
        "    run()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('tensorflow', 'keras', 'numpy', 'matplotlib', 'scipy')\n"
        "print('HEAVY', sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--randomization" in done.stdout and "HEAVY []" in done.stdout
