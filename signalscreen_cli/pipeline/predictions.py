"""A chunk's predictions and targets, from the first method's own forward pass where it makes one.

Saliency, gradient × input, Grad-CAM and Grad-CAM++ run the model to its logits; ``model.fused`` gives the
predictions (and each ``auto`` target) from that same compiled call, and the method then takes its result
from a primed adapter instead of calling the model again. Other methods, ``--target all``, and models whose
predictions would not come out bit for bit (``model.fused.fusable``) keep the separate predictions pass.
The targets are always ``Target.select`` of the predictions, as before: where the call's own choice differs
(a tie between classes), the method runs its pass again with the selected targets.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import SignalScreenError
from ..methods.base import Adapter, Method
from ..methods.cam import GradCAM, GradCAMPlusPlus
from ..methods.gradients import GradientXInput, Saliency
from ..targets import Target

GRADIENT_METHODS = (Saliency, GradientXInput)
"""Methods whose only model call is ``adapter.gradients(x, targets)``."""
LAYER_MAP_METHODS = (GradCAM, GradCAMPlusPlus)
"""Methods whose only model call is ``adapter.layer_maps(x, layer, targets, weighting, relu)``."""


@dataclass
class Predicted:
    """A chunk's predictions ``(n, K)`` float32 and targets, and which method's pass gave them.

    Attributes
    ----------
    predictions, targets : numpy.ndarray
        As ``adapter.predict`` and ``Target.select`` give them.
    primed : dict of str to Adapter
        For the method whose pass made the predictions: the adapter holding that pass's result.
    seconds : dict of str to float
        That pass's wall time, counted as the method's.
    """

    predictions: np.ndarray
    targets: np.ndarray
    primed: dict[str, Adapter] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def adapter_for(self, method: Method, adapter: Adapter) -> Adapter:
        return self.primed.get(method.name, adapter)


def predict_chunk(adapter: Adapter, methods: list[Method], x: np.ndarray, target: Target) -> Predicted:
    """The predictions and targets of the signals ``x``, fused into a method's pass where one can be."""
    started = time.perf_counter()
    fused = None if target.every_class else _fused_pass(adapter, methods, x, target)
    if fused is None:
        predictions = adapter.predict(x).astype(np.float32)
        return Predicted(predictions, target.select(predictions))
    method, predictions, used, call, result = fused
    targets = target.select(predictions)
    if not np.array_equal(targets, used):
        return Predicted(predictions, targets)
    seconds = time.perf_counter() - started
    return Predicted(predictions, targets, {method.name: Primed(adapter, call, result)}, {method.name: seconds})


def _fused_pass(
    adapter: Adapter, methods: list[Method], x: np.ndarray, target: Target
) -> tuple[Method, np.ndarray, np.ndarray, tuple[Any, ...], tuple[np.ndarray, ...]] | None:
    """The first fusable method's pass: (method, predictions, targets used, its call, its result)."""
    from ..model import fused

    if not fused.fusable(adapter) or not len(x):
        return None
    requested = _requested_targets(adapter, x, target)
    for method in methods:
        kind = type(method)
        if kind in GRADIENT_METHODS:
            predictions, used, grads, logits = fused.predicted_gradients(adapter, x, requested)
            return method, predictions, used, ("gradients", x, used), (grads, logits)
        if kind in LAYER_MAP_METHODS:
            try:
                layer = adapter.resolve_layer(method.layer)
            except SignalScreenError:  # the method says so itself, in its own run
                return None
            weighting, relu = kind.weighting, method.relu
            predictions, used, raw, resized = fused.predicted_layer_maps(adapter, x, layer, requested, weighting, relu)
            return method, predictions, used, ("layer_maps", x, layer, used, weighting, relu), (raw, resized)
    return None


def _requested_targets(adapter: Adapter, x: np.ndarray, target: Target) -> np.ndarray:
    """``AUTO_TARGET`` for every signal with ``auto``; a class's index otherwise (checked against the model)."""
    from ..model.fused import AUTO_TARGET

    if target.kind == "auto":
        return np.full(len(x), AUTO_TARGET, np.int32)
    return target.select(np.zeros((len(x), adapter.n_outputs), np.float32))


class Primed:
    """``adapter`` holding one call's result: the method's first call with the same arguments gets it without
    running the model; every other call goes to ``adapter``."""

    def __init__(self, adapter: Adapter, call: tuple[Any, ...], result: tuple[np.ndarray, ...]) -> None:
        self._adapter = adapter
        self._call: tuple[Any, ...] | None = call
        self._result = result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._adapter, name)

    def gradients(self, x: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self._held(("gradients", x, targets), self._adapter.gradients)  # type: ignore[return-value]

    def layer_maps(
        self, x: np.ndarray, layer: str, targets: np.ndarray, weighting: Any, relu: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        call = ("layer_maps", x, layer, targets, weighting, relu)
        return self._held(call, self._adapter.layer_maps)  # type: ignore[return-value]

    def _held(self, call: tuple[Any, ...], run: Callable[..., Any]) -> Any:
        if self._call is not None and _same(call, self._call):
            self._call = None
            return self._result
        return run(*call[1:])


def _same(call: tuple[Any, ...], held: tuple[Any, ...]) -> bool:
    """Equal calls: arrays by shape and values, everything else by ``==``."""
    if len(call) != len(held):
        return False
    for given, kept in zip(call, held, strict=True):
        if isinstance(given, np.ndarray) or isinstance(kept, np.ndarray):
            if np.shape(given) != np.shape(kept) or not np.array_equal(given, kept):
                return False
        elif given != kept:
            return False
    return True
