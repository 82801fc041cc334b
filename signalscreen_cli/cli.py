"""The ``signalscreen`` command line: parses options into a request and reports results and errors.

Only typer, rich and the standard library are imported here; TensorFlow loads inside the commands
that need a model.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
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
from .errors import ExitCode, RunInterrupted, SignalScreenError, UsageError
from .interrupts import stop_on_signals

app = typer.Typer(
    name="signalscreen",
    help="Explain what a 1D-signal Keras model looks at: attribution arrays and plots from one command.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out_console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)
T = TypeVar("T")


def warn_unsafe(unsafe: bool) -> None:
    if unsafe:
        err_console.print(
            "Warning: --unsafe-load lets code stored in the model file run on this machine; "
            "use it only for files you trust.",
            markup=False,
        )


def _version(value: bool) -> None:
    if value:
        out_console.print(f"signalscreen {__version__}", markup=False)
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Explain what a 1D-signal Keras model looks at."""


def guarded(debug: bool, work: Callable[[], T]) -> T:
    """Run ``work``; turn our errors into one ``Error:`` line and the documented exit code."""
    if not debug:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        with stop_on_signals():
            return work()
    except SignalScreenError as error:
        if debug:
            raise
        err_console.print(f"Error: {error.message}", markup=False)
        if error.hint:
            err_console.print(f"  hint: {error.hint}", markup=False)
        raise typer.Exit(int(error.exit_code)) from None
    except KeyboardInterrupt:
        if debug:
            raise
        err_console.print(f"Error: {RunInterrupted.__doc__}", markup=False)
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except Exception as error:  # a bug of ours: say so in one line, traceback with --debug
        if debug:
            raise
        err_console.print(f"Error: internal error: {type(error).__name__}: {error}", markup=False)
        err_console.print("  hint: rerun with --debug for the traceback and report it", markup=False)
        raise typer.Exit(int(ExitCode.INTERNAL)) from None


def plot_formats(given: str | None, plots: bool, default: tuple[str, ...]) -> tuple[str, ...]:
    """The ``--format`` list, refusing it beside ``--no-plots``."""
    if given and not plots:
        raise UsageError("--format and --no-plots contradict each other", "drop one of them")
    return _split([given]) if given else default


def _split(values: list[str] | None) -> tuple[str, ...]:
    """Repeatable options also accept comma-separated lists."""
    return tuple(part.strip() for value in values or [] for part in value.split(",") if part.strip())


@app.command()
def explain(
    model: ModelArgument,
    data: DataArgument,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (must not exist unless --overwrite).")] = Path(
        "signalscreen_out"
    ),
    method: Annotated[
        list[str] | None,
        typer.Option(
            "--method",
            "-m",
            help="Method(s), repeatable or comma-separated (default occlusion,saliency,gradcam; all: signalscreen "
            "methods).",
        ),
    ] = None,
    window: Window = None,
    target: Annotated[str, typer.Option(help="auto (predicted class), all, or a class index.")] = "auto",
    class_names: ClassNames = None,
    layer: Layer = None,
    relu: Relu = True,
    baseline: Annotated[
        str,
        typer.Option(
            help="Occlusion / integrated-gradients baseline: zero, mean, dataset-mean, interp, blur, noise, or a .npy."
        ),
    ] = "zero",
    blur_sigma: BlurSigma = 5.0,
    stride: Stride = 1,
    occlude_channels: OccludeChannels = "together",
    steps: Annotated[int, typer.Option(help="Integrated gradients: path steps (doubled where needed).")] = 64,
    ig_tolerance: IgTolerance = 0.01,
    noise_samples: NoiseSamples = 32,
    noise: Noise = 0.15,
    normalize: Annotated[str, typer.Option(help="Stored maps: none, minmax or maxabs (per signal).")] = "none",
    key: Key = None,
    label_column: LabelColumn = None,
    samples: Annotated[str | None, typer.Option(help="Rows to explain, e.g. 0:10,42.")] = None,
    nan_policy: Annotated[str, typer.Option(help="Non-finite values: error, zero or interpolate.")] = "error",
    csv: Annotated[bool, typer.Option("--csv", help="Also write each univariate array as CSV.")] = False,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Draw plots.")] = True,
    format: Format = None,
    max_plots: Annotated[int, typer.Option(help="Plot only the first N signals.")] = 16,
    sampling_rate: Annotated[float | None, typer.Option(help="Samples per second; plots then show seconds.")] = None,
    batch_size: Annotated[
        str, typer.Option(help="Inputs per compiled model call, or auto (fits --memory-budget, at most 2048).")
    ] = "auto",
    memory_budget: Annotated[
        str | None, typer.Option(help="Memory for model calls with --batch-size auto, e.g. 2G (default: 1/4 of free).")
    ] = None,
    chunk_size: Annotated[
        int | None, typer.Option(help="Signals read, attributed and written per step (default: ~64 MiB of input).")
    ] = None,
    jit: Annotated[bool, typer.Option("--jit", help="Compile model calls with XLA.")] = False,
    segment: Annotated[int | None, typer.Option(help="Cut long recordings into windows of this many samples.")] = None,
    hop: Annotated[
        int | None, typer.Option(help="Samples between window starts with --segment (default: no overlap).")
    ] = None,
    shard: Annotated[str | None, typer.Option(help="K/N: process the K-th of N row ranges; join with merge.")] = None,
    json_progress: Annotated[bool, typer.Option("--json-progress", help="Progress as JSON lines on stderr.")] = False,
    overwrite: Overwrite = False,
    unsafe_load: Unsafe = False,
    custom_objects: CustomObjects = None,
    seed: Annotated[int, typer.Option(help="Seed for every random choice.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
    debug: Debug = False,
) -> None:
    """Attribute each signal of DATA with MODEL and write arrays, a manifest and plots to --out."""

    def work() -> None:
        from .methods import DEFAULT_METHODS
        from .request import ExplainRequest, check_request

        request = ExplainRequest(
            model_path=model,
            data_path=data,
            out_dir=out,
            methods=_split(method) or DEFAULT_METHODS,
            windows=tuple(window) if window else ExplainRequest.windows,
            target=target,
            class_names=_split([class_names]) if class_names else (),
            layer=layer,
            relu=relu,
            baseline=baseline,
            blur_sigma=blur_sigma,
            stride=stride,
            occlude_channels=occlude_channels,
            steps=steps,
            ig_tolerance=ig_tolerance,
            noise_samples=noise_samples,
            noise=noise,
            normalize=normalize,
            key=key,
            label_column=label_column,
            samples=samples,
            nan_policy=nan_policy,
            write_csv=csv,
            plots=plots,
            formats=plot_formats(format, plots, ExplainRequest.formats),
            max_plots=max_plots,
            sampling_rate=sampling_rate,
            batch_size=None if batch_size == "auto" else _positive_int(batch_size, "--batch-size"),
            memory_budget=_bytes(memory_budget) if memory_budget else None,
            chunk_size=chunk_size,
            jit=jit,
            segment=segment,
            hop=hop,
            shard=_shard(shard) if shard else None,
            overwrite=overwrite,
            unsafe_load=unsafe_load,
            custom_objects=custom_objects,
            seed=seed,
        )
        if quiet and json_progress:
            raise UsageError("--quiet and --json-progress contradict each other", "drop one of them")
        check_request(request)
        warn_unsafe(unsafe_load)
        _run_explain(request, quiet, json_progress)

    guarded(debug, work)


def _run_explain(request: Any, quiet: bool, json_progress: bool) -> None:
    from .pipeline import run
    from .progress import JsonProgress, rich_bars

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


def _positive_int(text: str, option: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise UsageError(f"{option} must be a positive integer or auto, not {text!r}")
    return int(text)


def _bytes(text: str) -> int:
    """``512M``, ``2G``, ``1.5G`` or a plain number of bytes."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    cleaned = text.strip().upper().removesuffix("B")
    scale = units.get(cleaned[-1:], 1)
    try:
        value = float(cleaned[:-1] if scale > 1 else cleaned) * scale
    except ValueError:
        raise UsageError(f"--memory-budget: cannot read {text!r}", "write e.g. 512M or 2G") from None
    if value <= 0:
        raise UsageError("--memory-budget must be positive")
    return int(value)


def _shard(text: str) -> tuple[int, int]:
    try:
        shard, shards = (int(part) for part in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard must look like K/N (e.g. 2/8), not {text!r}") from None
    return shard, shards


@app.command()
def inspect(
    model: ModelArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    unsafe_load: Unsafe = False,
    custom_objects: CustomObjects = None,
    debug: Debug = False,
) -> None:
    """Show a model's layers, input and output, conv layers and which methods apply."""

    def work() -> None:
        from .inspection import describe_model

        warn_unsafe(unsafe_load)
        report = describe_model(model, unsafe=unsafe_load, custom_objects=custom_objects)
        if as_json:
            out_console.print(json.dumps(report, indent=2), markup=False, soft_wrap=True)
            return
        table = Table(title=f"{model.name}: input {tuple(report['input_shape'])} → {report['n_outputs']} outputs")
        for column in ("#", "layer", "type", "output shape", "params", "conv"):
            table.add_column(column)
        for layer in report["layers"]:
            table.add_row(
                str(layer["index"]),
                layer["name"],
                layer["type"],
                str(tuple(layer["output_shape"])),
                str(layer["parameters"]),
                "yes" if layer["is_conv"] else "",
            )
        out_console.print(table)
        out_console.print(f"output activation: {report['output_activation']}", markup=False)
        out_console.print(f"logits: {report['logit_path']}", markup=False)
        out_console.print("conv layers: " + (", ".join(report["conv_layers"]) or "(none)"), markup=False)
        out_console.print("methods: " + ", ".join(report["applicable_methods"]), markup=False)

    guarded(debug, work)


@app.command()
def methods(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List the attribution methods, their options and the paper each comes from."""
    from dataclasses import asdict

    from .methods import REGISTRY

    if as_json:
        out_console.print(json.dumps([asdict(spec) for spec in REGISTRY.values()], indent=2), markup=False)
        return
    width = max(len(name) for name in REGISTRY)
    for spec in REGISTRY.values():
        out_console.print(f"{spec.name:<{width}}  {spec.summary}", markup=False)
        details = f"{spec.family}; options: {spec.parameters}; paper: {spec.paper}"
        out_console.print(f"{'':<{width}}  {details}", markup=False)


from .evaluate_command import evaluate  # noqa: E402  (registered last: it imports from this module lazily)

app.command()(evaluate)


@app.command()
def merge(
    shards: Annotated[list[Path], typer.Argument(help="Output folders of explain --shard K/N runs, all N of them.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the joined result.")] = Path("signalscreen_out"),
    overwrite: Overwrite = False,
    debug: Debug = False,
) -> None:
    """Join the outputs of sharded explain runs into one result, rows in input order."""

    def work() -> None:
        from .merge import merge as merge_outputs

        manifest = merge_outputs(list(shards), out, overwrite)
        out_console.print(
            f"Wrote {out} ({manifest['data']['signals']} signals from {len(shards)} shards)", markup=False
        )

    guarded(debug, work)


def run() -> None:
    """Console-script entry point."""
    app(prog_name="signalscreen")


if __name__ == "__main__":
    sys.exit(run())
