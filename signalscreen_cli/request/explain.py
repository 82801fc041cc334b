"""The frozen description of one ``explain`` run: built by the CLI or the Python API, read by the pipeline.

Standard library only, so the CLI can build it before anything heavy is imported. A request is five specs
(``request/specs.py``), each field in exactly one; the old flat spellings (``request.segment``,
``ExplainRequest(model, data, out, segment=90)``, ``replace(request, plots=False)``) reach the spec that
owns the field (``nested.py``). Method parameters are not fields here: ``options`` holds the values given,
by the declared field name (``sliding_window``, ``n_steps``…), shared by every chosen method that declares
that field; ``method_params`` holds ``--param name.key=value`` settings for one method.
:func:`methods.resolve_methods` turns both into each method's validated ``Parameters``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, ClassVar

from ..errors import UsageError
from ..inputs_spec import InputsSpec
from ..nested import NestedRequest
from ..targets import Target
from .methods import option_names
from .specs import AttributionSpec, ExecutionSpec, LoadingSpec, ReadingSpec, WritingSpec


@dataclass(frozen=True, init=False)
class ExplainRequest(NestedRequest):
    """Everything ``pipeline.run`` needs; every field is recorded in the manifest (by its flat name).

    Build it from the specs, ``ExplainRequest(reading=…, loading=…, attribution=…, writing=…,
    execution=…)``, or from flat fields, ``ExplainRequest(model_path, data_path, out_dir, key=…)``; both
    may be mixed (flat fields then replace the given spec's). See each spec for its fields.
    """

    SPECS: ClassVar[dict[str, type]] = {
        "reading": ReadingSpec,
        "loading": LoadingSpec,
        "attribution": AttributionSpec,
        "writing": WritingSpec,
        "execution": ExecutionSpec,
    }
    POSITIONAL: ClassVar[tuple[str, ...]] = ("model_path", "data_path", "out_dir")

    reading: ReadingSpec
    loading: LoadingSpec
    attribution: AttributionSpec
    writing: WritingSpec
    execution: ExecutionSpec

    @property
    def parsed_target(self) -> Target:
        """``target`` as an object (classes by name through ``class_names``)."""
        return self.attribution.parsed_target



def explain_request(model_path: Path, data_path: Path, out_dir: Path, /, **keywords: Any) -> ExplainRequest:
    """An ``ExplainRequest`` from Python keywords: request fields as they are, method options by field name
    (``sliding_window=(15,)``) or by option name (``window=15``, ``steps=32``)."""
    own = {*ExplainRequest.flat_names(), *ExplainRequest.SPECS}
    aliases = option_names()
    options = dict(keywords.pop("options", {}) or {})
    io_fields = {item.name for item in fields(InputsSpec)}
    io_given = {key: keywords.pop(key) for key in list(keywords) if key in io_fields}
    if io_given:  # output=, signal_input=, inputs= as keywords of their own
        keywords["io"] = InputsSpec(**{**vars(keywords.get("io") or InputsSpec()), **io_given})
    for key, value in keywords.items():
        if key in own:
            continue
        if key not in aliases:
            raise UsageError(f"unknown option {key!r}", "request fields: " + ", ".join(sorted(own)))
        options[aliases[key]] = tuple(value) if isinstance(value, list) else value
    if isinstance(options.get("sliding_window"), int):
        options["sliding_window"] = (options["sliding_window"],)
    given = {key: value for key, value in keywords.items() if key in own}
    return ExplainRequest(Path(model_path), Path(data_path), Path(out_dir), options=options, **given)
