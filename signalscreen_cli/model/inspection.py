"""What ``signalscreen inspect`` reports about a model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any


def describe_model(path: Path, methods: Mapping[str, type], **load_options: Any) -> dict[str, Any]:
    """Layers, input/output, logit path, conv layers and which of ``methods`` (name → method class) apply, as
    plain data."""
    from .files import load_model

    adapter = load_model(path, **load_options)
    convs = adapter.conv_layers()
    layers = []
    for info in adapter.layers():
        row = asdict(info)
        row["type"] = row.pop("kind")
        row["output_shape"] = list(row["output_shape"])
        layers.append(row)
    return {
        "model": str(path),
        "input_shape": list(adapter.input_shape),
        "n_outputs": adapter.n_outputs,
        "output_activation": adapter.output_activation,
        "logit_path": adapter.logit_path,
        "inputs": {
            "signal": adapter.signal_input,
            "others": {item.name: list(item.shape) for item in adapter.context_inputs},
        },
        "outputs": list(adapter.heads),
        "output": adapter.head,
        "layers": layers,
        "conv_layers": convs,
        "applicable_methods": [name for name, cls in methods.items() if not cls().not_applicable(adapter)],
    }
