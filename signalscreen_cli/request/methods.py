"""The chosen methods and their validated parameters: declared defaults, then the options shared by every
chosen method that declares them, then one method's ``--param`` settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ..errors import UsageError
from ..params import Parameters


class ChosenMethods(Protocol):
    """What names the methods: an ``AttributionSpec``, or an ``ExplainRequest`` through its flat names."""

    methods: tuple[str, ...]
    options: Mapping[str, Any]
    method_params: tuple[str, ...]


EVERY_METHOD = "all"


def resolve_methods(request: ChosenMethods) -> list[tuple[str, Parameters]]:
    """Each chosen method's name and validated parameters: declared defaults, then ``options``, then
    ``method_params`` (of the request's ``attribution`` spec, or of the spec itself)."""
    from ..methods import declared_parameters
    from ..params import check_value, coerce

    declared = declared_parameters()
    for key, value in request.options.items():
        if key not in declared:
            raise UsageError(f"unknown method option {key!r}", "use --param METHOD.KEY=VALUE for a plugin's parameters")
        if value is not None:
            check_value(declared[key], coerce(declared[key], value))
    chosen = chosen_methods(request.methods)
    overrides = parse_method_params(request.method_params, chosen)
    resolved = [(name, method_parameters(name, request.options, overrides.get(name, {}))) for name in chosen]
    for _, params in resolved:
        wrapped_method(params, request)
    return resolved


def chosen_methods(methods: tuple[str, ...]) -> tuple[str, ...]:
    """The method names, ``all`` standing for every built-in method (the plan skips those that do not apply)."""
    from ..methods import builtin_methods

    expanded = [name for given in methods for name in (builtin_methods() if given == EVERY_METHOD else (given,))]
    return tuple(dict.fromkeys(expanded))


def method_parameters(name: str, options: Mapping[str, Any], overrides: Mapping[str, str]) -> Parameters:
    """The parameters of method ``name``: declared defaults, then the ``options`` it declares, then ``overrides``."""
    from ..methods import get_method
    from ..params import fields_of

    declared = get_method(name).Parameters
    known = {spec.name for spec in fields_of(declared)}
    for key in overrides:
        if key not in known:
            raise UsageError(
                f"--param {name}.{key}: {name} has no parameter {key!r}",
                "its parameters: " + (", ".join(sorted(known)) or "(none)"),
            )
    values = {key: value for key, value in options.items() if key in known and value is not None}
    return declared(**{**values, **overrides})


def wrapped_method(params: Parameters, request: ChosenMethods) -> tuple[str, Parameters] | None:
    """The method a wrapper's parameters name (``--smooth``), with the request's options for it."""
    inner = params.wrapped()
    return None if inner is None else (inner, method_parameters(inner, request.options, {}))


def parse_method_params(entries: tuple[str, ...], methods: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """``("occlusion.stride=4", …)`` as ``{"occlusion": {"stride": "4"}}``; the method must be chosen."""
    parsed: dict[str, dict[str, str]] = {}
    for entry in entries:
        target, equals, value = entry.partition("=")
        name, dot, key = target.strip().rpartition(".")
        if not equals or not dot or not name or not key:
            raise UsageError(f"--param must look like METHOD.KEY=VALUE, not {entry!r}")
        if name not in methods:
            raise UsageError(f"--param {entry}: {name!r} is not among the chosen methods ({', '.join(methods)})")
        parsed.setdefault(name, {})[key] = value
    return parsed


def option_names() -> dict[str, str]:
    """Every name a method option goes by in Python (field name, or a flag with ``_`` for ``-``) → field name."""
    from ..methods import declared_parameters

    names: dict[str, str] = {}
    for spec in declared_parameters().values():
        names[spec.name] = spec.name
        for flag in spec.declaration.flags:
            if flag.startswith("--"):
                names.setdefault(flag[2:].replace("-", "_"), spec.name)
    return names
