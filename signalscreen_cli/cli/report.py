"""``signalscreen report``: one self-contained HTML page of an explain run (and its evaluation)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import guarded, out_console
from .options import INPUT_PANEL, OUTPUT_PANEL, Debug, option

Evaluation = option(Path | None, "An evaluate output folder to include.", INPUT_PANEL, "EVAL_DIR", "--evaluation")
AllowMismatch = option(
    bool,
    "Show an --evaluation of another model, data file or rows than RUN's, with a warning banner.",
    INPUT_PANEL,
    None,
    "--allow-mismatch",
)
Output = option(Path | None, "Where to write the page (default: RUN/report.html).", OUTPUT_PANEL, "FILE", "--out", "-o")


def report(
    run: Annotated[Path, typer.Argument(help="The output folder of a signalscreen explain run.", metavar="RUN")],
    evaluation: Evaluation = None,
    out: Output = None,
    allow_mismatch: AllowMismatch = False,
    debug: Debug = False,
) -> None:
    """Write one HTML page that works offline: the run, predictions, what the model looks at per class,
    method agreement, the hardest signals, the evaluation and a gallery."""

    def work() -> None:
        from ..report.build import REPORT_FILE, write_report

        written = write_report(run, evaluation, out or run / REPORT_FILE, allow_mismatch=allow_mismatch)
        out_console.print(f"Wrote {written} ({written.stat().st_size / 1e6:.2f} MB)", markup=False)

    guarded(debug, work)
