"""What every command shares: the consoles, the error boundary, and parsers of option text."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup

from ..errors import ExitCode, RunInterrupted, SignalScreenError, UsageError
from ..interrupts import stop_on_signals
from ..params import METHOD_PANEL, RUN_PANEL

out_console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)
T = TypeVar("T")
VALUE_NAMES = {"int": "N", "float": "X", "Path": "PATH"}


class Command(TyperCommand):
    """A command whose help shows no ``<path>``/``<bool>`` type tags: arguments are named by their metavar,
    flags need no value, and options show what their value means."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .plain_values import parse_plain_values_directly

        super().__init__(*args, **kwargs)
        for parameter in self.params:
            parse_plain_values_directly(parameter)  # no Pydantic import or adapters: plain_values.py
            if parameter.param_type_name == "argument":
                parameter.display_type_rich = lambda ctx: ""  # type: ignore[method-assign]
            elif getattr(parameter, "is_flag", False):
                parameter.metavar = ""
            elif parameter.metavar is None:
                parameter.metavar = VALUE_NAMES.get(parameter.bare_type(), "TEXT")

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """Plain help, wrapped to the terminal and grouped by panel: nothing is cut mid-word at any width
        (Rich's tables crop what does not fit their columns)."""
        self.format_usage(ctx, formatter)
        self.format_help_text(ctx, formatter)
        panels: dict[str, list[tuple[str, str]]] = {}
        hidden = [parameter.opts[0] for parameter in self.get_params(ctx) if getattr(parameter, "hidden", False)]
        for parameter in self.get_params(ctx):
            record = parameter.get_help_record(ctx)
            if record:
                panel = getattr(parameter, "rich_help_panel", None) or "Options"
                panels.setdefault("Arguments" if parameter.param_type_name == "argument" else panel, []).append(record)
        if hidden:
            known = [flag for flag in ("--window", "--steps", "--baseline", "--layer") if flag in hidden]
            where = f"{len(hidden)} options of single methods (e.g. {', '.join(known or hidden[:3])}): "
            panels.setdefault(METHOD_PANEL, []).append(("--<method option>", where + "signalscreen methods NAME"))
        for panel, rows in panels.items():
            with formatter.section(panel):
                formatter.write_dl(rows, col_max=26)
        self.format_epilog(ctx, formatter)

    def get_help_option(self, ctx: Any) -> Any:
        from .plain_values import parse_plain_values_directly

        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar, option.rich_help_panel = "", RUN_PANEL
            parse_plain_values_directly(option)
        return option


class Group(TyperGroup):
    """The ``signalscreen`` group: its own options (``--version``) parsed as the commands' are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .plain_values import parse_plain_values_directly

        super().__init__(*args, **kwargs)
        for parameter in self.params:
            parse_plain_values_directly(parameter)

    def get_help_option(self, ctx: Any) -> Any:
        from .plain_values import parse_plain_values_directly

        option = super().get_help_option(ctx)
        if option is not None:
            parse_plain_values_directly(option)
        return option


def warn_unsafe(unsafe: bool) -> None:
    if unsafe:
        err_console.print(
            "Warning: --unsafe-load lets code stored in the model file run on this machine; "
            "use it only for files you trust.",
            markup=False,
        )


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


def print_gates(gates: Any) -> None:
    for gate in gates:
        out_console.print(("PASS " if gate.passed else "FAIL ") + gate.describe(), markup=False)


def plot_formats(given: str | None, plots: bool, default: tuple[str, ...]) -> tuple[str, ...]:
    """The ``--format`` list, refusing it beside ``--no-plots``."""
    if given and not plots:
        raise UsageError("--format and --no-plots contradict each other", "drop one of them")
    return split([given]) if given else default


def split(values: list[str] | None) -> tuple[str, ...]:
    """Repeatable options also accept comma-separated lists."""
    return tuple(part.strip() for value in values or [] for part in value.split(",") if part.strip())


def positive_int(text: str, option: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise UsageError(f"{option} must be a positive integer or auto, not {text!r}")
    return int(text)


def byte_count(text: str) -> int:
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


def shard(text: str) -> tuple[int, int]:
    try:
        number, total = (int(part) for part in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard must look like K/N (e.g. 2/8), not {text!r}") from None
    return number, total


SHARED_FIELDS = {
    "model": "model_path",
    "data": "data_path",
    "out": "out_dir",
    "target": "target",
    "samples": "samples",
    "overwrite": "overwrite",
}
"""Options ``explain`` and ``evaluate`` share, by parameter name, and the request field each fills; their
shared groups (``cli/groups.py``: columns, cluster, safety) fill theirs by field name."""


def shared_request(values: dict[str, Any], **fields: Any) -> Any:
    """The ``ExplainRequest`` of a command's shared options (``values``: its parameters) and ``fields``."""
    from ..request import ExplainRequest
    from ..signals.clinical import ClinicalOptions
    from ..signals.columns import parse_column

    given = {field: values[name] for name, field in SHARED_FIELDS.items()}
    given.update(vars(values["cluster"]), **vars(values["safety"]))  # fields named as the request's
    given["clinical"] = ClinicalOptions(**values["clinical_options"])
    if "io_options" in values:  # --output, --signal-input, --input (inputs_spec.py)
        from ..inputs_spec import InputsSpec

        given["io"] = InputsSpec(**values["io_options"])
    columns = values["columns"]
    given["key"] = columns.key
    given["label_column"] = None if columns.label_column is None else parse_column(columns.label_column)
    given["drop_columns"] = tuple(parse_column(part) for part in split([columns.drop_columns or ""]))
    given.update(
        methods=split(values["method"]),
        options=values["method_options"],
        method_params=tuple(values["param"] or ()),
        class_names=split([values["class_names"]]) if values["class_names"] else (),
    )
    return ExplainRequest(**{**given, **fields})
