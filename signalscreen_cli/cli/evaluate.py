"""``signalscreen evaluate``: options into an ``EvaluateRequest``, progress and the summary table out.

Only typer, rich and the standard library are imported here; the work happens in ``evaluation.runner``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..params import PERFORMANCE_PANEL, RUN_PANEL
from . import options as opt
from .common import err_console, guarded, out_console, plot_formats, print_gates, shared_request, split, warn_unsafe
from .explain import Resume
from .options import INPUT_PANEL, option

SCORING_PANEL = "Scoring"
FromDir = option(
    Path | None,
    "Evaluate the maps of this `explain` output folder instead of computing them.",
    INPUT_PANEL,
    "DIR",
    "--from",
)
Steps = option(int, "Deletion/insertion curves: remove or restore in this many steps.", SCORING_PANEL, "N")
Baseline = option(
    str,
    "What a removed position becomes (and occlusion's / integrated gradients' baseline): mean, zero, dataset-mean, "
    "blur, noise, or a .npy.",
    SCORING_PANEL,
    "KIND|FILE.npy",
)
Randomization = option(
    bool, "Run the model-parameter randomisation check.", SCORING_PANEL, None, "--randomization/--no-randomization"
)
Threshold = option(
    float, "Fail a method whose mean rank correlation stays above this, all layers random.", SCORING_PANEL, "X"
)
BatchSize = option(int, "Inputs per compiled model call.", PERFORMANCE_PANEL, "N")
FailOn = option(
    list[str] | None,
    "Fail (exit 9) when a map fails: sanity (the randomisation check), random (does not beat the random order), "
    "ig-gap=X (IG completeness gap above X). Repeatable.",
    "Gates",
    "GATE",
)
Junit = option(Path | None, "Also write the gates as JUnit XML to FILE.", "Gates", "FILE")
Seed = option(int, "Seed of the random order, the randomisation and random baselines.", RUN_PANEL, "N")


def evaluate(
    model: opt.ModelArgument,
    data: opt.DataArgument,
    from_dir: FromDir = None,
    key: opt.Key = None,
    label_column: opt.LabelColumn = None,
    samples: opt.Samples = None,
    nan_policy: opt.NanPolicy = None,
    method: opt.Methods = None,
    param: opt.MethodParams = None,
    target: opt.Target = "auto",
    steps: Steps = 20,
    baseline: Baseline = "mean",
    randomization: Randomization = True,
    randomization_threshold: Threshold = 0.9,
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
    dask: opt.Dask = None,
    dask_ship: opt.DaskShip = False,
    dask_timeout: opt.DaskTimeout = 30.0,
    unsafe_load: opt.Unsafe = False,
    custom_objects: opt.CustomObjects = None,
    seed: Seed = 0,
    quiet: opt.Quiet = False,
    debug: opt.Debug = False,
    *,
    method_options: dict[str, Any],
    clinical_options: dict[str, Any],
) -> None:
    """Score how faithful each method's maps are for MODEL on DATA, and write the scores to --out.

    Deletion and insertion curves against a random order, a weight-randomisation sanity check, the
    integrated-gradients completeness gap and the cost per signal.
    """
    values = dict(locals())  # the options explain and evaluate share go to shared_request by name

    def work() -> None:
        from ..evaluation.request import EvaluateRequest

        explain = shared_request(
            values, options={**method_options, "seed": seed}, batch_size=batch_size, resume=resume
        )
        request = EvaluateRequest(
            explain=explain,
            from_dir=from_dir,
            steps=steps,
            baseline=baseline,
            randomization=randomization,
            randomization_threshold=randomization_threshold,
            nan_policy=nan_policy,
            plots=plots,
            report=report,
            formats=plot_formats(format, plots, EvaluateRequest.formats),
            fail_on=split(fail_on),
            junit=junit,
        )
        warn_unsafe(unsafe_load)
        _run(request, quiet)

    guarded(debug, work)


def _run(request: Any, quiet: bool) -> None:
    from ..evaluation.runner import evaluate
    from ..gates import enforce
    from ..progress import rich_bars

    with rich_bars(err_console, enabled=not quiet and err_console.is_terminal) as progress:
        result = evaluate(request, progress)
    if not quiet:
        _show(request, result)
    enforce(result.gates)


def _show(request: Any, result: Any) -> None:
    from rich.console import Console

    from ..evaluation.report import summary_table

    n = len(result.document["signals"]["targets"])
    table = summary_table(result.rows, f"{n} signals, {request.steps} steps, baseline {request.baseline}")
    if out_console.is_terminal:
        out_console.print(table)  # folded to the terminal's width
    else:  # a pipe or a file gets the table whole
        whole = out_console.measure(table, options=out_console.options.update(max_width=400)).maximum
        Console(highlight=False, width=max(whole, out_console.width)).print(table)
    print_gates(result.gates)
    out_console.print(f"Wrote {result.out_dir}", markup=False)


evaluate = opt.with_declared_options(evaluate)
