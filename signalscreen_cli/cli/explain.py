"""``signalscreen explain``: options into an ``ExplainRequest``, progress and a summary out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..params import PERFORMANCE_PANEL
from . import options as opt
from .common import (
    byte_count,
    err_console,
    guarded,
    out_console,
    plot_formats,
    positive_int,
    shard,
    shared_request,
    split,
    warn_unsafe,
)
from .groups import CLUSTER, COLUMNS, SAFETY, ClusterOptions, ColumnOptions, SafetyOptions
from .options import INPUT_PANEL, OUTPUT_PANEL, option

Labels = option(
    Path | None, "A .npy of each row's true class index; summaries then split by it.", INPUT_PANEL, "FILE.npy"
)
Segment = option(str | None, "Cut long recordings into windows of N samples (or X seconds: 1.5s).", INPUT_PANEL, "N|Xs")
Hop = option(str | None, "Between window starts with --segment (default: no overlap).", INPUT_PANEL, "N|Xs")
Resume = option(
    bool,
    "Finish a killed run into --out: its journaled chunks are checked and kept, only the missing ones computed.",
    OUTPUT_PANEL,
    None,
    "--resume",
)
Shard = option(str | None, "K/N: process the K-th of N row ranges; join with merge.", INPUT_PANEL, "K/N", "--shard")
Normalize = option(str, "Stored maps: none, minmax or maxabs (per signal).", OUTPUT_PANEL, "none|minmax|maxabs")
Csv = option(bool, "Also write each univariate array as CSV.", OUTPUT_PANEL, None, "--csv")
MaxPlots = option(int, "Plot only the first N signals.", OUTPUT_PANEL, "N")
SamplingRate = option(float | None, "Samples per second; plots then show seconds.", OUTPUT_PANEL, "HZ")
Unit = option(
    str | None,
    "The signals' unit for the plots' amplitude axis, e.g. mV (default: the header's).",
    OUTPUT_PANEL,
    "UNIT",
)
JsonProgress = option(bool, "Progress as JSON lines on stderr.", OUTPUT_PANEL, None, "--json-progress")
BatchSize = option(
    str, "Inputs per compiled model call, or auto (fits --memory-budget, at most 2048).", PERFORMANCE_PANEL, "N|auto"
)
MemoryBudget = option(
    str | None,
    "Memory for model calls with --batch-size auto, e.g. 2G (default: 1/4 of free).",
    PERFORMANCE_PANEL,
    "BYTES",
)
ChunkSize = option(
    int | None, "Signals read, attributed and written per step (default: ~64 MiB of input).", PERFORMANCE_PANEL, "N"
)
Store = option(
    str, "Array store: npz (attributions.npz) or zarr (attributions.zarr; extra: dask).", OUTPUT_PANEL, "npz|zarr"
)
Jit = option(bool, "Compile model calls with XLA.", PERFORMANCE_PANEL, None, "--jit")


def explain(
    model: opt.ModelArgument,
    data: opt.DataArgument,
    columns: ColumnOptions = COLUMNS,
    labels: Labels = None,
    samples: opt.Samples = None,
    nan_policy: opt.NanPolicy = None,
    segment: Segment = None,
    hop: Hop = None,
    shard_spec: Shard = None,
    method: opt.Methods = None,
    param: opt.MethodParams = None,
    target: opt.Target = "auto",
    out: opt.Out = Path("signalscreen_out"),
    normalize: Normalize = "none",
    class_names: opt.ClassNames = None,
    csv: Csv = False,
    store: Store = "npz",
    plots: opt.Plots = True,
    report: opt.Report = False,
    format: opt.Format = None,
    max_plots: MaxPlots = 16,
    sampling_rate: SamplingRate = None,
    unit: Unit = None,
    overwrite: opt.Overwrite = False,
    resume: Resume = False,
    quiet: opt.Quiet = False,
    json_progress: JsonProgress = False,
    batch_size: BatchSize = "auto",
    memory_budget: MemoryBudget = None,
    chunk_size: ChunkSize = None,
    jit: Jit = False,
    cluster: ClusterOptions = CLUSTER,
    safety: SafetyOptions = SAFETY,
    debug: opt.Debug = False,
    *,
    method_options: dict[str, Any],
    clinical_options: dict[str, Any],
    io_options: dict[str, Any],
) -> None:
    """Attribute each signal of DATA with MODEL and write arrays, a manifest and plots to --out."""
    values = dict(locals())  # the options explain and evaluate share go to shared_request by name

    def work() -> None:
        from ..request import check_request

        if quiet and json_progress:
            raise UsageError("--quiet and --json-progress contradict each other", "drop one of them")
        request = explain_request_of(values)
        check_request(request)
        warn_unsafe(safety.unsafe_load)
        _run(request, quiet, json_progress)

    guarded(debug, work)


def explain_request_of(values: dict[str, Any]) -> Any:
    """The ``ExplainRequest`` of ``explain``'s parameters (``values``, by name): the shared ones through
    ``shared_request``, explain's own parsed here."""
    from ..methods import DEFAULT_METHODS
    from ..request import WritingSpec

    plots = values["plots"]
    return shared_request(
        values,
        methods=split(values["method"]) or DEFAULT_METHODS,
        normalize=values["normalize"],
        store=values["store"],
        nan_policy=values["nan_policy"] or "error",
        write_csv=values["csv"],
        plots=plots,
        report=values["report"],
        formats=plot_formats(values["format"], plots, WritingSpec.formats),
        max_plots=values["max_plots"],
        sampling_rate=values["sampling_rate"],
        unit=values["unit"],
        batch_size=None if values["batch_size"] == "auto" else positive_int(values["batch_size"], "--batch-size"),
        memory_budget=byte_count(values["memory_budget"]) if values["memory_budget"] else None,
        chunk_size=values["chunk_size"],
        jit=values["jit"],
        segment=window_text(values["segment"]),
        hop=window_text(values["hop"]),
        shard=shard(values["shard_spec"]) if values["shard_spec"] else None,
        labels=values["labels"],
        resume=values["resume"],
    )


def window_text(text: str | None) -> int | str | None:
    """``--segment``/``--hop``: samples as a number; seconds (``1.5s``) stay text for the plan to resolve at the
    rate the windows are cut at."""
    return int(text) if text is not None and text.isdigit() else text


def _run(request: Any, quiet: bool, json_progress: bool) -> None:
    from ..pipeline import run
    from ..pipeline.heads import run_heads
    from ..progress import JsonProgress, rich_bars

    runner = run_heads if request.io.every_head else run
    if json_progress:
        result = runner(request, JsonProgress())
    else:
        with rich_bars(err_console, enabled=not quiet and err_console.is_terminal) as progress:
            result = runner(request, progress)
    for head, one in getattr(result, "heads", {}).items():
        if not quiet:
            out_console.print(f"Head {head}:", markup=False)
        _summary(one, quiet)
    if not request.io.every_head:
        _summary(result, quiet)


def _summary(result: Any, quiet: bool) -> None:
    for name, reason in result.manifest.get("skipped_methods", {}).items():
        err_console.print(f"Skipped {name}: {reason}", markup=False)
    if quiet:
        return
    out_console.print(f"Wrote {result.out_dir}", markup=False)
    for name, entry in result.manifest["arrays"].items():
        out_console.print(f"  {name:<28} {tuple(entry['shape'])}", markup=False)
    for name, seconds in result.manifest["timings_s"].items():
        out_console.print(f"  {name + ' (s)':<28} {seconds:.2f}", markup=False)
    from .run_notes import run_notes

    for note in run_notes(result.manifest):
        out_console.print(note, markup=False)


explain = opt.with_declared_options(explain)
