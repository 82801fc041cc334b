"""``signalscreen evaluate``: parses options into an ``EvaluateRequest``, shows progress and the summary table.

Only typer, rich and the standard library are imported here (``cli`` registers the command); the work
happens in ``evaluation.runner``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .cli_options import (
    BlurSigma,
    ClassNames,
    CustomObjects,
    DataArgument,
    Debug,
    Format,
    IgTolerance,
    Key,
    LabelColumn,
    Layer,
    ModelArgument,
    Noise,
    NoiseSamples,
    OccludeChannels,
    Overwrite,
    Relu,
    Stride,
    Unsafe,
    Window,
)


def evaluate(
    model: ModelArgument,
    data: DataArgument,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (must not exist unless --overwrite).")] = Path(
        "signalscreen_evaluation"
    ),
    method: Annotated[
        list[str] | None,
        typer.Option("--method", "-m", help="Method(s) to evaluate, repeatable or comma-separated."),
    ] = None,
    from_dir: Annotated[
        Path | None,
        typer.Option("--from", help="Evaluate the maps of this `explain` output folder instead of computing them."),
    ] = None,
    steps: Annotated[int, typer.Option(help="Deletion/insertion curves: remove or restore in this many steps.")] = 20,
    baseline: Annotated[
        str,
        typer.Option(
            help="What a removed position becomes (and occlusion's / integrated gradients' baseline): "
            "mean, zero, dataset-mean, blur, noise, or a .npy."
        ),
    ] = "mean",
    randomization: Annotated[
        bool,
        typer.Option("--randomization/--no-randomization", help="Run the model-parameter randomisation check."),
    ] = True,
    randomization_threshold: Annotated[
        float, typer.Option(help="Fail a method whose mean rank correlation stays above this, all layers random.")
    ] = 0.9,
    target: Annotated[str, typer.Option(help="auto (predicted class) or a class index.")] = "auto",
    class_names: ClassNames = None,
    layer: Layer = None,
    relu: Relu = True,
    window: Window = None,
    stride: Stride = 1,
    occlude_channels: OccludeChannels = "together",
    blur_sigma: BlurSigma = 5.0,
    ig_steps: Annotated[int, typer.Option(help="Integrated gradients: path steps (explain's --steps).")] = 64,
    ig_tolerance: IgTolerance = 0.01,
    noise_samples: NoiseSamples = 32,
    noise: Noise = 0.15,
    key: Key = None,
    label_column: LabelColumn = None,
    samples: Annotated[str | None, typer.Option(help="Rows to evaluate, e.g. 0:10,42.")] = None,
    nan_policy: Annotated[
        str | None, typer.Option(help="Non-finite values: error (default), zero or interpolate.")
    ] = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Draw the figures.")] = True,
    format: Format = None,
    batch_size: Annotated[int, typer.Option(help="Inputs per compiled model call.")] = 512,
    overwrite: Overwrite = False,
    unsafe_load: Unsafe = False,
    custom_objects: CustomObjects = None,
    seed: Annotated[int, typer.Option(help="Seed of the random order, the randomisation and random baselines.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table.")] = False,
    debug: Debug = False,
) -> None:
    """Score how faithful each method's maps are for MODEL on DATA, and write the scores to --out.

    Deletion and insertion curves against a random order, a weight-randomisation sanity check, the
    integrated-gradients completeness gap and the cost per signal.
    """
    from .cli import _split, guarded, plot_formats, warn_unsafe

    def work() -> None:
        from .evaluation.request import EvaluateRequest

        request = EvaluateRequest(
            model_path=model,
            data_path=data,
            out_dir=out,
            methods=_split(method),
            from_dir=from_dir,
            steps=steps,
            baseline=baseline,
            randomization=randomization,
            randomization_threshold=randomization_threshold,
            target=target,
            class_names=_split([class_names]) if class_names else (),
            layer=layer,
            relu=relu,
            windows=tuple(window) if window else EvaluateRequest.windows,
            stride=stride,
            occlude_channels=occlude_channels,
            blur_sigma=blur_sigma,
            ig_steps=ig_steps,
            ig_tolerance=ig_tolerance,
            noise_samples=noise_samples,
            noise=noise,
            key=key,
            label_column=label_column,
            samples=samples,
            nan_policy=nan_policy,
            plots=plots,
            formats=plot_formats(format, plots, EvaluateRequest.formats),
            batch_size=batch_size,
            overwrite=overwrite,
            unsafe_load=unsafe_load,
            custom_objects=custom_objects,
            seed=seed,
        )
        warn_unsafe(unsafe_load)
        _run(request, quiet)

    guarded(debug, work)


def _run(request: Any, quiet: bool) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .cli import err_console, out_console
    from .evaluation.report import summary_table
    from .evaluation.runner import evaluate

    with Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=quiet or not err_console.is_terminal,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

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
