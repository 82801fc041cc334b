"""The contract of every attribution method, built in or plugged in: the adapter it calls and its base class.

Standard library only at import time, so methods can be listed and their options generated without numpy.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ..params import Parameters, fields_of

if TYPE_CHECKING:
    import numpy as np


class Adapter(Protocol):
    """The model calls a method may make (``models.ModelAdapter`` implements it; tests may fake it).

    ``batch_size`` inputs go through one compiled call; ``predict`` may take a larger ``batch_size`` for
    cheap forward-only copies.
    """

    n_outputs: int
    batch_size: int

    def predict(self, x: np.ndarray, batch_size: int | None = None) -> np.ndarray: ...

    def logits(self, x: np.ndarray) -> np.ndarray: ...

    def gradients(self, x: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    def layer_activations_and_gradients(
        self, x: np.ndarray, layer: str, targets: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def layer_maps(
        self, x: np.ndarray, layer: str, targets: np.ndarray, weighting: Callable[[Any, Any, Any], Any], relu: bool
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def layer_activations(self, x: np.ndarray, layer: str) -> np.ndarray: ...

    def resolve_layer(self, layer: str | int | None) -> str: ...


class Method:
    """Base of the attribution methods.

    A subclass sets ``name`` (the one place a built-in method's name is written; a plugin's must equal its
    entry point's), ``family``, ``paper``, and ``Parameters``, a frozen dataclass of
    :func:`params.param` fields; the first line of its docstring is its summary. ``attribute(adapter, x,
    targets)`` returns named arrays whose first axis is the signal; names listed in ``diagnostics`` are
    per-signal numbers (e.g. a completeness gap), not maps: never normalised or plotted. ``array_kinds`` names
    maps over another axis than the signal's samples (``segment`` ``(n, S)``, ``band`` ``(n, B, C)``,
    ``time_frequency`` ``(n, F, T)``) and their coordinates (``axis``); every other array is an
    ``attribution`` map over the samples.

    The constructor takes the parameters as keywords (or a built ``Parameters``) and the data-derived
    ``dataset_mean``, ``sampling_rate`` (Hz, when known) and ``baseline_values`` (a ``.npy`` baseline, read
    once by the plan); each parameter is readable as an attribute.
    """

    name: ClassVar[str] = ""
    family: ClassVar[str] = ""
    paper: ClassVar[str] = ""
    diagnostics: ClassVar[tuple[str, ...]] = ()
    array_kinds: ClassVar[dict[str, str]] = {}
    Parameters: ClassVar[type[Parameters]] = Parameters

    def __init__(
        self,
        params: Parameters | None = None,
        *,
        dataset_mean: np.ndarray | None = None,
        sampling_rate: float | None = None,
        baseline_values: np.ndarray | None = None,
        **values: Any,
    ) -> None:
        self.params = params if params is not None else self.Parameters(**values)
        self.dataset_mean = dataset_mean
        self.sampling_rate = sampling_rate
        self.baseline_values = baseline_values

    def __getattr__(self, name: str) -> Any:
        if name == "params":  # not yet set (e.g. while unpickling)
            raise AttributeError(name)
        try:
            return getattr(self.params, name)
        except AttributeError:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}") from None

    def parameters(self) -> dict[str, Any]:
        """The parameters recorded in the manifest."""
        return self.params.as_dict()

    def attribute(self, adapter: Adapter, x: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def not_applicable(self, adapter: Adapter) -> str | None:
        """Why this method cannot run on the adapter's model (``-m all`` then skips it), or ``None``."""
        return None

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """The JSON form of ``signalscreen methods --json``."""
        return {
            "name": cls.name,
            "family": cls.family,
            "summary": (inspect.getdoc(cls) or "").splitlines()[0].rstrip("."),
            "paper": cls.paper,
            "diagnostics": list(cls.diagnostics),
            "parameters": [spec.describe() for spec in fields_of(cls.Parameters)],
        }
