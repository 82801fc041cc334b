"""How to load the model and read the signals, as plain data an executor can carry to other processes.

What cannot travel (the loaded model, an open file) is made again where it is needed, once per process.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..request import ExplainRequest
from ..signals.clinical.options import ClinicalOptions
from ..signals.files import RowSource, apply_nan_policy, array_rows, dataset_mean, open_rows, read_rows

if TYPE_CHECKING:
    from ..model.adapter import ModelAdapter


@dataclass(frozen=True)
class ModelSpec:
    """How to load the model; ``load()`` loads it once per process and spec (``model.cache``: again when the
    file, or the in-memory model's weights, changed since)."""

    path: Path
    batch_size: int | None = None
    memory_budget: int | None = None
    jit: bool = False
    unsafe: bool = False
    custom_objects: Path | None = None
    output_steps: tuple[int, int | None] | None = None
    output: str | None = None
    """The output head explained (name or index), for a model with several."""
    signal_input: str | None = None
    """The input the signals feed, for a model with several."""
    memory: Any = field(default=None, repr=False, compare=False)
    """A ``keras.Model`` given in memory (``path`` then names it uniquely)."""

    def load(self) -> ModelAdapter:
        from ..model.cache import cached_adapter

        return cached_adapter(self, self.memory, self.path, lambda: _load(self))

    def describe(self) -> dict[str, Any]:
        """Where the model came from and its SHA-256 (of the file, or of the in-memory weights)."""
        from ..outputs.provenance import file_sha256

        if self.memory is not None:
            return {"path": str(self.path), "sha256": weights_sha256(self.memory), "in_memory": True}
        return {"path": str(self.path), "sha256": file_sha256(self.path) if self.path.is_file() else None}


def weights_sha256(model: Any) -> str:
    from ..model.cache import weights_digest  # the adapter cache's version check: hashed once per call

    return weights_digest(model)


def _load(spec: ModelSpec) -> ModelAdapter:
    from ..model.files import load_model

    calls = {
        "batch_size": spec.batch_size,
        "memory_budget": spec.memory_budget,
        "jit": spec.jit,
        "output_steps": spec.output_steps,
        "output": spec.output,
        "signal_input": spec.signal_input,
    }
    if spec.memory is not None:
        from ..model.adapter import ModelAdapter

        return ModelAdapter(spec.memory, **calls)
    return load_model(spec.path, unsafe=spec.unsafe, custom_objects=spec.custom_objects, **calls)


@dataclass(frozen=True)
class DataSpec:
    """How to read the signals: the file, its array, label and id columns, and what to do with non-finite
    values."""

    path: Path
    key: str | None = None
    label_column: int | str | None = None
    nan_policy: str = "error"
    clinical: ClinicalOptions | None = None
    sampling_rate: float | None = None
    drop_columns: tuple[int | str, ...] = ()
    memory: Any = field(default=None, repr=False, compare=False)
    """Signals given in memory (``path`` then names them)."""

    def open(self) -> RowSource:
        if self.memory is not None:
            return array_rows(self.memory, self.path)
        return open_rows(self.path, **self._reading())

    def describe(self) -> dict[str, Any]:
        """Where the signals came from and their SHA-256 (of the file, or of the in-memory array's bytes)."""
        from ..outputs.provenance import file_sha256

        if self.memory is not None:
            values = np.ascontiguousarray(self.memory)
            digest = hashlib.sha256(str((values.dtype.str, values.shape)).encode() + values.tobytes()).hexdigest()
            return {"path": str(self.path), "sha256": digest, "in_memory": True}
        return {"path": str(self.path), "sha256": file_sha256(self.path)}

    def mean(self) -> np.ndarray:
        """The mean signal over every row of the file."""
        if self.memory is not None:
            return read_rows(self.open(), np.arange(len(self.memory)), self.path).mean(axis=0)
        return dataset_mean(self.path, **self._reading())

    def _reading(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label_column": self.label_column,
            "drop_columns": self.drop_columns,
            "clinical": self.clinical,
            "sampling_rate": self.sampling_rate,
        }

    def read(self, source: RowSource, index: np.ndarray) -> np.ndarray:
        """Rows ``index`` as float32 ``(k, L, C)``, non-finite values handled."""
        return apply_nan_policy(read_rows(source, index, self.path), self.nan_policy, self.path, index)


def data_spec(request: ExplainRequest) -> DataSpec:
    """The signals a request's ``reading`` spec names (or holds, from the Python API: an array, or a dict of
    every input's)."""
    reading = request.reading
    signals = reading.signals
    if isinstance(signals, dict):
        from ..signals.context_files import signal_array

        signals = signal_array(signals, model_spec(request).load().signal_input)
    return DataSpec(
        reading.data_path,
        reading.key,
        reading.label_column,
        reading.nan_policy,
        reading.clinical,
        reading.sampling_rate,
        reading.drop_columns,
        memory=signals,
    )


def model_spec(request: ExplainRequest) -> ModelSpec:
    """The model a request's ``loading`` spec names (or holds, from the Python API), over the target's output
    steps."""
    loading = request.loading
    return ModelSpec(
        loading.model_path,
        loading.batch_size,
        loading.memory_budget,
        loading.jit,
        loading.unsafe_load,
        loading.custom_objects,
        request.parsed_target.steps,
        loading.io.output,
        loading.io.signal_input,
        memory=loading.model,
    )
