"""The frozen description of one ``explain`` run (``explain.py``), the specs it is made of (``specs.py``),
its checks (``checks.py``) and the methods it resolves to (``methods.py``).

Standard library only, so the CLI can build a request before anything heavy is imported.
"""

from .checks import NORMALIZATIONS, PLOT_FORMATS, check_address, check_request, window_samples, window_syntax
from .explain import ExplainRequest, explain_request
from .methods import (
    EVERY_METHOD,
    chosen_methods,
    method_parameters,
    option_names,
    parse_method_params,
    resolve_methods,
    wrapped_method,
)
from .specs import AttributionSpec, ExecutionSpec, LoadingSpec, ReadingSpec, WritingSpec

__all__ = [
    "EVERY_METHOD",
    "NORMALIZATIONS",
    "PLOT_FORMATS",
    "AttributionSpec",
    "ExecutionSpec",
    "ExplainRequest",
    "LoadingSpec",
    "ReadingSpec",
    "WritingSpec",
    "check_address",
    "check_request",
    "chosen_methods",
    "explain_request",
    "method_parameters",
    "option_names",
    "parse_method_params",
    "resolve_methods",
    "window_samples",
    "window_syntax",
    "wrapped_method",
]
