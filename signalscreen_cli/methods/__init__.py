"""Which methods exist: the built-in ones (the ``Method`` classes of this package's modules) and plugins
declared in the ``signalscreen.methods`` entry-point group.

Listing imports neither numpy nor TensorFlow: built-in method modules import numpy only inside their
functions, and a plugin is known by its entry point until it is run.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass
from importlib import metadata

from ..errors import PluginError, UsageError
from ..params import Field, Parameters, fields_of
from .base import Method

PLUGIN_GROUP = "signalscreen.methods"
DEFAULT_METHODS = ("occlusion", "saliency", "gradcam")
HELPER_MODULES = (
    "arrays",
    "base",
    "baselines",
    "occlusion_spans",
    "perturbation",
    "quadrature",
    "spectral_copies",
    "windows",
)
FAMILIES = ("perturbation", "gradient", "layer")


@dataclass(frozen=True)
class MethodInfo:
    """Where a method comes from, known without importing it.

    Attributes
    ----------
    name : str
        Name used with ``--method`` and in the output arrays.
    import_path : str
        ``"package.module:Class"``.
    source : str
        ``built-in``, or ``plugin`` with the distribution that declares it.
    """

    name: str
    import_path: str
    source: str

    @property
    def is_plugin(self) -> bool:
        return self.source != "built-in"


@functools.cache
def builtin_methods() -> dict[str, type[Method]]:
    """The built-in method classes by name: perturbation, then gradient, then layer methods."""
    found: list[type[Method]] = []
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name in HELPER_MODULES:
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, Method)
            and value.name
            and value.__module__ == module.__name__
        ]
    found.sort(key=lambda cls: FAMILIES.index(cls.family))
    return {cls.name: cls for cls in found}


@functools.cache
def plugin_entries() -> dict[str, metadata.EntryPoint]:
    """Entry points of the plugin group whose names do not shadow a built-in method."""
    builtin = builtin_methods()
    return {entry.name: entry for entry in metadata.entry_points(group=PLUGIN_GROUP) if entry.name not in builtin}


@functools.cache
def declared_parameters() -> dict[str, Field]:
    """Every built-in method's declared parameters, by field name; a name declared twice must agree."""
    found: dict[str, Field] = {}
    for cls in builtin_methods().values():
        for spec in fields_of(cls.Parameters):
            if found.setdefault(spec.name, spec) != spec:
                raise TypeError(f"parameter {spec.name!r} of {cls.name} differs from its earlier declaration")
    return found


def available_methods() -> list[str]:
    """Every method name, built-in ones first."""
    return [*builtin_methods(), *plugin_entries()]


def method_info(name: str) -> MethodInfo:
    """Where ``name`` comes from; an unknown name lists the valid ones."""
    if name in builtin_methods():
        cls = builtin_methods()[name]
        return MethodInfo(name, f"{cls.__module__}:{cls.__qualname__}", "built-in")
    entry = plugin_entries().get(name)
    if entry is None:
        raise UsageError(f"unknown method {name!r}", "choose from: " + ", ".join(available_methods()))
    distribution = f" ({entry.dist.name} {entry.dist.version})" if entry.dist else ""
    return MethodInfo(name, entry.value, f"plugin{distribution}")


def get_method(name: str) -> type[Method]:
    """The class that implements ``name``; a plugin is imported here and held to the contract."""
    info = method_info(name)
    if not info.is_plugin:
        return builtin_methods()[name]
    return _load_plugin(info)


@functools.cache
def _load_plugin(info: MethodInfo) -> type[Method]:
    hint = "fix or uninstall the package that declares it; the built-in methods still work"
    try:
        cls = plugin_entries()[info.name].load()
    except Exception as exc:  # any failure inside a third party's import is that plugin's, not ours
        raise PluginError(f"plugin method {info.name!r} ({info.import_path}) cannot be imported: {exc}", hint) from exc
    problem = contract_problem(cls, info.name)
    if problem:
        raise PluginError(
            f"plugin method {info.name!r} ({info.import_path}) breaks the method contract: {problem}", hint
        )
    return cls


def contract_problem(cls: object, name: str) -> str | None:
    """What makes ``cls`` unusable as the method ``name``, or ``None``."""
    if not (isinstance(cls, type) and issubclass(cls, Method)):
        return "it is not a subclass of signalscreen_cli.methods.base.Method"
    if cls.name != name:
        return f"its name attribute is {cls.name!r}; it must equal the entry point's name"
    if cls.attribute is Method.attribute:
        return "it does not implement attribute(adapter, x, targets)"
    if not (isinstance(cls.Parameters, type) and issubclass(cls.Parameters, Parameters)):
        return "its Parameters is not a subclass of signalscreen_cli.params.Parameters"
    try:
        fields_of(cls.Parameters)
        cls.Parameters()
    except Exception as exc:  # a broken declaration, whatever it raises
        return f"its Parameters cannot be built with defaults ({exc})"
    if not isinstance(cls.diagnostics, tuple) or not all(isinstance(item, str) for item in cls.diagnostics):
        return "diagnostics must be a tuple of array names"
    return None
