"""What a plan holds of a multi-input model's other inputs: their values by row, and the manifest's account."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UsageError
from ..request import ExplainRequest


def plan_context(
    request: ExplainRequest, adapter: Any, rows_in_file: int, rows: np.ndarray
) -> tuple[tuple[np.ndarray, ...], dict[str, Any]]:
    """The context inputs' values (every row of the file, model order) and the manifest's ``inputs`` entry."""
    from ..model.context import HELD_FIXED
    from ..signals.context_files import context_values, memory_context

    inputs = getattr(adapter, "context_inputs", ())
    files = request.io.files()
    memory = memory_context(request.signals, adapter.signal_input)
    if not inputs:
        if files or memory:
            name = next(iter([*files, *memory]))
            raise UsageError(f"--input {name}: the model has one input, the signal's ({adapter.signal_input})")
        return (), {}
    if request.segment:
        raise UsageError(
            "--segment cuts recordings into windows, and this model takes other inputs a row per signal",
            "explain whole signals of the model's input length",
        )
    values, described = context_values(inputs, files, memory, rows_in_file, rows, request.data_path)
    facts = {"signal": adapter.signal_input, "others": described, "other_inputs": HELD_FIXED}
    return tuple(values), {"inputs": facts}


def chunk_context(context: tuple[np.ndarray, ...], rows: np.ndarray) -> list[np.ndarray]:
    """The context rows of the signals ``rows`` (row numbers in the file)."""
    return [values[rows] for values in context]


def context_means(context: tuple[np.ndarray, ...] | list[np.ndarray]) -> list[np.ndarray]:
    """Each context input's mean row over every row of the file (integrated gradients' ``mean`` baseline of
    the other inputs, as ``dataset-mean`` is the signal's): the same for every chunk, shard and worker."""
    return [np.asarray(values, np.float64).mean(axis=0).astype(np.float32) for values in context]
