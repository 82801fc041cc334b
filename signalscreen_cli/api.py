"""The Python API: what a notebook holds — a ``keras.Model`` or a path, an array or a path — in, arrays out.

``explain`` runs the CLI's pipeline once (writing exactly what the CLI writes when ``out`` is given, holding
everything in memory otherwise). ``Explainer`` keeps the model's compiled calls and the methods between
calls, for many small explanations in a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import UsageError
from .methods import DEFAULT_METHODS
from .pipeline import MemoryResult, RunResult, collect, run
from .request import ExplainRequest, check_request, explain_request
from .results.access import ResultAccess
from .targets import Target


def request_for(model: Any, data: Any, out: str | Path | None, options: dict[str, Any]) -> ExplainRequest:
    """A request whose model and signals are paths, or Python objects named for the manifest."""
    in_memory = {}
    if isinstance(model, str | Path):
        model_path = Path(model)
    else:
        model_path = Path(f"<keras.Model {getattr(model, 'name', type(model).__name__)} at {id(model):#x}>")
        in_memory["model"] = model
    if isinstance(data, str | Path):
        data_path = Path(data)
    else:
        data_path, in_memory["signals"] = Path("<array>"), data
    return explain_request(
        model_path, data_path, Path(out) if out is not None else Path("<memory>"), **in_memory, **options
    )


def explain(model: Any, data: Any, out: str | Path | None = None, **options: Any) -> RunResult | MemoryResult:
    """Attribute ``data`` (a signal file, or an array ``(n, L)``/``(n, L, C)``, or for a multi-input model a dict
    of every input's arrays by name: ``{"ecg": x, "age_sex": m}``) with ``model`` (a model file or
    a ``keras.Model``). With ``out``, write what ``signalscreen explain`` writes and return a ``RunResult``;
    without, write nothing and return a ``MemoryResult`` (``.arrays``, ``.manifest``).

    ``options`` are ``ExplainRequest`` fields or method options, by declared name (``sliding_window=(15,)``)
    or by option name (``window=15``, ``steps=32``). ``output="all"`` explains every head of a multi-output
    model and returns a ``HeadsResult`` (``result["rhythm"]`` is one head's result).
    """
    request = request_for(model, data, out, options)
    if request.io.every_head:
        from .pipeline.heads import collect_heads, run_heads

        return run_heads(request) if out is not None else collect_heads(request)  # type: ignore[return-value]
    return run(request) if out is not None else collect(request)


@dataclass(frozen=True)
class Explanation(ResultAccess):
    """One ``Explainer.explain`` call's arrays, read like any result (``targets``, ``maps``, ``plot``).

    Attributes
    ----------
    arrays : dict of str to numpy.ndarray
        ``predictions``, ``targets`` and every method's arrays, first axis the signal.
    signals : numpy.ndarray
        The signals explained, float32 ``(n, L, C)``.
    kinds : dict of str to str
        ``attribution``, ``diagnostic`` or ``index`` for each array.
    seconds : dict of str to float
        Each method's wall time.
    manifest : dict
        What a run's manifest would say of these arrays: their kinds and makers, the class names, the
        model's output activation and the sampling rate.
    """

    arrays: dict[str, np.ndarray]
    signals: np.ndarray
    kinds: dict[str, str]
    seconds: dict[str, float]
    manifest: dict[str, Any]

    def signal(self, i: int) -> np.ndarray:
        return self.signals[i]


class Explainer:
    """A model and methods set up once; ``explain(x)`` reuses the compiled calls for every batch size.

    ``options`` are those of :func:`explain` (method options, ``target``, ``normalize``, ``batch_size``…).
    """

    def __init__(self, model: Any, methods: tuple[str, ...] | list[str] = DEFAULT_METHODS, **options: Any) -> None:
        from .pipeline.plan import method_plans
        from .pipeline.specs import model_spec

        self.request = request_for(model, np.zeros((1, 1), np.float32), None, {"methods": tuple(methods), **options})
        check_request(self.request)
        plans = method_plans(self.request)
        if any(plan.data_needs() for plan in plans):
            raise UsageError("an Explainer has no data file to take the dataset mean from", "choose another baseline")
        self.model_spec = model_spec(self.request)
        self.adapter = self.model_spec.load()
        self.methods = [plan.build(None, self.request.sampling_rate) for plan in plans]

    def explain(self, x: Any, target: str | None = None) -> Explanation:
        """Attribute the signals ``x`` (``(L,)``, ``(n, L)`` or ``(n, L, C)``; for a multi-input model a dict of
        every input's arrays by name, one row per signal) for ``target`` (the options')."""
        from .model.context import bind
        from .pipeline.chunks import attribute_chunk
        from .pipeline.context_plan import context_means
        from .signals.context_files import context_values, memory_context, signal_array
        from .signals.files import array_rows, fit_to_model, read_rows

        self.adapter = self.model_spec.load()  # the same adapter unless the model's weights changed (model.cache)
        rows = array_rows(signal_array(x, self.adapter.signal_input), Path("<array>"))
        signals = fit_to_model(
            read_rows(rows, np.arange(len(rows)), Path("<array>")), self.adapter.input_shape, Path("<array>")
        )
        every = np.arange(len(signals))
        others = memory_context(x, self.adapter.signal_input)
        context, _ = context_values(self.adapter.context_inputs, {}, others, len(signals), every, Path("<array>"))
        chosen = self.request.parsed_target if target is None else Target.parse(target, self.request.class_names)
        if (chosen.steps or (0, None)) != (self.adapter.output_steps or (0, None)):
            raise UsageError(
                f"target {chosen.spec!r} sums other output steps than this Explainer's ({self.request.target!r})",
                "make an Explainer with that target",
            )
        bound = bind(self.adapter, context, context_means(context))  # the means: over the rows given
        chunk = attribute_chunk(bound, self.methods, signals, every, chosen, self.request.normalize)
        arrays = dict(chunk.arrays)
        if chosen.every_class:  # as the CLI writes it: the classes along the maps' class axis
            arrays["targets"] = np.arange(self.adapter.n_outputs, dtype=np.int32)
        described = {
            name: {"kind": kind, **chunk.parameters.get(name, {"method": None, "parameters": {}})}
            for name, kind in chunk.kinds.items()
        }
        manifest = {
            "arrays": described,
            "class_names": list(self.request.class_names),
            "model": {"output_activation": self.adapter.output_activation},
            "parameters": {"sampling_rate": self.request.sampling_rate, "target": chosen.spec},
        }
        return Explanation(arrays, signals, chunk.kinds, chunk.seconds, manifest)

    def plot(self, result: Explanation, i: int, array: str | None = None) -> Any:
        """``result.plot(i, array)``: signal ``i`` coloured by ``array`` (default: the first map)."""
        return result.plot(i, array)
