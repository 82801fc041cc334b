"""``signalscreen evaluate``: options into an ``EvaluateRequest``, progress and the summary table out.

Only typer, rich and the standard library are imported here; the work happens in ``evaluation.runner``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..evaluation.scoring_options import ScoringOptions
from ..params import PERFORMANCE_PANEL, RUN_PANEL
from . import options as opt
from .common import err_console, guarded, out_console, plot_formats, print_gates, shared_request, split, warn_unsafe
from .explain import Resume
from .groups import CLUSTER, COLUMNS, SAFETY, ClusterOptions, ColumnOptions, SafetyOptions
from .options import INPUT_PANEL, option

SCORING = ScoringOptions()
"""The declared defaults: ``with_declared_options`` gives ``evaluate`` one option per field in its place."""
FromDir = option(
    Path | None,
    "Evaluate the maps of this `explain` output folder instead of computing them.",
    INPUT_PANEL,
    "DIR",
    "--from",
)
BatchSize = option(int, "Inputs per compiled model call.", PERFORMANCE_PANEL, "N")
FailOn = option(
    list[str] | None,
    "Fail (exit 9) when a map fails: sanity (the randomisation check), random (does not beat the random order), "
    "ig-gap=X (IG completeness gap above X); with --truth: truth (does not beat the random order), "
    "mass-accuracy=X, rank-accuracy=X, pointing-game=X, aup=X, aur=X, auprc=X (mean below X); with --robustness: "
    "sparseness=X (below X), complexity=X, max-sensitivity=X, avg-sensitivity=X, local-lipschitz=X (above X); "
    "with --faithfulness: road (MoRF/LeRF no better than the random order), faithfulness-correlation=X, "
    "road-lerf=X (below X), road-morf=X, random-logit=X (above X). Repeatable.",
    "Gates",
    "GATE",
)
Junit = option(Path | None, "Also write the gates as JUnit XML to FILE.", "Gates", "FILE")
Seed = option(int, "Seed of the random order, the randomisation and random baselines.", RUN_PANEL, "N")


def evaluate(
    model: opt.ModelArgument,
    data: opt.DataArgument,
    from_dir: FromDir = None,
    columns: ColumnOptions = COLUMNS,
    samples: opt.Samples = None,
    nan_policy: opt.NanPolicy = None,
    method: opt.Methods = None,
    param: opt.MethodParams = None,
    target: opt.Target = "auto",
    scoring: ScoringOptions = SCORING,
    fail_on: FailOn = None,
    junit: Junit = None,
    out: opt.Out = Path("signalscreen_evaluation"),
    class_names: opt.ClassNames = None,
    plots: opt.Plots = True,
    report: opt.Report = False,
    format: opt.Format = None,
    batch_size: BatchSize = 512,
    overwrite: opt.Overwrite = False,
    resume: Resume = False,
    cluster: ClusterOptions = CLUSTER,
    safety: SafetyOptions = SAFETY,
    seed: Seed = 0,
    quiet: opt.Quiet = False,
    debug: opt.Debug = False,
    *,
    method_options: dict[str, Any],
    clinical_options: dict[str, Any],
    io_options: dict[str, Any],
) -> None:
    """Score how faithful each method's maps are for MODEL on DATA, and write the scores to --out.

    Deletion and insertion curves against a random order, a weight-randomisation sanity check, the
    integrated-gradients completeness gap and the cost per signal.
    """
    values = dict(locals())  # the options explain and evaluate share go to shared_request by name

    def work() -> None:
        request = evaluate_request_of(values)
        warn_unsafe(safety.unsafe_load)
        _run(request, quiet)

    guarded(debug, work)


def evaluate_request_of(values: dict[str, Any]) -> Any:
    """The ``EvaluateRequest`` of ``evaluate``'s parameters (``values``, by name): the maps' explain request
    through ``shared_request``, the scoring options as their group, the gates and outputs."""
    from ..evaluation.request import EvaluateRequest

    options = {**values["method_options"], "seed": values["seed"]}
    explain = shared_request(values, options=options, batch_size=values["batch_size"], resume=values["resume"])
    return EvaluateRequest(
        explain,
        scoring=values["scoring"],
        from_dir=values["from_dir"],
        nan_policy=values["nan_policy"],
        plots=values["plots"],
        report=values["report"],
        formats=plot_formats(values["format"], values["plots"], EvaluateRequest.formats),
        fail_on=split(values["fail_on"]),
        junit=values["junit"],
    )


def _run(request: Any, quiet: bool) -> None:
    from ..evaluation.runner import evaluate
    from ..gates.checks import enforce
    from ..progress import rich_bars

    with rich_bars(err_console, enabled=not quiet and err_console.is_terminal) as progress:
        result = evaluate(request, progress)
    if not quiet:
        _show(request, result)
    enforce(result.gates)


def _show(request: Any, result: Any) -> None:
    from ..evaluation.report import summary_table

    n = len(result.document["signals"]["targets"])
    table = summary_table(result.rows, f"{n} signals, {request.steps} steps, baseline {request.baseline}")
    _print(table)
    _show_score_tables(request, result.document)
    print_gates(result.gates)
    out_console.print(f"Wrote {result.out_dir}", markup=False)


def _show_score_tables(request: Any, document: dict[str, Any]) -> None:
    """The tables of ``--truth``, ``--robustness``, ``--faithfulness`` and ``--waves``, when they ran."""
    from ..evaluation.faithfulness_report import faithfulness_table
    from ..evaluation.robustness_report import robustness_table
    from ..evaluation.truth_report import truth_table
    from ..evaluation.wave_report import wave_table

    tables = (
        ("truth", truth_table, f"against the known answer in {request.truth}"),
        ("robustness", robustness_table, "concentration and robustness"),
        ("faithfulness", faithfulness_table, "faithfulness correlation, ROAD, random-logit"),
        ("waves", wave_table, f"relevance per wave ({request.waves})"),
    )
    for section, table, title in tables:
        if section in document:
            _print(table(document[section]["rows"], title))


def _print(table: Any) -> None:
    from rich.console import Console

    if out_console.is_terminal:
        out_console.print(table)  # folded to the terminal's width
    else:  # a pipe or a file gets the table whole
        whole = out_console.measure(table, options=out_console.options.update(max_width=400)).maximum
        Console(highlight=False, width=max(whole, out_console.width)).print(table)


evaluate = opt.with_declared_options(evaluate)
