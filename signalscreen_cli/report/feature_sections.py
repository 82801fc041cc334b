"""The report's bar charts of a multi-input run's other inputs, per explained class.

For each ``METHOD.INPUT`` array of kind ``feature`` (a table of a few values a signal, e.g. ``saliency.age_sex``)
and each class explained: the class mean of every feature and the 10–90 % range of the class's signals, one
figure per class and input with a panel per method (``plots/feature_charts.py``). Arrays of another signal
input (thousands of values a row) are left to that input's own run. Read from the stored result, which holds
a few numbers a signal for these arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..model.context import FEATURE_KIND
from ..plots.feature_charts import MOST_FEATURES, class_feature_figure, feature_meaning, feature_names
from ..results.reader import StoredResult
from . import figures


def feature_arrays(manifest: dict[str, Any]) -> dict[str, list[str]]:
    """Per other input, the names of its ``METHOD.INPUT`` arrays that are tables of features, in run order."""
    others = ((manifest.get("model") or {}).get("inputs") or {}).get("others") or {}
    found: dict[str, list[str]] = {}
    for name, info in (manifest.get("arrays") or {}).items():
        input_name = name.partition(".")[2]
        shape = (others.get(input_name) or {}).get("shape")
        if info.get("kind") != FEATURE_KIND or shape is None or int(np.prod(shape)) > MOST_FEATURES:
            continue
        found.setdefault(input_name, []).append(name)
    return found


def per_class(values: np.ndarray, targets: np.ndarray | None, width: int) -> dict[int, np.ndarray]:
    """Each class's rows ``(signals, features)``: by the per-signal target, or (``--target all``: no
    ``targets``, a class axis after the signal's) every signal for every class."""
    if targets is not None and values.ndim == 2 and values.shape[1] == width:
        return {int(k): values[targets == k] for k in np.unique(targets)}
    flat = values.reshape(len(values), -1, width)
    return {k: flat[:, k] for k in range(flat.shape[1])}


def feature_sections(stored: StoredResult) -> dict[str, list[dict[str, Any]]]:
    """Per class name, the figures of its other inputs' attributions (``figure``, ``width``, ``height``,
    ``alt``, ``input``, ``caption``)."""
    manifest = stored.manifest
    wanted = feature_arrays(manifest)
    if not wanted:
        return {}
    class_names = [str(name) for name in manifest.get("class_names", [])]
    activation = (manifest.get("model") or {}).get("output_activation")
    arrays = manifest.get("arrays") or {}
    targets = stored.array("targets") if "targets" in arrays else None
    others = manifest["model"]["inputs"]["others"]
    sections: dict[str, list[dict[str, Any]]] = {}
    for input_name, names in wanted.items():
        width = int(np.prod(others[input_name]["shape"]))
        features = feature_names(manifest, input_name, width)
        grouped = {name: per_class(np.asarray(stored.array(name), np.float64), targets, width) for name in names}
        for k in sorted({k for classes in grouped.values() for k in classes}):
            label = class_names[k] if k < len(class_names) else str(k)
            found = [_panel(name, grouped[name].get(k), manifest, label, activation) for name in names]
            panels = [panel for panel in found if panel is not None]
            if panels:
                sections.setdefault(label, []).append(_figure(panels, features, input_name, label))
    return sections


def _panel(
    name: str, rows: np.ndarray | None, manifest: dict[str, Any], label: str, activation: str | None
) -> dict[str, Any] | None:
    """One method's panel of a class's figure; ``None`` where the method explained none of its signals."""
    if rows is None or not len(rows):
        return None
    method, _, input_name = name.partition(".")
    parameters = (manifest.get("methods") or {}).get(method) or {}
    low, high = np.quantile(rows, [0.1, 0.9], axis=0)
    return {
        "method": method,
        "meaning": feature_meaning(method, parameters, label, activation, input_name),
        "mean": rows.mean(axis=0),
        "low": low,
        "high": high,
        "count": len(rows),
    }


def _figure(panels: list[dict[str, Any]], features: list[str], input_name: str, label: str) -> dict[str, Any]:
    count = panels[0]["count"]
    title = f"Input {input_name}, class {label}: mean of {count} signals (bar), 10–90 % of them (line)"
    figure = class_feature_figure(panels, features, figures.WIDTH, title)
    width, height = figures.css_size(figure)
    described = "; ".join(
        f"{panel['method']} ({panel['meaning']}): "
        + ", ".join(f"{feature} {value:.3g}" for feature, value in zip(features, panel["mean"], strict=True))
        for panel in panels
    )
    return {
        "input": input_name,
        "figure": figures.as_data_uri(figure),
        "width": width,
        "height": height,
        "alt": f"Bar chart of input {input_name} for class {label}, the class mean per feature: {described}.",
        "caption": f"what each feature of {input_name} contributes, by method; "
        + "; ".join(f"{panel['method']}: {panel['meaning']}" for panel in panels),
    }
