"""One chunk's adapter for a multi-input model: the other inputs' rows go with every model call.

A method sees the ``Adapter`` protocol as for a one-input model and calls it on its signals ``(n, L, C)``;
this wrapper adds the chunk's *context* rows (one array per other input, one row per signal). A caller that
sends more rows than signals (perturbed copies, path points, noisy copies) says which signal each row
belongs to with :meth:`ContextAdapter.rows`, which gives the adapter of those rows. No TensorFlow here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import MethodNotApplicableError

SEPARATOR = "."
"""``saliency.meta``: a method's attribution of the context input ``meta``, one value per feature."""
FEATURE_KIND = "feature"
"""The kind of those arrays: ``(n, *input shape)``, not a map over the signal's samples."""
HELD_FIXED = (
    "perturbation and CAM methods perturb or cut the signal input only and hold the other inputs at each "
    "signal's own values; gradient methods also attribute each other input (arrays METHOD.INPUT, one value per "
    "feature); relevance-propagation methods decline the model"
)


class ContextAdapter:
    """An adapter bound to the context rows of ``cases`` signals; everything else is the wrapped adapter's.
    ``means``: each other input's mean row over the whole data file (a baseline, like ``dataset-mean``), where
    the caller knows it."""

    def __init__(self, adapter: Any, context: list[np.ndarray], means: list[np.ndarray] | None = None) -> None:
        self.adapter = adapter
        self.context = [np.asarray(values) for values in context]
        self.cases = len(self.context[0]) if self.context else 0
        self.means = means

    def __getattr__(self, name: str) -> Any:
        if name == "adapter":  # not yet set (e.g. while unpickling)
            raise AttributeError(name)
        return getattr(self.adapter, name)

    def rows(self, cases: np.ndarray) -> ContextAdapter:
        """The adapter of rows whose signals are ``cases`` (one signal index per row)."""
        return ContextAdapter(self.adapter, [values[np.asarray(cases)] for values in self.context], self.means)

    def _own(self, x: np.ndarray) -> list[np.ndarray]:
        if len(x) != self.cases:
            raise MethodNotApplicableError(
                f"a method called the model on {len(x)} rows for {self.cases} signals without saying whose each is",
                "call adapter.rows(signal index of each row) first (model/context.py)",
            )
        return self.context

    def predict(self, x: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        return self.adapter.predict(x, batch_size, self._own(x))

    def logits(self, x: np.ndarray) -> np.ndarray:
        return self.adapter.logits(x, self._own(x))

    def gradients(self, x: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.adapter.gradients(x, targets, self._own(x))

    def input_gradients(self, x: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        return self.adapter.input_gradients(x, targets, self._own(x))

    def layer_activations_and_gradients(
        self, x: np.ndarray, layer: str, targets: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        return self.adapter.layer_activations_and_gradients(x, layer, targets, self._own(x))

    def layer_maps(
        self, x: np.ndarray, layer: str, targets: np.ndarray, weighting: Any, relu: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        return self.adapter.layer_maps(x, layer, targets, weighting, relu, self._own(x))

    def layer_activations(self, x: np.ndarray, layer: str) -> np.ndarray:
        return self.adapter.layer_activations(x, layer, self._own(x))


def bind(adapter: Any, context: list[np.ndarray], means: list[np.ndarray] | None = None) -> Any:
    """``adapter`` with the context rows of its signals (and the inputs' ``means`` over the data file); a
    one-input model's adapter as it is."""
    return ContextAdapter(adapter, context, means) if context else adapter


def has_context(adapter: Any) -> bool:
    return isinstance(adapter, ContextAdapter)


def copies_adapter(adapter: Any, block: slice, cases: int, copies_per_case: int) -> Any:
    """The adapter of the copies of perturbation cases ``block`` (``methods/perturbation.py``): cases are
    numbered signal slowest, ``cases`` = signals × cases per signal, each with ``copies_per_case`` copies."""
    if not has_context(adapter):
        return adapter
    per_signal, rest = divmod(cases, max(adapter.cases, 1))
    if rest or not per_signal:
        raise MethodNotApplicableError(
            f"{cases} perturbation cases do not split evenly over {adapter.cases} signals",
            "number the cases signal slowest, the same count for every signal",
        )
    signals = np.arange(block.start, block.stop) // per_signal
    return adapter.rows(np.repeat(signals, copies_per_case))


def context_attributions(
    method: str, adapter: Any, grads: list[np.ndarray], combine: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> dict[str, np.ndarray]:
    """``METHOD.INPUT`` arrays of the context inputs: ``combine(gradient, the input's values)``, as the gradient
    method combines the signal's."""
    arrays = {}
    for item, values, grad in zip(adapter.context_inputs, adapter.context, grads, strict=True):
        arrays[f"{method}{SEPARATOR}{item.name}"] = np.asarray(combine(grad, values), np.float32)
    return arrays


def array_kind(name: str) -> str | None:
    """``feature`` for a context input's attribution (``METHOD.INPUT``), else ``None``."""
    return FEATURE_KIND if SEPARATOR in name else None
