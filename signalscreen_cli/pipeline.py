"""The one path from a request to written results; the CLI and the Python API both call it.

Signals stream through in chunks of ``request.chunk_size`` rows (by default about 64 MiB of input): each
chunk is read, attributed by every method and written into full-size arrays, so memory depends on the
chunk and the batch size, not on the number of signals. It never prints: progress goes through the callback it is given.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import interrupts
from .batching import auto_chunk_rows
from .errors import ShapeMismatchError, UsageError
from .methods import get_method
from .methods.base import Method
from .request import NORMALIZATIONS, ExplainRequest, check_request
from .segments import cut, stitch, window_starts
from .signals import apply_nan_policy, dataset_mean, fit_to_model, open_rows, parse_samples, read_rows

Progress = Callable[[str, int, int], None]
"""``progress(method, signals_done, signals_total)``."""


@dataclass(frozen=True)
class RunResult:
    """What ``run`` wrote.

    Attributes
    ----------
    out_dir : pathlib.Path
        The output folder, complete.
    manifest : dict
        The contents of ``manifest.json`` (its ``arrays`` table gives every array's shape).
    """

    out_dir: Path
    manifest: dict[str, Any]

    def load(self) -> dict[str, np.ndarray]:
        """Every array of ``attributions.npz``, in memory."""
        with np.load(self.out_dir / "attributions.npz") as archive:
            return {name: archive[name] for name in archive.files}


@dataclass
class ChunkResult:
    """Arrays for one chunk of signals, first axis the signal; ``kinds`` says which are maps."""

    arrays: dict[str, np.ndarray]
    kinds: dict[str, str]
    parameters: dict[str, dict[str, Any]]


def build_methods(request: ExplainRequest, context: dict[str, Any]) -> list[Method]:
    """Instantiate the requested methods with the request's parameters."""
    return [get_method(name).from_request(request, context) for name in request.methods]


def resolve_targets(spec: str, predictions: np.ndarray) -> np.ndarray:
    """Per-signal targets ``(n,)`` for ``auto`` or an index; the class list ``(K,)`` for ``all``."""
    n_outputs = predictions.shape[1]
    if spec == "auto":
        return predictions.argmax(axis=1).astype(np.int32) if n_outputs > 1 else np.zeros(len(predictions), np.int32)
    if spec == "all":
        return np.arange(n_outputs, dtype=np.int32)
    target = int(spec)
    if not 0 <= target < n_outputs:
        raise UsageError(f"--target {target} is outside the model's outputs 0..{n_outputs - 1}")
    return np.full(len(predictions), target, np.int32)


def normalize(array: np.ndarray, how: str, class_axis: bool) -> np.ndarray:
    """Scale each sample's map (each sample and class with ``class_axis``) to [0, 1] or [-1, 1]."""
    if how not in NORMALIZATIONS:
        raise UsageError(f"--normalize must be one of {', '.join(NORMALIZATIONS)}, not {how!r}")
    if how == "none":
        return array
    axes = tuple(range(2 if class_axis else 1, array.ndim))
    if how == "maxabs":
        scale = np.abs(array).max(axis=axes, keepdims=True)
        return np.divide(array, scale, out=np.zeros_like(array), where=scale > 0)
    low = array.min(axis=axes, keepdims=True)
    span = array.max(axis=axes, keepdims=True) - low
    return np.divide(array - low, span, out=np.zeros_like(array), where=span > 0)


def attribute_chunk(
    adapter: Any, methods: list[Method], x: np.ndarray, request: ExplainRequest, timings: dict[str, float]
) -> ChunkResult:
    """Predictions, targets and every method's arrays for the signals ``x`` ``(k, L, C)``."""
    predictions = adapter.predict(x).astype(np.float32)
    targets = resolve_targets(request.target, predictions)
    every_class = request.target == "all"
    result = ChunkResult({"predictions": predictions}, {"predictions": "index"}, {})
    if not every_class:
        result.arrays["targets"], result.kinds["targets"] = targets, "index"
    for method in methods:
        started = time.perf_counter()
        if every_class:
            per_class = [method.attribute(adapter, x, np.full(len(x), k, np.int32)) for k in targets]
            arrays = {name: np.stack([maps[name] for maps in per_class], axis=1) for name in per_class[0]}
        else:
            arrays = method.attribute(adapter, x, targets)
        timings[method.name] = timings.get(method.name, 0.0) + time.perf_counter() - started
        for name, values in arrays.items():
            kind = "diagnostic" if name in method.diagnostics else "attribution"
            result.arrays[name] = normalize(values, request.normalize, every_class) if kind == "attribution" else values
            result.kinds[name] = kind
            result.parameters[name] = {"method": method.name, "parameters": method.parameters()}
    return result


def attribute_recordings(
    adapter: Any, methods: list[Method], recordings: np.ndarray, request: ExplainRequest, timings: dict[str, float]
) -> ChunkResult:
    """Cut ``(k, T, C)`` recordings into windows, attribute them, and stitch one track per recording."""
    length = int(request.segment or 0)
    starts = window_starts(recordings.shape[1], length, request.hop or length)
    windows = cut(recordings, starts, length)
    part = attribute_chunk(adapter, methods, windows, request, timings)
    k, per_recording = len(recordings), len(starts)
    arrays: dict[str, np.ndarray] = {}
    for name, values in part.arrays.items():
        grouped = values.reshape(k, per_recording, *values.shape[1:])
        if part.kinds[name] != "attribution":
            arrays[name] = grouped  # per window: predictions (k, W, K), targets and diagnostics (k, W)
        elif values.shape[1] == length:
            arrays[name] = stitch(grouped, starts, recordings.shape[1])
    arrays["segment_starts"] = np.broadcast_to(starts, (k, per_recording)).astype(np.int64)
    kinds = {name: part.kinds.get(name, "index") for name in arrays}
    return ChunkResult(arrays, kinds, {name: part.parameters[name] for name in arrays if name in part.parameters})


def warm_up(adapter: Any, methods: list[Method], first: np.ndarray, request: ExplainRequest) -> None:
    """Run every method once on one signal: traces the compiled calls (so per-method timings leave out
    TensorFlow's compile time) and fails fast on a method that cannot run on this model."""
    sample = first[:, : request.segment] if request.segment else first
    target = resolve_targets("auto", adapter.predict(sample))
    for method in methods:
        method.attribute(adapter, sample, target)


def select_rows(request: ExplainRequest, n_rows: int) -> np.ndarray:
    """Rows chosen by ``--samples``, then the ``--shard K/N`` share of them (contiguous ranges)."""
    rows = parse_samples(request.samples, n_rows, request.data_path) if request.samples else np.arange(n_rows)
    if request.shard:
        shard, shards = request.shard
        rows = np.array_split(rows, shards)[shard - 1]
        if not len(rows):
            raise UsageError(f"--shard {shard}/{shards} selects no rows: there are fewer rows than shards")
    return rows


def run(request: ExplainRequest, progress: Progress | None = None) -> RunResult:
    """Load, attribute chunk by chunk, and write: the whole ``explain`` command."""
    from .model_files import load_model
    from .outputs import build_manifest, check_destination, class_names, safe_name, staged_output, write_manifest
    from .plotting import PlotKeeper
    from .store import ArrayStore

    check_request(request)
    check_destination(request.out_dir, request.overwrite)
    source = open_rows(request.data_path, key=request.key, label_column=request.label_column)
    rows = select_rows(request, source.shape[0])
    adapter = load_model(
        request.model_path,
        batch_size=request.batch_size,
        memory_budget=request.memory_budget,
        jit=request.jit,
        unsafe=request.unsafe_load,
        custom_objects=request.custom_objects,
    )
    names = class_names(request, adapter.n_outputs)
    first = read_rows(source, rows[:1], request.data_path)
    if request.segment:
        if adapter.input_shape[0] not in (None, request.segment):
            raise ShapeMismatchError(
                f"--segment {request.segment} must equal the model's input length {adapter.input_shape[0]}"
            )
        window = np.zeros((1, request.segment, first.shape[2]), np.float32)
        fit_to_model(window, adapter.input_shape, request.data_path)
        window_starts(first.shape[1], request.segment, request.hop or request.segment)
    else:
        fit_to_model(first, adapter.input_shape, request.data_path, count=len(rows))
    context: dict[str, Any] = {}
    if request.baseline == "dataset-mean":
        context["dataset_mean"] = dataset_mean(request.data_path, key=request.key, label_column=request.label_column)
    methods = build_methods(request, context)
    warm_up(adapter, methods, apply_nan_policy(first, request.nan_policy, request.data_path, rows[:1]), request)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with staged_output(request.out_dir, request.overwrite) as staging:
        store = ArrayStore(
            staging,
            len(rows),
            staging / "csv" if request.write_csv else None,
            [safe_name(name) for name in names] if request.target == "all" else None,
        )
        keeper = PlotKeeper(request.max_plots if request.plots else 0)
        chunk = ChunkResult({}, {}, {})
        chunk_rows = request.chunk_size or auto_chunk_rows(first.shape[1:])
        for begin in range(0, len(rows), chunk_rows):
            index = rows[begin : begin + chunk_rows]
            x = apply_nan_policy(
                read_rows(source, index, request.data_path), request.nan_policy, request.data_path, index
            )
            attribute = attribute_recordings if request.segment else attribute_chunk
            chunk = attribute(adapter, methods, x, request, timings)
            interrupts.check()
            store.write(begin, chunk.arrays, index)
            keeper.add(x, chunk.arrays, index)
            if progress:
                for method in methods:
                    progress(method.name, begin + len(index), len(rows))
        shapes = store.shapes()
        diagnostics = {name: store.read(name) for name, kind in chunk.kinds.items() if kind == "diagnostic"}
        extra = {"sample_index": rows.astype(np.int64)}
        if request.target == "all":
            extra["targets"] = np.arange(adapter.n_outputs, dtype=np.int32)
        manifest = build_manifest(
            request,
            adapter,
            source.shape,
            rows,
            shapes,
            chunk,
            diagnostics,
            extra,
            names,
            timings,
            time.perf_counter() - started,
        )
        store.pack(staging / "attributions.npz", extra)
        write_manifest(staging, manifest)
        if request.plots:
            keeper.write(staging, chunk.kinds, request, names)
    return RunResult(request.out_dir, manifest)
