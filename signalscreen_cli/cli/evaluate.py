"""``signalscreen evaluate``: options into an ``EvaluateRequest``, progress and the summary table out.

Only typer, rich and the standard library are imported here; the work happens in ``evaluation.runner``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..params import PERFORMANCE_PANEL, RUN_PANEL
from .common import err_console, guarded, out_console, plot_formats, split, warn_unsafe
from .options import (
    INPUT_PANEL,
    ClassNames,
    CustomObjects,
    DataArgument,
    Debug,
    Format,
    Key,
    LabelColumn,
    MethodParams,
    Methods,
    ModelArgument,
    NanPolicy,
    Out,
    Overwrite,
    Plots,
    Quiet,
    Target,
    Unsafe,
    with_method_options,
)

SCORING_PANEL = "Scoring"


def evaluate(
    model: ModelArgument,
    data: DataArgument,
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Evaluate the maps of this `explain` output folder instead of computing them.",
            rich_help_panel=INPUT_PANEL,
            metavar="DIR",
        ),
    ] = None,
    key: Key = None,
    label_column: LabelColumn = None,
    samples: Annotated[
        str | None, typer.Option(help="Rows to evaluate, e.g. 0:10,42.", rich_help_panel=INPUT_PANEL, metavar="ROWS")
    ] = None,
    nan_policy: NanPolicy = None,
    method: Methods = None,
    param: MethodParams = None,
    target: Target = "auto",
    steps: Annotated[
        int,
        typer.Option(
            help="Deletion/insertion curves: remove or restore in this many steps.",
            rich_help_panel=SCORING_PANEL,
            metavar="N",
        ),
    ] = 20,
    baseline: Annotated[
        str,
        typer.Option(
            help="What a removed position becomes (and occlusion's / integrated gradients' baseline): "
            "mean, zero, dataset-mean, blur, noise, or a .npy.",
            rich_help_panel=SCORING_PANEL,
            metavar="KIND|FILE.npy",
        ),
    ] = "mean",
    randomization: Annotated[
        bool,
        typer.Option(
            "--randomization/--no-randomization",
            help="Run the model-parameter randomisation check.",
            rich_help_panel=SCORING_PANEL,
        ),
    ] = True,
    randomization_threshold: Annotated[
        float,
        typer.Option(
            help="Fail a method whose mean rank correlation stays above this, all layers random.",
            rich_help_panel=SCORING_PANEL,
            metavar="X",
        ),
    ] = 0.9,
    out: Out = Path("signalscreen_evaluation"),
    class_names: ClassNames = None,
    plots: Plots = True,
    format: Format = None,
    batch_size: Annotated[
        int, typer.Option(help="Inputs per compiled model call.", rich_help_panel=PERFORMANCE_PANEL, metavar="N")
    ] = 512,
    overwrite: Overwrite = False,
    unsafe_load: Unsafe = False,
    custom_objects: CustomObjects = None,
    seed: Annotated[
        int,
        typer.Option(
            help="Seed of the random order, the randomisation and random baselines.",
            rich_help_panel=RUN_PANEL,
            metavar="N",
        ),
    ] = 0,
    quiet: Quiet = False,
    debug: Debug = False,
    *,
    method_options: dict[str, Any],
) -> None:
    """Score how faithful each method's maps are for MODEL on DATA, and write the scores to --out.

    Deletion and insertion curves against a random order, a weight-randomisation sanity check, the
    integrated-gradients completeness gap and the cost per signal.
    """

    def work() -> None:
        from ..evaluation.request import EvaluateRequest
        from ..request import ExplainRequest

        explain = ExplainRequest(
            model_path=model,
            data_path=data,
            out_dir=out,
            methods=split(method),
            options={**method_options, "seed": seed},
            method_params=tuple(param or ()),
            target=target,
            class_names=split([class_names]) if class_names else (),
            key=key,
            label_column=label_column,
            samples=samples,
            batch_size=batch_size,
            overwrite=overwrite,
            unsafe_load=unsafe_load,
            custom_objects=custom_objects,
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
            formats=plot_formats(format, plots, EvaluateRequest.formats),
        )
        warn_unsafe(unsafe_load)
        _run(request, quiet)

    guarded(debug, work)


def _run(request: Any, quiet: bool) -> None:
    from rich.console import Console

    from ..evaluation.report import summary_table
    from ..evaluation.runner import evaluate
    from ..progress import rich_bars

    with rich_bars(err_console, enabled=not quiet and err_console.is_terminal) as progress:
        result = evaluate(request, progress)
    if quiet:
        return
    n = len(result.document["signals"]["targets"])
    table = summary_table(result.rows, f"{n} signals, {request.steps} steps, baseline {request.baseline}")
    if out_console.is_terminal:
        out_console.print(table)  # folded to the terminal's width
    else:  # a pipe or a file gets the table whole
        whole = out_console.measure(table, options=out_console.options.update(max_width=400)).maximum
        Console(highlight=False, width=max(whole, out_console.width)).print(table)
    out_console.print(f"Wrote {result.out_dir}", markup=False)


evaluate = with_method_options(evaluate)
