"""``signalscreen compare``: options into a ``CompareRequest``, the table and the gates out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import UsageError
from ..params import METHOD_PANEL
from . import options as opt
from .common import guarded, out_console, plot_formats, print_gates, split
from .options import OUTPUT_PANEL, option

GATES_PANEL = "Gates"
RunA = Annotated[Path, typer.Argument(help="An explain output folder (the reference).", metavar="RUN_A")]
RunB = Annotated[Path, typer.Argument(help="An explain output folder on the same signals.", metavar="RUN_B")]
Pair = option(
    list[str] | None,
    "Compare map A of run A with map B of run B (repeatable; default: maps of the same name).",
    METHOD_PANEL,
    "A=B",
    "--pair",
)
Top = option(float, "Overlap of the top N % positions of each map.", METHOD_PANEL, "N")
Least = option(int, "Draw the N least similar signals of each pair.", OUTPUT_PANEL, "N")
FailBelow = option(
    float | None, "Fail when a pair's median Pearson correlation (like with like) is below X.", GATES_PANEL, "X"
)
FailOnFlips = option(int | None, "Fail when more than N signals change their predicted class.", GATES_PANEL, "N")
Junit = option(Path | None, "Also write the gates as JUnit XML to FILE.", GATES_PANEL, "FILE")


def compare(
    run_a: RunA,
    run_b: RunB,
    pair: Pair = None,
    top: Top = 10.0,
    fail_below: FailBelow = None,
    fail_on_flips: FailOnFlips = None,
    junit: Junit = None,
    out: opt.Out = Path("signalscreen_comparison"),
    least: Least = 4,
    plots: opt.Plots = True,
    format: opt.Format = None,
    overwrite: opt.Overwrite = False,
    quiet: opt.Quiet = False,
    debug: opt.Debug = False,
) -> None:
    """How alike are the maps of RUN_A and RUN_B (two explain runs on the same signals)? Gate a CI job on it."""

    def work() -> None:
        from ..comparison.request import CompareRequest
        from ..comparison.runner import compare as run_compare
        from ..gates.checks import enforce

        request = CompareRequest(
            run_a,
            run_b,
            out,
            _pairs(pair),
            top,
            least,
            fail_below,
            fail_on_flips,
            junit,
            plots,
            plot_formats(format, plots, CompareRequest.formats),
            overwrite,
        )
        result = run_compare(request)
        if not quiet:
            _show(result)
        enforce(result.gates)

    guarded(debug, work)


def _pairs(given: list[str] | None) -> tuple[tuple[str, str], ...]:
    pairs = []
    for entry in split(given):
        name_a, equals, name_b = entry.partition("=")
        if not equals or not name_a or not name_b:
            raise UsageError(f"--pair must look like A=B (a map of each run), not {entry!r}")
        pairs.append((name_a, name_b))
    return tuple(pairs)


def _show(result: Any) -> None:
    from rich.table import Table

    signals = result.document["signals"]
    table = Table(title=f"{len(signals['sample_index'])} signals, {signals['flips']} prediction change(s)")
    for column in ("map", "compared", "median Pearson", "median Spearman", "mean cosine", "top overlap"):
        table.add_column(column, justify="left" if column in ("map", "compared") else "right")
    for row in result.rows:
        values = (row["median_pearson"], row["median_spearman"], row["mean_cosine"], row["mean_top_overlap"])
        table.add_row(row["map"], row["compared"], *(f"{value:.3f}" for value in values))
    out_console.print(table)
    print_gates(result.gates)
    out_console.print(f"Wrote {result.out_dir}", markup=False)
