"""Option values parsed without Pydantic: the plain types every SignalScreen option has.

Typer (0.2x) coerces each parameter's value through a Pydantic ``TypeAdapter`` it builds on first use,
given or not: importing Pydantic and building ~70 adapters costs 0.1-0.2 s of every ``signalscreen explain``
(its method options are generated), more than the command's own work on a small file. Every option here is
a ``str``, ``int``, ``float``, ``bool``, ``Path`` or a list of one of them, with no bounds, parser or path
checks beyond typer's defaults, so this module coerces the values typer would pass through unchanged or
convert trivially, exactly as typer does:

- an absent value (``None``): ``None``, or ``()`` for a multi-value option (typer's own rule for ``None``);
- a default already of the parameter's type: itself;
- a given ``str``: itself; an ``int`` or ``float`` written in plain decimal digits: ``int(text)`` or
  ``float(text)``; a non-empty path that is readable or does not exist: ``Path(text)``; a list of these.

Anything else (a parameter with other settings, a value that does not look plain, a path that exists but is
unreadable) goes through typer as before, so its errors read as typer writes them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, get_args, get_origin

PLAIN_INT = re.compile(r"-?(0|[1-9][0-9]*)")
PLAIN_FLOAT = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")
TYPER_DEFAULTS = {
    "parser": None,
    "click_type": None,
    "min": None,
    "max": None,
    "clamp": False,
    "exists": False,
    "file_okay": True,
    "dir_okay": True,
    "writable": False,
    "readable": True,
    "resolve_path": False,
    "allow_dash": False,
    "path_type": None,
}


class NotPlain(Exception):
    """The value is left to typer."""


def parse_plain_values_directly(parameter: Any) -> None:
    """Give ``parameter`` (a typer parameter) a ``process_value`` that coerces plain values itself."""
    descriptor = getattr(parameter, "type_descriptor", None)
    if descriptor is None or not hasattr(parameter, "value_is_missing") or not _plain(descriptor):
        return
    through_typer = parameter.process_value
    multi_value = parameter.multiple or parameter.nargs == -1
    annotation = descriptor.annotation

    def process_value(ctx: Any, value: Any) -> Any:
        # typer's own steps (typer.core._TyperParameter.process_value): coerce, check, call back
        try:
            coerced = (() if multi_value else None) if value is None else plain_value(annotation, value)
        except NotPlain:
            return through_typer(ctx, value)
        if parameter.required and parameter.value_is_missing(coerced):
            return through_typer(ctx, value)  # typer's "Missing argument" error
        if parameter.callback is not None:
            coerced = parameter.callback(ctx, parameter, coerced)
        return coerced

    parameter.process_value = process_value


def _plain(descriptor: Any) -> bool:
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None:
        return False
    if any(getattr(info, name, default) != default for name, default in TYPER_DEFAULTS.items()):
        return False
    annotation = descriptor.annotation
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation) or (None,)
    return annotation in (str, int, float, bool, Path)


def plain_value(annotation: Any, value: Any) -> Any:
    """``value`` coerced to ``annotation`` as typer would; ``NotPlain`` where typer should decide."""
    if get_origin(annotation) is list:
        if not isinstance(value, list | tuple):
            raise NotPlain
        (item,) = get_args(annotation)
        return [plain_value(item, part) for part in value]
    if type(value) is annotation:  # a default of the option's own type (bool is not an int here)
        return value
    if not isinstance(value, str):
        raise NotPlain
    if annotation is str:
        return value
    if annotation is int and PLAIN_INT.fullmatch(value):
        return int(value)
    if annotation is float and PLAIN_FLOAT.fullmatch(value):
        return float(value)
    if annotation is Path and value and (os.access(value, os.R_OK) or not os.path.lexists(value)):
        return Path(value)
    raise NotPlain
