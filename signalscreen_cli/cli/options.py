"""Option types shared by the commands, and the method options generated from the methods' declarations.

Typer, the standard library and the (numpy-free) declarations only, so ``--help`` stays fast.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ..methods import declared_parameters
from ..params import METHOD_PANEL, RUN_PANEL, Field

INPUT_PANEL = "Input"
OUTPUT_PANEL = "Output"
SAFETY_PANEL = "Safety"
GENERATED = "option__"

ModelArgument = Annotated[
    Path, typer.Argument(help="Saved Keras model (.keras or .h5).", metavar="MODEL", show_default=False)
]
DataArgument = Annotated[
    Path, typer.Argument(help="Signals: .npy, .csv, .npz or .h5/.hdf5.", metavar="DATA", show_default=False)
]
Debug = Annotated[
    bool, typer.Option("--debug", help="Show the full traceback on errors.", rich_help_panel=RUN_PANEL, metavar="")
]
Unsafe = Annotated[
    bool,
    typer.Option(
        "--unsafe-load",
        help="Let code stored in the model file (Lambda layers) run. Trusted files only.",
        rich_help_panel=SAFETY_PANEL,
        metavar="",
    ),
]
CustomObjects = Annotated[
    Path | None,
    typer.Option(
        "--custom-objects",
        help="A .py file defining the model's custom layers.",
        rich_help_panel=SAFETY_PANEL,
        metavar="FILE.py",
    ),
]
Overwrite = Annotated[
    bool,
    typer.Option(
        "--overwrite",
        help="Replace an existing output folder that holds an earlier result.",
        rich_help_panel=OUTPUT_PANEL,
        metavar="",
    ),
]
Methods = Annotated[
    list[str] | None,
    typer.Option(
        "--method",
        "-m",
        help="Method(s), repeatable or comma-separated (default occlusion,saliency,gradcam; all: signalscreen "
        "methods).",
        rich_help_panel=METHOD_PANEL,
        metavar="NAME",
    ),
]
MethodParams = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        help="One method's parameter, e.g. occlusion.stride=4 (any declared parameter, plugins' too; repeatable).",
        rich_help_panel=METHOD_PANEL,
        metavar="METHOD.KEY=VALUE",
    ),
]
Target = Annotated[
    str, typer.Option(help="auto (predicted class), all, or a class index.", rich_help_panel=METHOD_PANEL, metavar="K")
]
ClassNames = Annotated[
    str | None,
    typer.Option(help="Comma-separated class names, e.g. N,S,V,F,Q.", rich_help_panel=OUTPUT_PANEL, metavar="NAMES"),
]
Key = Annotated[
    str | None,
    typer.Option(help="Array name inside .npz / dataset inside .h5.", rich_help_panel=INPUT_PANEL, metavar="NAME"),
]
LabelColumn = Annotated[
    int | None,
    typer.Option(
        help="Column to drop from a CSV, e.g. -1 for a last label column.", rich_help_panel=INPUT_PANEL, metavar="K"
    ),
]
NanPolicy = Annotated[
    str | None,
    typer.Option(
        help="Non-finite values: error (default), zero or interpolate.", rich_help_panel=INPUT_PANEL, metavar="POLICY"
    ),
]
Plots = Annotated[
    bool, typer.Option("--plots/--no-plots", help="Draw plots.", rich_help_panel=OUTPUT_PANEL, metavar="")
]
Format = Annotated[
    str | None,
    typer.Option(
        "--format", help="Plot formats: png (default), svg or png,svg.", rich_help_panel=OUTPUT_PANEL, metavar="FMT"
    ),
]
Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress bar or summary.", rich_help_panel=OUTPUT_PANEL, metavar="")
]


Out = Annotated[
    Path,
    typer.Option(
        "--out",
        "-o",
        help="Output folder (must not exist unless --overwrite).",
        rich_help_panel=OUTPUT_PANEL,
        metavar="DIR",
    ),
]


def option_parameter(spec: Field, flags: list[str]) -> inspect.Parameter:
    """The typer option of one declared field (value ``None`` when not given: the declaration's default holds)."""
    declaration = spec.declaration
    kind: Any = spec.type
    metavar = declaration.metavar or _metavar(kind, declaration.choices)
    default = spec.default
    if typing.get_origin(kind) is tuple:
        kind = list[typing.get_args(kind)[0]]  # type: ignore[misc]
        default = ",".join(str(v) for v in default)
    if kind is bool:
        flags = [f"{flags[0]}/--no-{flags[0].removeprefix('--')}", *flags[1:]]
        default = flags[0].split("/")[0 if spec.default else 1].removeprefix("--")
        metavar = ""
    shown = "" if default is None else f" \\[default: {default}]"  # escaped: help text is Rich markup
    option = typer.Option(
        *flags, help=declaration.help + shown, rich_help_panel=declaration.panel, metavar=metavar, show_default=False
    )
    optional = kind if type(None) in typing.get_args(kind) else kind | None
    return inspect.Parameter(
        GENERATED + spec.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[optional, option]
    )


def _metavar(kind: Any, choices: tuple[str, ...]) -> str:
    if choices:
        return "|".join(choices)
    plain = next((arg for arg in typing.get_args(kind) if arg is not type(None)), kind)
    if typing.get_origin(plain) is tuple:
        plain = typing.get_args(plain)[0]
    return {int: "N", float: "X"}.get(plain, "TEXT")


def with_method_options(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with one option per declared method parameter whose flags it does not define itself.

    ``command`` takes ``method_options``: the given values (``None`` left out) by field name.
    """
    signature = inspect.signature(command, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "method_options"]
    taken = {flag for p in own for flag in _flags(p)}
    generated = []
    for spec in declared_parameters().values():
        flags = [flag for flag in spec.declaration.flags if flag not in taken]
        if flags and flags[0].startswith("--"):
            generated.append(option_parameter(spec, flags))

    @functools.wraps(command)
    def wrapper(**values: Any) -> None:
        options = {
            key.removeprefix(GENERATED): tuple(value) if isinstance(value, list) else value
            for key, value in values.items()
            if key.startswith(GENERATED) and value is not None
        }
        command(
            **{key: value for key, value in values.items() if not key.startswith(GENERATED)}, method_options=options
        )

    wrapper.__signature__ = signature.replace(parameters=[*own, *generated])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {}
    del wrapper.__wrapped__  # typer must read the signature above, not the command's
    return wrapper


def _flags(parameter: inspect.Parameter) -> list[str]:
    """The flags a command's own parameter declares (``--relu/--no-relu`` gives both)."""
    infos = [item for item in typing.get_args(parameter.annotation)[1:] if hasattr(item, "param_decls")]
    declared = [part for info in infos for decl in (info.param_decls or ()) for part in str(decl).split("/")]
    if infos and isinstance(getattr(infos[0], "default", None), str) and str(infos[0].default).startswith("-"):
        declared.append(str(infos[0].default))
    return declared or ["--" + parameter.name.replace("_", "-")]
