"""The one path from a request to written results; the CLI and the Python API both call it.

It never prints: progress goes through the callback it is given.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import UsageError
from .methods import get_method
from .methods.base import Method
from .request import NORMALIZATIONS, ExplainRequest, check_request
from .signals import SignalSet, dataset_mean, fit_to_model, read_signals

Progress = Callable[[str, int, int], None]
"""``progress(method, signals_done, signals_total)``."""


@dataclass(frozen=True)
class Attributions:
    """Attribution arrays for a set of signals, in memory.

    Attributes
    ----------
    arrays : dict of str to numpy.ndarray
        One array per output name (``saliency``, ``gradcam``, ``occlusion_w15``, ...), shape ``(n, L)``
        or ``(n, L, C)``; with ``target="all"`` a class axis follows ``n``.
    targets : numpy.ndarray
        Target class of each signal ``(n,)``, or the classes explained ``(K,)`` with ``target="all"``.
    predictions : numpy.ndarray
        The model's outputs ``(n, K)``.
    sample_index : numpy.ndarray
        Row of each signal in the input file.
    array_info : dict
        For each array: method, parameters, shape.
    timings : dict of str to float
        Wall seconds per method.
    """

    arrays: dict[str, np.ndarray]
    targets: np.ndarray
    predictions: np.ndarray
    sample_index: np.ndarray
    array_info: dict[str, dict[str, Any]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


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
    try:
        target = int(spec)
    except ValueError:
        raise UsageError(f"--target must be auto, all or a class index, not {spec!r}") from None
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


def attribute(
    adapter: Any, signals: SignalSet, request: ExplainRequest, progress: Progress | None = None
) -> Attributions:
    """Run every requested method on ``signals`` in chunks of ``request.batch_size`` rows."""
    x = fit_to_model(signals.data, adapter.input_shape, signals.path)
    context: dict[str, Any] = {}
    if request.baseline == "dataset-mean":
        context["dataset_mean"] = dataset_mean(signals.path, key=request.key, label_column=request.label_column)
    methods = build_methods(request, context)
    predictions = adapter.predict(x)
    targets = resolve_targets(request.target, predictions)
    every_class = request.target == "all"
    arrays: dict[str, np.ndarray] = {}
    info: dict[str, dict[str, Any]] = {}
    timings: dict[str, float] = {}
    chunk = max(1, request.batch_size)
    for method in methods:
        started = time.perf_counter()
        for begin in range(0, len(x), chunk):
            rows = slice(begin, begin + chunk)
            part = _attribute_chunk(method, adapter, x[rows], targets if every_class else targets[rows], every_class)
            for name, values in part.items():
                if name not in arrays:
                    arrays[name] = np.empty((len(x), *values.shape[1:]), np.float32)
                    kind = "diagnostic" if name in method.diagnostics else "attribution"
                    info[name] = {"method": method.name, "kind": kind, "parameters": method.parameters()}
                arrays[name][rows] = values
            if progress:
                progress(method.name, min(begin + chunk, len(x)), len(x))
        timings[method.name] = time.perf_counter() - started
    for name in arrays:
        if info[name]["kind"] == "attribution":
            arrays[name] = normalize(arrays[name], request.normalize, every_class)
        info[name]["shape"] = list(arrays[name].shape)
    return Attributions(arrays, targets, predictions.astype(np.float32), signals.sample_index, info, timings)


def _attribute_chunk(
    method: Any, adapter: Any, x: np.ndarray, targets: np.ndarray, every_class: bool
) -> dict[str, np.ndarray]:
    if not every_class:
        return method.attribute(adapter, x, targets)
    per_class = [method.attribute(adapter, x, np.full(len(x), k, np.int32)) for k in targets]
    return {name: np.stack([maps[name] for maps in per_class], axis=1) for name in per_class[0]}


@dataclass(frozen=True)
class RunResult:
    """What ``run`` produced.

    Attributes
    ----------
    out_dir : pathlib.Path
        The output folder, complete.
    attributions : Attributions
        The arrays written.
    manifest : dict
        The contents of ``manifest.json``.
    """

    out_dir: Any
    attributions: Attributions
    manifest: dict[str, Any]


def run(request: ExplainRequest, progress: Progress | None = None) -> RunResult:
    """Load, attribute and write: the whole ``explain`` command."""
    from .model_files import load_model
    from .outputs import build_manifest, check_destination, class_names, staged_output, write_results

    check_request(request)
    check_destination(request.out_dir, request.overwrite)
    signals = read_signals(
        request.data_path,
        key=request.key,
        label_column=request.label_column,
        samples=request.samples,
        nan_policy=request.nan_policy,
    )
    adapter = load_model(
        request.model_path,
        batch_size=request.batch_size,
        unsafe=request.unsafe_load,
        custom_objects=request.custom_objects,
    )
    class_names(request, adapter.n_outputs)
    result = attribute(adapter, signals, request, progress)
    manifest = build_manifest(request, adapter, signals, result)
    with staged_output(request.out_dir, request.overwrite) as staging:
        write_results(staging, request, signals, result, manifest)
    return RunResult(request.out_dir, result, manifest)
