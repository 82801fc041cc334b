"""Method parameters declared once: a frozen dataclass whose fields carry default, help, checks and panel.

From these declarations come the command-line options of ``explain`` and ``evaluate``, the request's
validation, ``signalscreen methods --json`` and the manifest's parameters. Standard library only, so the
command line can read them before anything heavy is imported.

A field is declared with :func:`param`::

    @dataclass(frozen=True)
    class OcclusionParameters(Parameters):
        stride: int = param(1, "Occlusion: occlude every k-th position, interpolate between.", minimum=1)

Its option is ``--stride`` (``flags`` names others); ``minimum`` and ``choices`` are checked when the
parameters are built; a class-level ``check`` adds rules that involve several fields.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import UsageError

INPUT_PANEL = "Input"
METHOD_PANEL = "Methods"
RUN_PANEL = "Run"
PERFORMANCE_PANEL = "Performance"


@dataclass(frozen=True)
class Declaration:
    """What a parameter field says about itself besides its type and default.

    Attributes
    ----------
    help : str
        One line for ``--help`` and ``signalscreen methods``.
    flags : tuple of str
        Command-line flags, first the main one; a command drops a flag it already defines for itself.
    panel : str
        The ``--help`` panel it is listed in.
    minimum : float or None
        Smallest allowed value (each element for a tuple).
    choices : tuple of str
        Allowed values, if restricted.
    metavar : str
        What ``--help`` shows for the value.
    """

    help: str
    flags: tuple[str, ...]
    panel: str = METHOD_PANEL
    minimum: float | None = None
    choices: tuple[str, ...] = ()
    metavar: str = ""


def param(
    default: Any,
    help: str,
    *,
    flags: tuple[str, ...] = (),
    panel: str = METHOD_PANEL,
    minimum: float | None = None,
    choices: tuple[str, ...] = (),
    metavar: str = "",
) -> Any:
    """A dataclass field with its declaration (``flags`` default to ``--<field-name>``, filled in later)."""
    declaration = Declaration(help, flags, panel, minimum, choices, metavar)
    return dataclasses.field(default=default, metadata={"declaration": declaration})


@dataclass(frozen=True)
class Field:
    """One declared parameter, resolved: name, type, default and declaration."""

    name: str
    type: Any
    default: Any
    declaration: Declaration

    @property
    def flag(self) -> str:
        return self.declaration.flags[0]

    def describe(self) -> dict[str, Any]:
        """The JSON form used by ``signalscreen methods --json`` and the manifest."""
        info = {
            "name": self.name,
            "flags": list(self.declaration.flags),
            "type": type_name(self.type),
            "default": list(self.default) if isinstance(self.default, tuple) else self.default,
            "help": self.declaration.help,
            "panel": self.declaration.panel,
        }
        if self.declaration.minimum is not None:
            info["minimum"] = self.declaration.minimum
        if self.declaration.choices:
            info["choices"] = list(self.declaration.choices)
        return info


@dataclass(frozen=True)
class Parameters:
    """Base of every method's parameter dataclass (and the parameters of a method with none).

    Building one brings each value to its declared type and checks it.
    """

    def __post_init__(self) -> None:
        for spec in fields_of(type(self)):
            value = coerce(spec, getattr(self, spec.name))
            object.__setattr__(self, spec.name, value)
            check_value(spec, value)
        self.check()

    def check(self) -> None:
        """Rules that involve several fields (raise ``UsageError``)."""

    def data_needs(self) -> frozenset[str]:
        """Statistics of the whole data file these parameters need (``dataset_mean``)."""
        return frozenset()

    def wrapped(self) -> str | None:
        """The method whose maps a wrapper's method transforms (``--smooth``), if any."""
        return None

    def as_dict(self) -> dict[str, Any]:
        return {spec.name: getattr(self, spec.name) for spec in fields_of(type(self))}


def fields_of(cls: type) -> list[Field]:
    """The declared fields of a ``Parameters`` dataclass, in declaration order."""
    return list(_declared_fields(cls))


@functools.cache
def _declared_fields(cls: type) -> tuple[Field, ...]:
    """Resolved once per class: ``typing.get_type_hints`` costs about 0.1 ms a class, and every request,
    parameter set and generated option asks again."""
    if not dataclasses.is_dataclass(cls):
        return ()
    hints = typing.get_type_hints(cls)
    found = []
    for item in dataclasses.fields(cls):
        declaration = item.metadata.get("declaration")
        if declaration is None:
            raise TypeError(f"{cls.__name__}.{item.name} is not declared with param()")
        if not declaration.flags:
            declaration = dataclasses.replace(declaration, flags=("--" + item.name.replace("_", "-"),))
        found.append(Field(item.name, hints[item.name], item.default, declaration))
    return tuple(found)


def type_name(kind: Any) -> str:
    """``int``, ``float``, ``str``, ``bool``, ``int...`` (a tuple) or ``str?`` (may be None)."""
    args = typing.get_args(kind)
    if typing.get_origin(kind) is tuple:
        return f"{type_name(args[0])}..."
    if type(None) in args:
        return type_name(next(arg for arg in args if arg is not type(None))) + "?"
    return getattr(kind, "__name__", str(kind))


def coerce(spec: Field, value: Any) -> Any:
    """Bring a value given as text (``--param``) or as a list (JSON) to the field's type."""
    kind = spec.type
    args = typing.get_args(kind)
    if value is None:
        return None
    if typing.get_origin(kind) is tuple:
        given = [value] if isinstance(value, str) or not isinstance(value, list | tuple) else value
        items = [part for item in given for part in (item.split(",") if isinstance(item, str) else [item])]
        element = args[0]
        return tuple(_scalar(spec, element, item) for item in items)
    if type(None) in args:
        kind = next(arg for arg in args if arg is not type(None))
    return _scalar(spec, kind, value)


def _scalar(spec: Field, kind: Any, value: Any) -> Any:
    if not isinstance(value, str) or kind is str:
        return value
    text = value.strip()
    try:
        if kind is bool:
            if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            return text.lower() in ("true", "1", "yes")
        if kind in (int, float):
            return kind(text)
    except ValueError:
        raise UsageError(f"{spec.flag}: cannot read {value!r} as {type_name(kind)}") from None
    return value


def check_value(spec: Field, value: Any) -> None:
    """The declared minimum and choices; the message names the field's main flag."""
    declaration = spec.declaration
    values = value if isinstance(value, tuple) else (value,)
    if declaration.minimum is not None:
        for item in values:
            if isinstance(item, int | float) and item < declaration.minimum:
                lowest = declaration.minimum
                shown = int(lowest) if float(lowest).is_integer() else lowest
                raise UsageError(f"{spec.flag} must be at least {shown}, not {item}")
    if declaration.choices and value not in declaration.choices:
        raise UsageError(f"{spec.flag} must be one of {', '.join(declaration.choices)}, not {value!r}")


def build(cls: type[Parameters], given: Mapping[str, Any]) -> Parameters:
    """Parameters of ``cls`` from ``given`` (field name → value); unknown names are ignored."""
    known = {spec.name for spec in fields_of(cls)}
    return cls(**{name: value for name, value in given.items() if name in known and value is not None})
