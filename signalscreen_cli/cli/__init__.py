"""The ``signalscreen`` command line: parses options into a request and reports results and errors.

Only typer, rich and the standard library are imported here (and the methods' numpy-free declarations, to
generate their options); TensorFlow loads inside the commands that need a model.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .. import __version__
from .common import Command, Group, guarded, out_console, warn_unsafe
from .compare import compare
from .evaluate import evaluate
from .explain import explain
from .options import OUTPUT_PANEL, CustomObjects, Debug, ModelArgument, Overwrite, Unsafe
from .report import report

app = typer.Typer(
    name="signalscreen",
    cls=Group,
    help="Explain what a 1D-signal Keras model looks at: attribution arrays and plots from one command.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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


app.command(cls=Command)(explain)
app.command(cls=Command)(evaluate)
app.command(cls=Command)(compare)
app.command(cls=Command)(report)


@app.command(cls=Command)
def inspect(
    model: ModelArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    unsafe_load: Unsafe = False,
    custom_objects: CustomObjects = None,
    output: Annotated[str | None, typer.Option(help="Multi-output model: the head shown.", metavar="NAME|K")] = None,
    signal_input: Annotated[
        str | None, typer.Option(help="Multi-input model: the signal's input.", metavar="NAME")
    ] = None,
    debug: Debug = False,
) -> None:
    """Show a model's layers, input and output, conv layers and which methods apply."""

    def work() -> None:
        from ..methods import builtin_methods
        from ..model.inspection import describe_model

        warn_unsafe(unsafe_load)
        chosen = {"output": output, "signal_input": signal_input}
        report = describe_model(model, builtin_methods(), unsafe=unsafe_load, custom_objects=custom_objects, **chosen)
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
        others = "".join(f", {name} {tuple(shape)}" for name, shape in report["inputs"]["others"].items())
        out_console.print(f"inputs: {report['inputs']['signal']} (the signal){others}", markup=False)
        if len(report["outputs"]) > 1:
            out_console.print(f"outputs: {', '.join(report['outputs'])} (shown: {report['output']})", markup=False)
        out_console.print("conv layers: " + (", ".join(report["conv_layers"]) or "(none)"), markup=False)
        out_console.print("methods: " + ", ".join(report["applicable_methods"]), markup=False)

    guarded(debug, work)


@app.command(cls=Command)
def methods(
    name: Annotated[str | None, typer.Argument(help="One method: its options in full.", metavar="[NAME]")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List the attribution methods, their options and the paper each comes from (plugins included)."""

    def work() -> None:
        from .listing import describe_all, print_listing, print_method

        listed = describe_all()
        if name is not None:
            chosen = [entry for entry in listed if entry["name"] == name]
            if not chosen:
                from ..methods import method_info

                method_info(name)  # the unknown-method error, listing the valid names
            if as_json:
                out_console.print(json.dumps(chosen[0], indent=2), markup=False)
            else:
                print_method(chosen[0])
        elif as_json:
            out_console.print(json.dumps(listed, indent=2), markup=False)
        else:
            print_listing(listed)

    guarded(False, work)


@app.command(cls=Command)
def merge(
    shards: Annotated[list[Path], typer.Argument(help="Output folders of explain --shard K/N runs, all N of them.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the joined result.", rich_help_panel=OUTPUT_PANEL)
    ] = Path("signalscreen_out"),
    overwrite: Overwrite = False,
    debug: Debug = False,
) -> None:
    """Join the outputs of sharded explain runs into one result, rows in input order."""

    def work() -> None:
        from ..pipeline.merge import merge as merge_outputs

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
