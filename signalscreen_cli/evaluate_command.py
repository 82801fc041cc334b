"""``signalscreen evaluate``: parses options into an ``EvaluateRequest``, shows progress and the summary table.

Only typer, rich and the standard library are imported here (``cli`` registers the command); the work
happens in ``evaluation.runner``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer


def evaluate(
    model: Annotated[Path, typer.Argument(help="Saved Keras model (.keras or .h5).")],
    data: Annotated[Path, typer.Argument(help="Signals: .npy, .csv, .npz or .h5/.hdf5.")],
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
    class_names: Annotated[str | None, typer.Option(help="Comma-separated class names, e.g. N,S,V,F,Q.")] = None,
    layer: Annotated[
        str | None, typer.Option(help="Conv layer name or index for Grad-CAM (default: last Conv1D).")
    ] = None,
    relu: Annotated[bool, typer.Option("--relu/--no-relu", help="Apply ReLU to Grad-CAM maps.")] = True,
    window: Annotated[list[int] | None, typer.Option("--window", "-w", help="Occlusion window width(s).")] = None,
    stride: Annotated[int, typer.Option(help="Occlusion: occlude every k-th position, interpolate between.")] = 1,
    occlude_channels: Annotated[
        str, typer.Option(help="Occlusion: together, or each (a map per channel).")
    ] = "together",
    blur_sigma: Annotated[float, typer.Option(help="Gaussian width (samples) of the blur baseline.")] = 5.0,
    ig_steps: Annotated[int, typer.Option(help="Integrated gradients: path steps (explain's --steps).")] = 64,
    ig_tolerance: Annotated[float, typer.Option(help="Integrated gradients: completeness gap to reach.")] = 0.01,
    noise_samples: Annotated[int, typer.Option(help="SmoothGrad family: noisy copies per signal.")] = 32,
    noise: Annotated[float, typer.Option(help="SmoothGrad family: noise sigma / (max - min) of the signal.")] = 0.15,
    key: Annotated[str | None, typer.Option(help="Array name inside .npz / dataset inside .h5.")] = None,
    label_column: Annotated[
        int | None, typer.Option(help="Column to drop from a CSV, e.g. -1 for a last label column.")
    ] = None,
    samples: Annotated[str | None, typer.Option(help="Rows to evaluate, e.g. 0:10,42.")] = None,
    nan_policy: Annotated[
        str | None, typer.Option(help="Non-finite values: error (default), zero or interpolate.")
    ] = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Draw the figures.")] = True,
    format: Annotated[str | None, typer.Option("--format", help="Plot formats: png (default), svg or png,svg.")] = None,
    batch_size: Annotated[int, typer.Option(help="Inputs per compiled model call.")] = 512,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing output folder.")] = False,
    unsafe_load: Annotated[
        bool,
        typer.Option(
            "--unsafe-load", help="Let code stored in the model file (Lambda layers) run. Trusted files only."
        ),
    ] = False,
    custom_objects: Annotated[
        Path | None, typer.Option("--custom-objects", help="A .py file defining the model's custom layers.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the random order, the randomisation and random baselines.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")] = False,
) -> None:
    """Score how faithful each method's maps are for MODEL on DATA, and write the scores to --out.

    Deletion and insertion curves against a random order, a weight-randomisation sanity check, the
    integrated-gradients completeness gap and the cost per signal.
    """
    from .cli import _split, guarded, warn_unsafe

    def work() -> None:
        from .errors import UsageError
        from .evaluation.request import EvaluateRequest

        if format and not plots:
            raise UsageError("--format and --no-plots contradict each other", "drop one of them")
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
            formats=_split([format]) if format else EvaluateRequest.formats,
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
