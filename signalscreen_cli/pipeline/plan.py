"""A plan: the rows, the chunks, the model to load and the methods with their parameters, as plain data.

Everything in a :class:`Plan` pickles, so an executor may carry it to other processes; what cannot travel
(the loaded model, an open file) is made again where it is needed, from :class:`ModelSpec` and
:class:`DataSpec`, once per process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ..errors import ShapeMismatchError, UsageError
from ..model.batching import auto_chunk_rows
from ..params import Parameters
from ..request import EVERY_METHOD, ExplainRequest, resolve_methods, window_samples, wrapped_method
from ..signals.files import (
    RowSource,
    fit_to_model,
    parse_samples,
    read_rows,
)
from ..signals.segments import window_starts
from ..targets import AUTO, Target

if TYPE_CHECKING:
    from ..methods.base import Method
    from ..model.adapter import ModelAdapter
    from ..records import ChunkResult


from .context_plan import plan_context
from .specs import DataSpec, ModelSpec, data_spec, model_spec


class Stage(Protocol):
    """A step applied to every chunk after the methods, by the executor, with the model at hand."""

    def __call__(self, adapter: ModelAdapter, methods: list[Method], chunk: ChunkResult) -> ChunkResult: ...


@dataclass(frozen=True)
class MethodPlan:
    """One method to run: its name, validated parameters and its ``.npy`` baseline, read once here."""

    name: str
    params: Parameters
    baseline_values: np.ndarray | None = field(default=None, repr=False, compare=False)
    inner: MethodPlan | None = None
    """The method a wrapper (the SmoothGrad family) runs on its noisy copies."""

    @classmethod
    def of(cls, name: str, params: Parameters, inner: MethodPlan | None = None) -> MethodPlan:
        from ..methods.baselines import read_baseline_file

        path = getattr(params, "baseline_file", None)
        return cls(name, params, None if path is None else read_baseline_file(path), inner)

    def data_needs(self) -> frozenset[str]:
        return self.params.data_needs() | (self.inner.data_needs() if self.inner else frozenset())

    def build(self, dataset_mean: np.ndarray | None, sampling_rate: float | None = None) -> Method:
        from ..methods import get_method

        data = {"dataset_mean": dataset_mean, "sampling_rate": sampling_rate, "baseline_values": self.baseline_values}
        wrapped = {"inner": self.inner.build(dataset_mean, sampling_rate)} if self.inner else {}
        return get_method(self.name)(self.params, **data, **wrapped)


@dataclass(frozen=True)
class Plan:
    """What an executor does: attribute ``rows`` of the data, ``chunk_rows`` at a time, with ``methods``.

    Attributes
    ----------
    model, data : ModelSpec, DataSpec
        Where the model and the signals come from.
    rows : numpy.ndarray
        Row numbers in the file, in output order.
    chunk_rows : int
        Signals per chunk; chunk ``i`` is ``rows[i * chunk_rows : (i + 1) * chunk_rows]``.
    methods : tuple of MethodPlan
        The methods, in order.
    target : Target
        What each map explains.
    normalize : str
        As in ``ExplainRequest``.
    segment, hop : int or None
        Cut recordings into windows and stitch the maps.
    dataset_mean : numpy.ndarray or None
        The file's mean signal, where a method's baseline needs it.
    model_facts : dict
        Input shape, outputs, logit path and batch size of the model, for the manifest.
    source_shape : tuple of int
        Shape of the whole file's rows.
    stages : tuple of Stage
        Work done on each chunk after the methods, where the model is (``evaluate``'s scores).
    row_info : dict of str to numpy.ndarray
        What the reader says of each planned row (clinical input: record, beat sample and symbol).
    reading : dict
        The reader's account of the input (clinical input: channels, units, rates, beats), for the manifest.
    skipped : dict of str to str
        Methods ``-m all`` left out, and why.
    context : tuple of numpy.ndarray
        A multi-input model's other inputs, each indexed by row number in the file (``context_plan.py``).
    """

    model: ModelSpec
    data: DataSpec
    rows: np.ndarray
    chunk_rows: int
    methods: tuple[MethodPlan, ...]
    target: Target = AUTO
    normalize: str = "none"
    segment: int | None = None
    hop: int | None = None
    dataset_mean: np.ndarray | None = None
    model_facts: dict[str, Any] = field(default_factory=dict)
    source_shape: tuple[int, ...] = ()
    stages: tuple[Stage, ...] = ()
    row_info: dict[str, np.ndarray] = field(default_factory=dict)
    reading: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    context: tuple[np.ndarray, ...] = field(default=(), repr=False, compare=False)

    @property
    def sampling_rate(self) -> float | None:
        """The input's rate: what the reader knows, else what the user gave."""
        return self.reading.get("sampling_rate") or self.data.sampling_rate

    @property
    def n_chunks(self) -> int:
        return -(-len(self.rows) // self.chunk_rows)

    def chunk(self, number: int) -> np.ndarray:
        """Row numbers of chunk ``number``."""
        return self.rows[number * self.chunk_rows : (number + 1) * self.chunk_rows]

    def build_methods(self) -> list[Method]:
        return [method.build(self.dataset_mean, self.sampling_rate) for method in self.methods]


def make_plan(request: ExplainRequest) -> Plan:
    """Check the data against the model and fix everything the run will do."""
    data = data_spec(request)
    source = data.open()
    rows = select_rows(request, source.shape[0])
    model = model_spec(request)
    adapter = model.load()
    first = read_rows(source, rows[:1], request.data_path)
    rate = getattr(source, "describe", dict)().get("sampling_rate") or request.sampling_rate
    segment = window_samples(request.segment, "--segment", rate)
    hop = window_samples(request.hop, "--hop", rate)
    if segment:
        if adapter.input_shape[0] not in (None, segment):
            length = adapter.input_shape[0]
            raise ShapeMismatchError(f"--segment {segment} must equal the model's input length {length}")
        window = np.zeros((1, segment, first.shape[2]), np.float32)
        fit_to_model(window, adapter.input_shape, request.data_path)
        window_starts(first.shape[1], segment, hop or segment)
    else:
        fit_to_model(first, adapter.input_shape, request.data_path, count=len(rows))
    context, context_facts = plan_context(request, adapter, source.shape[0], rows)
    methods, skipped = applicable(method_plans(request), adapter, EVERY_METHOD in request.methods)
    mean = None
    if any("dataset_mean" in method.data_needs() for method in methods):
        mean = data.mean()
    return Plan(
        model=model,
        data=data,
        rows=rows,
        chunk_rows=request.chunk_size or auto_chunk_rows(first.shape[1:]),
        methods=methods,
        target=request.parsed_target,
        normalize=request.normalize,
        segment=segment,
        hop=hop,
        dataset_mean=mean,
        model_facts={
            "input_shape": list(adapter.input_shape),
            "n_outputs": adapter.n_outputs,
            "output_activation": adapter.output_activation,
            "logit_path": adapter.logit_path,
            "batch_size": adapter.batch_size,
            **head_facts(adapter),
            **context_facts,
            **_cam_layers(adapter, methods),
        },
        source_shape=tuple(int(v) for v in source.shape),
        row_info={
            **{name: values[rows] for name, values in getattr(source, "row_arrays", dict)().items()},
            **labels_info(source, rows, request, adapter.n_outputs),
        },
        reading=getattr(source, "describe", dict)(),
        skipped=skipped,
        context=context,
    )


def applicable(
    methods: tuple[MethodPlan, ...], adapter: ModelAdapter, skip: bool
) -> tuple[tuple[MethodPlan, ...], dict[str, str]]:
    """With ``skip`` (``-m all``), the methods that apply to the model, and why each other one does not."""
    if not skip:
        return methods, {}
    reasons = {method.name: method.build(None).not_applicable(adapter) for method in methods}
    kept = tuple(method for method in methods if reasons[method.name] is None)
    return kept, {name: reason for name, reason in reasons.items() if reason is not None}


def method_plans(request: ExplainRequest) -> tuple[MethodPlan, ...]:
    """Each chosen method with its validated parameters (and the method it wraps, if it is a wrapper)."""
    plans = []
    for name, params in resolve_methods(request):
        inner = wrapped_method(params, request)
        plans.append(MethodPlan.of(name, params, MethodPlan.of(*inner) if inner else None))
    return tuple(plans)


def head_facts(adapter: Any) -> dict[str, Any]:
    """``output`` (the head explained) and ``outputs`` (every head) of a model with several outputs."""
    heads = getattr(adapter, "heads", [])
    return {"output": adapter.head, "outputs": list(heads)} if len(heads) > 1 else {}


def _cam_layers(adapter: Any, methods: tuple[MethodPlan, ...]) -> dict[str, Any]:
    """``cam_layers``: the layer each CAM method uses and why (the manifest and the terminal name it)."""
    from ..model.cam_layer import cam_layers_used

    found = cam_layers_used(adapter, methods)
    return {"cam_layers": found} if found else {}


def labels_info(source: RowSource, rows: np.ndarray, request: ExplainRequest, n_outputs: int) -> dict[str, np.ndarray]:
    """``{"labels": ...}`` when the data has labels (``--label-column``, ``--labels``), else nothing."""
    from ..signals.labels import row_labels

    labels = row_labels(source, rows, request.labels, n_outputs, request.data_path, request.class_names)
    return {} if labels is None else {"labels": labels}


def select_rows(request: ExplainRequest, n_rows: int) -> np.ndarray:
    """Rows chosen by ``--samples``, then the ``--shard K/N`` share of them (contiguous ranges)."""
    rows = parse_samples(request.samples, n_rows, request.data_path) if request.samples else np.arange(n_rows)
    if request.shard:
        shard, shards = request.shard
        rows = np.array_split(rows, shards)[shard - 1]
        if not len(rows):
            raise UsageError(f"--shard {shard}/{shards} selects no rows: there are fewer rows than shards")
    return rows
