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
from ..params import INPUT_PANEL, METHOD_PANEL, RUN_PANEL, Field, fields_of
from .groups import SafetyOptions

OUTPUT_PANEL = "Output"
GENERATED = "__generated__"


def option(kind: Any, help: str, panel: str, metavar: str | None = None, *flags: str) -> Any:
    """An option's type, help, ``--help`` panel, value name and flags (default: from the parameter's name)."""
    return Annotated[kind, typer.Option(*flags, help=help, rich_help_panel=panel, metavar=metavar)]


ModelArgument = Annotated[Path, typer.Argument(help="Saved Keras model (.keras or .h5).", metavar="MODEL")]
DataArgument = Annotated[Path, typer.Argument(help="Signals: .npy, .csv, .npz or .h5/.hdf5.", metavar="DATA")]
Debug = option(bool, "Show the full traceback on errors.", RUN_PANEL, None, "--debug")
Overwrite = option(
    bool, "Replace an existing output folder that holds an earlier result.", OUTPUT_PANEL, None, "--overwrite"
)
Methods = option(
    list[str] | None,
    "Method(s), repeatable or comma-separated, or all (default: occlusion, saliency, gradcam).",
    METHOD_PANEL,
    "NAME",
    "--method",
    "-m",
)
MethodParams = option(
    list[str] | None,
    "One method's parameter, e.g. occlusion.stride=4 (any declared parameter, plugins' too; repeatable).",
    METHOD_PANEL,
    "METHOD.KEY=VALUE",
    "--param",
)
Target = option(
    str,
    "auto (predicted class), all, a class index or a --class-names name; CLASS@START:END sums output steps.",
    METHOD_PANEL,
    "K[@A:B]",
)
ClassNames = option(str | None, "Comma-separated class names, e.g. N,S,V,F,Q.", OUTPUT_PANEL, "NAMES")
Samples = option(str | None, "Rows to read, e.g. 0:10,42.", INPUT_PANEL, "ROWS")
NanPolicy = option(str | None, "Non-finite values: error (default), zero or interpolate.", INPUT_PANEL, "POLICY")
Report = option(
    bool,
    "Also write report.html: one page that works offline (see signalscreen report).",
    OUTPUT_PANEL,
    None,
    "--report",
)
Plots = option(bool, "Draw plots.", OUTPUT_PANEL, None, "--plots/--no-plots")
Format = option(str | None, "Plot formats: png (default), svg or png,svg.", OUTPUT_PANEL, "FMT", "--format")
Quiet = option(bool, "No progress bar or summary.", OUTPUT_PANEL, None, "--quiet", "-q")
Out = option(Path, "Output folder (must not exist unless --overwrite).", OUTPUT_PANEL, "DIR", "--out", "-o")


def option_parameter(spec: Field, flags: list[str], prefix: str, hidden: bool = False) -> inspect.Parameter:
    """The typer option of one declared field (value ``None`` when not given: the declaration's default holds);
    ``hidden`` ones are left out of ``--help`` (``signalscreen methods NAME`` lists a method's own)."""
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
    listed = declaration.choices and not all(choice in declaration.help for choice in declaration.choices)
    shown = (f" One of {', '.join(declaration.choices)}." if listed else "") + (
        "" if default in (None, "") else f" [default: {default}]"
    )
    option = typer.Option(
        *flags,
        help=declaration.help + shown,
        rich_help_panel=declaration.panel,
        metavar=metavar,
        show_default=False,
        hidden=hidden,
    )
    optional = kind if type(None) in typing.get_args(kind) else kind | None
    return inspect.Parameter(
        prefix + spec.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[optional, option]
    )


def _metavar(kind: Any, choices: tuple[str, ...]) -> str:
    if choices:
        listed = "|".join(choices)
        return listed if len(listed) <= 16 else "KIND"
    plain = next((arg for arg in typing.get_args(kind) if arg is not type(None)), kind)
    if typing.get_origin(plain) is tuple:
        plain = typing.get_args(plain)[0]
    return {int: "N", float: "X"}.get(plain, "TEXT")


def with_declared_options(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with one option per declared parameter whose flags it does not define itself.

    A parameter of ``command`` whose type is a ``Parameters`` dataclass (``scoring: ScoringOptions``) becomes,
    in its place, one option per declared field (flags, help and defaults as declared), and ``command`` is
    given the dataclass built from them. The other declarations are the methods' (given to ``command`` as
    ``method_options``), the clinical reading options' (``clinical_options``) and, for a command with an
    ``io_options`` parameter, the model inputs and outputs' (``inputs_spec.InputsSpec``): each a dict of the
    values given (``None`` left out) by field name.
    """
    from ..inputs_spec import InputsSpec
    from ..signals.clinical import ClinicalOptions

    groups = {"method_options": list(declared_parameters().values()), "clinical_options": fields_of(ClinicalOptions)}
    signature = inspect.signature(command, eval_str=True)
    if "io_options" in signature.parameters:  # a command that matches a model's inputs and outputs to data
        groups["io_options"] = fields_of(InputsSpec)
    inline = {p.name: p.annotation for p in signature.parameters.values() if _is_parameters(p.annotation)}
    own = [
        expanded
        for p in signature.parameters.values()
        if p.name not in groups
        for expanded in (_inline_options(p) if p.name in inline else [p])
    ]
    taken = {flag for p in own for flag in _flags(p)}
    generated = []
    for group, specs in groups.items():
        for spec in specs:
            flags = [flag for flag in spec.declaration.flags if flag not in taken]
            if flags and flags[0].startswith("--"):
                own_option = group == "method_options" and spec.declaration.panel == METHOD_PANEL
                generated.append(option_parameter(spec, flags, f"{group}{GENERATED}", hidden=own_option))

    @functools.wraps(command)
    def wrapper(**values: Any) -> None:
        given: dict[str, dict[str, Any]] = {group: {} for group in [*groups, *inline]}
        for key, value in values.items():
            group, generated_from, name = key.partition(GENERATED)
            if generated_from and value is not None:
                given[group][name] = tuple(value) if isinstance(value, list) else value
        built = {name: kind(**given.pop(name)) for name, kind in inline.items()}
        command(**{key: value for key, value in values.items() if GENERATED not in key}, **given, **built)

    wrapper.__signature__ = signature.replace(parameters=[*own, *generated])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {}
    del wrapper.__wrapped__  # typer must read the signature above, not the command's
    return wrapper


def _is_parameters(annotation: Any) -> bool:
    from ..params import Parameters

    return isinstance(annotation, type) and issubclass(annotation, Parameters)


def _inline_options(parameter: inspect.Parameter) -> list[inspect.Parameter]:
    """One option per declared field of ``parameter``'s ``Parameters`` type, in its place."""
    return [
        inspect.Parameter(
            f"{parameter.name}{GENERATED}{name}",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=getattr(parameter.annotation(), name),
            annotation=declared_option(parameter.annotation, name),
        )
        for name in (spec.name for spec in fields_of(parameter.annotation))
    ]


def declared_option(declared: type, name: str) -> Any:
    """Field ``name`` of a ``Parameters`` class as a command's own option type: the declared flags (a bool
    whose flags are not declared gets ``--x/--no-x``), help, panel and value name; typer shows the default."""
    spec = next(spec for spec in fields_of(declared) if spec.name == name)
    declaration = spec.declaration
    flags = list(declaration.flags)
    given_flags = declared.__dataclass_fields__[name].metadata["declaration"].flags
    if spec.type is bool and not given_flags:
        flags = [f"{flags[0]}/--no-{flags[0].removeprefix('--')}", *flags[1:]]
    return Annotated[
        spec.type,
        typer.Option(
            *flags, help=declaration.help, rich_help_panel=declaration.panel, metavar=declaration.metavar or None
        ),
    ]


def _flags(parameter: inspect.Parameter) -> list[str]:
    """The flags a command's own parameter declares (``--relu/--no-relu`` gives both)."""
    infos = [item for item in typing.get_args(parameter.annotation)[1:] if hasattr(item, "param_decls")]
    declared = [part for info in infos for decl in (info.param_decls or ()) for part in str(decl).split("/")]
    if infos and isinstance(getattr(infos[0], "default", None), str) and str(infos[0].default).startswith("-"):
        declared.append(str(infos[0].default))
    return declared or ["--" + parameter.name.replace("_", "-")]


Unsafe = declared_option(SafetyOptions, "unsafe_load")  # inspect's, as explain's and evaluate's (groups.py)
CustomObjects = declared_option(SafetyOptions, "custom_objects")
