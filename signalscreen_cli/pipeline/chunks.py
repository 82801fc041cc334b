"""What happens to one chunk of signals: predictions, targets, every method's arrays, stitched windows."""

from __future__ import annotations

import time

import numpy as np

from ..errors import PluginError, UsageError
from ..methods.base import Adapter, Method
from ..model.context import array_kind
from ..records import ChunkResult
from ..request import NORMALIZATIONS
from ..signals.segments import cut, stitch, window_starts
from ..targets import AUTO, Target

MAP_KINDS = ("attribution", "segment", "band", "time_frequency")
"""Kinds of arrays that are maps, normalised by ``--normalize``; ``axis``, ``diagnostic`` and ``index`` are not."""


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


def run_method(method: Method, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
    """``method.attribute`` held to the contract: a dict of arrays, one row per signal, names of its own."""
    arrays = method.attribute(adapter, x, targets)
    if not isinstance(arrays, dict):
        raise PluginError(f"method {method.name!r} returned {type(arrays).__name__}, not a dict of arrays")
    for name, values in arrays.items():
        if not str(name).startswith(method.name):
            raise PluginError(f"method {method.name!r} returned an array named {name!r}; names must start with its own")
        if np.ndim(values) == 0 or len(values) != len(x):
            raise PluginError(
                f"method {method.name!r} returned {name!r} of shape {np.shape(values)} for {len(x)} signals",
                "the first axis of every array is the signal",
            )
    return arrays


def attribute_chunk(
    adapter: Adapter, methods: list[Method], x: np.ndarray, rows: np.ndarray, target: Target, how: str
) -> ChunkResult:
    """Predictions, targets and every method's arrays for the signals ``x`` ``(k, L, C)``."""
    from .predictions import predict_chunk

    predicted = predict_chunk(adapter, methods, x, target)  # from a method's own pass where it makes one
    predictions, targets = predicted.predictions, predicted.targets
    every_class = target.every_class
    result = ChunkResult(rows, x, {"predictions": predictions}, {"predictions": "index"})
    if not every_class:
        result.arrays["targets"], result.kinds["targets"] = targets, "index"
    for method in methods:
        started = time.perf_counter()
        if every_class:
            per_class = [run_method(method, adapter, x, np.full(len(x), k, np.int32)) for k in targets]
            arrays = {
                # a map's axes are the same for every class
                name: per_class[0][name]
                if method.array_kinds.get(name) == "axis"
                else np.stack([maps[name] for maps in per_class], axis=1)
                for name in per_class[0]
            }
        else:
            arrays = run_method(method, predicted.adapter_for(method, adapter), x, targets)
        result.seconds[method.name] = time.perf_counter() - started + predicted.seconds.get(method.name, 0.0)
        for name, values in arrays.items():
            kind = "diagnostic" if name in method.diagnostics else method.array_kinds.get(name, "attribution")
            kind = array_kind(name) or kind  # METHOD.INPUT: a multi-input model's other input, per feature
            result.arrays[name] = normalize(values, how, every_class) if kind in MAP_KINDS else values
            result.kinds[name] = kind
            result.parameters[name] = {"method": method.name, "parameters": method.parameters()}
    return result


def attribute_recordings(
    adapter: Adapter,
    methods: list[Method],
    recordings: np.ndarray,
    rows: np.ndarray,
    window: tuple[int, int],
    target: Target,
    how: str,
) -> ChunkResult:
    """Cut ``(k, T, C)`` recordings into windows of ``window = (segment, hop)``, attribute them, and stitch
    one track per recording."""
    segment, hop = window
    starts = window_starts(recordings.shape[1], segment, hop)
    windows = cut(recordings, starts, segment)
    part = attribute_chunk(adapter, methods, windows, np.repeat(rows, len(starts)), target, how)
    k, per_recording = len(recordings), len(starts)
    result = ChunkResult(rows, recordings, seconds=part.seconds)
    for name, values in part.arrays.items():
        grouped = values.reshape(k, per_recording, *values.shape[1:])
        if part.kinds[name] != "attribution":
            result.arrays[name] = grouped  # per window: predictions (k, W, K), targets and diagnostics (k, W)
        elif values.shape[1] == segment:
            result.arrays[name] = stitch(grouped, starts, recordings.shape[1])
    result.arrays["segment_starts"] = np.broadcast_to(starts, (k, per_recording)).astype(np.int64)
    result.kinds = {name: part.kinds.get(name, "index") for name in result.arrays}
    result.parameters = {name: part.parameters[name] for name in result.arrays if name in part.parameters}
    return result


def warm_up(adapter: Adapter, methods: list[Method], first: np.ndarray, segment: int | None) -> None:
    """Run every method once on one signal: traces the compiled calls (so per-method timings leave out
    TensorFlow's compile time) and fails fast on a method that cannot run on this model."""
    sample = first[:, :segment] if segment else first
    attribute_chunk(adapter, methods, sample, np.arange(len(sample)), AUTO, "none")  # the very calls chunks make
