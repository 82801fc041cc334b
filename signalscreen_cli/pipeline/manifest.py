"""``manifest.json``: everything needed to understand and rerun a result."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import numpy as np

from ..outputs.provenance import MANIFEST_VERSION, package_versions, request_parameters, summary
from ..request import ExplainRequest
from .plan import Plan
from .tally import Tally


def build_manifest(
    request: ExplainRequest,
    plan: Plan,
    tally: Tally,
    extra: dict[str, np.ndarray],
    names: list[str],
    wall_seconds: float,
) -> dict[str, Any]:
    """Everything needed to understand and rerun the result (``manifest.json``)."""
    diagnostics = tally.diagnostics()
    arrays: dict[str, dict[str, Any]] = {}
    for name, shape in tally.shapes().items():
        described = tally.parameters.get(name, {"method": None, "parameters": {}})
        arrays[name] = {"kind": tally.kinds[name], "shape": shape, **described}
        if name in diagnostics:
            arrays[name]["summary"] = summary(diagnostics[name])
    for name, values in extra.items():
        arrays[name] = {"kind": "index", "shape": list(values.shape), "method": None, "parameters": {}}
    return {
        "tool": "signalscreen",
        "manifest_version": MANIFEST_VERSION,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "versions": package_versions(),
        "command": sys.argv,
        "model": {
            **plan.model.describe(),
            **{key: value for key, value in plan.model_facts.items() if key != "cam_layers"},
        },
        "data": {
            **plan.data.describe(),
            "rows_in_file": int(plan.source_shape[0]),
            "row_shape": [int(v) for v in plan.source_shape[1:]],
            "signals": len(plan.rows),
            **({"reading": plan.reading} if plan.reading else {}),
        },
        "shard": list(request.shard) if request.shard else None,
        "class_names": names,
        "parameters": request_parameters(request),
        # a CAM method's entry also names the layer it used and why (its "layer" is null when defaulted)
        "methods": {
            method.name: {**method.params.as_dict(), **plan.model_facts.get("cam_layers", {}).get(method.name, {})}
            for method in plan.methods
        },
        **({"skipped_methods": plan.skipped} if plan.skipped else {}),
        "arrays": arrays,
        "timings_s": {
            **{name: round(seconds, 4) for name, seconds in tally.seconds.items()},
            "total": round(wall_seconds, 4),
        },
    }
