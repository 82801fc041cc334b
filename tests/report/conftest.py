"""One sample run (N and V, three methods, labels), its evaluation, and their reports, made once."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from signalscreen_cli.cli import app

ROOT = Path(__file__).parents[2]
MODEL = ROOT / "sample_models" / "ecg_cnn.keras"
CSV = ROOT / "sample_data" / "ecg_beats.csv"


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="session")
def reports(tmp_path_factory) -> dict[str, Path]:
    """``run`` (explain --report), ``evaluation`` (evaluate --from run --report) and ``combined`` (report RUN
    --evaluation EVAL -o FILE)."""
    folder = tmp_path_factory.mktemp("report")
    run, evaluation, combined = folder / "run", folder / "evaluation", folder / "combined.html"
    explained = invoke(
        "explain", MODEL, CSV, "--label-column", "-1", "--class-names", "N,V", "--sampling-rate", "125",
        "--no-plots", "--report", "-q", "-o", run,
    )  # fmt: skip
    assert explained.exit_code == 0, explained.output
    evaluated = invoke(
        "evaluate", MODEL, CSV, "--from", run, "--label-column", "-1", "--steps", "8", "--no-plots", "--report",
        "-q", "-o", evaluation,
    )  # fmt: skip
    assert evaluated.exit_code == 0, evaluated.output
    reported = invoke("report", run, "--evaluation", evaluation, "-o", combined)
    assert reported.exit_code == 0, reported.output
    return {"run": run / "report.html", "evaluation": evaluation / "report.html", "combined": combined}


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium at 1280 × 900, one per test module (``cdp.py``)."""
    from tests.report.cdp import BROWSER, Chromium

    chromium = Chromium(BROWSER, width=1280, height=900)
    try:
        yield chromium
    finally:
        chromium.close()
