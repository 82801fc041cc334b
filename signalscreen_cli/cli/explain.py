"""``signalscreen explain``: options into an ``ExplainRequest``, progress and a summary out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import UsageError
from ..params import PERFORMANCE_PANEL
from .common import byte_count, err_console, guarded, out_console, plot_formats, positive_int, shard, split, warn_unsafe
from .options import (
    INPUT_PANEL,
    OUTPUT_PANEL,
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


def explain(
    model: ModelArgument,
    data: DataArgument,
    key: Key = None,
    label_column: LabelColumn = None,
    samples: Annotated[
        str | None, typer.Option(help="Rows to explain, e.g. 0:10,42.", rich_help_panel=INPUT_PANEL, metavar="ROWS")
    ] = None,
    nan_policy: NanPolicy = None,
    segment: Annotated[
        int | None,
        typer.Option(
            help="Cut long recordings into windows of this many samples.", rich_help_panel=INPUT_PANEL, metavar="N"
        ),
    ] = None,
    hop: Annotated[
        int | None,
        typer.Option(
            help="Samples between window starts with --segment (default: no overlap).",
            rich_help_panel=INPUT_PANEL,
            metavar="N",
        ),
    ] = None,
    shard_spec: Annotated[
        str | None,
        typer.Option(
            "--shard",
            help="K/N: process the K-th of N row ranges; join with merge.",
            rich_help_panel=INPUT_PANEL,
            metavar="K/N",
        ),
    ] = None,
    method: Methods = None,
    param: MethodParams = None,
    target: Target = "auto",
    out: Out = Path("signalscreen_out"),
    normalize: Annotated[
        str,
        typer.Option(
            help="Stored maps: none, minmax or maxabs (per signal).",
            rich_help_panel=OUTPUT_PANEL,
            metavar="none|minmax|maxabs",
        ),
    ] = "none",
    class_names: ClassNames = None,
    csv: Annotated[
        bool,
        typer.Option(
            "--csv", help="Also write each univariate array as CSV.", rich_help_panel=OUTPUT_PANEL, metavar=""
        ),
    ] = False,
    plots: Plots = True,
    format: Format = None,
    max_plots: Annotated[
        int, typer.Option(help="Plot only the first N signals.", rich_help_panel=OUTPUT_PANEL, metavar="N")
    ] = 16,
    sampling_rate: Annotated[
        float | None,
        typer.Option(help="Samples per second; plots then show seconds.", rich_help_panel=OUTPUT_PANEL, metavar="HZ"),
    ] = None,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
    json_progress: Annotated[
        bool,
        typer.Option(
            "--json-progress", help="Progress as JSON lines on stderr.", rich_help_panel=OUTPUT_PANEL, metavar=""
        ),
    ] = False,
    batch_size: Annotated[
        str,
        typer.Option(
            help="Inputs per compiled model call, or auto (fits --memory-budget, at most 2048).",
            rich_help_panel=PERFORMANCE_PANEL,
            metavar="N|auto",
        ),
    ] = "auto",
    memory_budget: Annotated[
        str | None,
        typer.Option(
            help="Memory for model calls with --batch-size auto, e.g. 2G (default: 1/4 of free).",
            rich_help_panel=PERFORMANCE_PANEL,
            metavar="BYTES",
        ),
    ] = None,
    chunk_size: Annotated[
        int | None,
        typer.Option(
            help="Signals read, attributed and written per step (default: ~64 MiB of input).",
            rich_help_panel=PERFORMANCE_PANEL,
            metavar="N",
        ),
    ] = None,
    jit: Annotated[
        bool,
        typer.Option("--jit", help="Compile model calls with XLA.", rich_help_panel=PERFORMANCE_PANEL, metavar=""),
    ] = False,
    unsafe_load: Unsafe = False,
    custom_objects: CustomObjects = None,
    debug: Debug = False,
    *,
    method_options: dict[str, Any],
) -> None:
    """Attribute each signal of DATA with MODEL and write arrays, a manifest and plots to --out."""

    def work() -> None:
        from ..methods import DEFAULT_METHODS
        from ..request import ExplainRequest, check_request

        if quiet and json_progress:
            raise UsageError("--quiet and --json-progress contradict each other", "drop one of them")
        request = ExplainRequest(
            model_path=model,
            data_path=data,
            out_dir=out,
            methods=split(method) or DEFAULT_METHODS,
            options=method_options,
            method_params=tuple(param or ()),
            target=target,
            class_names=split([class_names]) if class_names else (),
            normalize=normalize,
            key=key,
            label_column=label_column,
            samples=samples,
            nan_policy=nan_policy or "error",
            write_csv=csv,
            plots=plots,
            formats=plot_formats(format, plots, ExplainRequest.formats),
            max_plots=max_plots,
            sampling_rate=sampling_rate,
            batch_size=None if batch_size == "auto" else positive_int(batch_size, "--batch-size"),
            memory_budget=byte_count(memory_budget) if memory_budget else None,
            chunk_size=chunk_size,
            jit=jit,
            segment=segment,
            hop=hop,
            shard=shard(shard_spec) if shard_spec else None,
            overwrite=overwrite,
            unsafe_load=unsafe_load,
            custom_objects=custom_objects,
        )
        check_request(request)
        warn_unsafe(unsafe_load)
        _run(request, quiet, json_progress)

    guarded(debug, work)


def _run(request: Any, quiet: bool, json_progress: bool) -> None:
    from ..pipeline import run
    from ..progress import JsonProgress, rich_bars

    if json_progress:
        result = run(request, JsonProgress())
    else:
        with rich_bars(err_console, enabled=not quiet and err_console.is_terminal) as progress:
            result = run(request, progress)
    if quiet:
        return
    out_console.print(f"Wrote {result.out_dir}", markup=False)
    for name, entry in result.manifest["arrays"].items():
        out_console.print(f"  {name:<28} {tuple(entry['shape'])}", markup=False)
    for name, seconds in result.manifest["timings_s"].items():
        out_console.print(f"  {name + ' (s)':<28} {seconds:.2f}", markup=False)


explain = with_method_options(explain)
