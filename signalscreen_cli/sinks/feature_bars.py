"""Bar charts of a multi-input model's other inputs: each feature's mean attribution, per class explained.

One figure per ``METHOD.INPUT`` array (kind ``feature``, ``model/context.py``): ``plots/features_<array>.png``,
a group of bars per feature of the input, a bar per explained class, its height the mean attribution over
the signals explained for that class. Sums are streamed chunk by chunk; nothing is held per signal.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..model.context import FEATURE_KIND
from ..outputs.staging import safe_name
from ..records import writing

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..records import ChunkResult, RunRecord
    from .table import RunOutputs

CLASS_COLOURS = ("#1f4e99", "#b2182b", "#1b7837", "#5e3c99", "#8c510a", "#404040")
"""A colour per class, each at least 3:1 against white (WCAG 2.1 non-text contrast); repeated past six."""
TEXT_POINTS = 9
MOST_FEATURES = 64
"""Inputs with more values a row are another signal (ECG beside PPG), not features: no bar chart."""


class FeatureBars:
    """Streams ``Σ attribution`` and counts per (array, class); draws one bar chart per array at close."""

    def __init__(self, folder: Path, formats: tuple[str, ...]) -> None:
        self.folder = folder
        self.formats = formats
        self.sums: dict[str, dict[int, np.ndarray]] = {}
        self.counts: dict[str, dict[int, int]] = {}

    def write(self, start: int, chunk: ChunkResult) -> None:
        for name, kind in chunk.kinds.items():
            if kind != FEATURE_KIND:
                continue
            values = np.asarray(chunk.arrays[name], np.float64)
            if values[0].size > MOST_FEATURES * (values.shape[1] if "targets" not in chunk.arrays else 1):
                continue  # another signal input's map (several thousand positions), not a table of features
            if "targets" in chunk.arrays:  # one class a signal
                per_class = {int(k): values[chunk.arrays["targets"] == k] for k in np.unique(chunk.arrays["targets"])}
            else:  # --target all: a class axis after the signal's
                per_class = {k: values[:, k] for k in range(values.shape[1])}
            for k, rows in per_class.items():
                flat = rows.reshape(len(rows), -1)
                sums = self.sums.setdefault(name, {})
                sums[k] = sums.get(k, 0) + flat.sum(axis=0)
                self.counts.setdefault(name, {})[k] = self.counts.get(name, {}).get(k, 0) + len(flat)

    def close(self, record: RunRecord) -> None:
        if not self.sums:
            return
        folder = self.folder / "plots"
        folder.mkdir(exist_ok=True)
        for name in self.sums:
            figure = feature_figure(name, self.sums[name], self.counts[name], record.class_names)
            for fmt in self.formats:
                path = folder / f"features_{safe_name(name)}.{fmt}"
                with writing(path):
                    figure.savefig(path, dpi=110)


def feature_figure(name: str, sums: dict[int, np.ndarray], counts: dict[int, int], class_names: list[str]) -> Figure:
    """Grouped bars: for each feature of the input, the mean of ``name`` over each class's signals."""
    from matplotlib.figure import Figure

    method, _, input_name = name.partition(".")
    classes = sorted(sums)
    n_features = len(next(iter(sums.values())))
    figure = Figure(figsize=(max(4.5, 1.2 * n_features * max(1, len(classes)) ** 0.5 + 2), 3.4), layout="constrained")
    axes = figure.add_subplot()
    width = 0.8 / len(classes)
    positions = np.arange(n_features)
    for slot, k in enumerate(classes):
        label = class_names[k] if k < len(class_names) else str(k)
        axes.bar(
            positions + (slot - (len(classes) - 1) / 2) * width,
            sums[k] / max(counts[k], 1),
            width,
            color=CLASS_COLOURS[slot % len(CLASS_COLOURS)],
            label=f"class {label} (n = {counts[k]})",
        )
    axes.axhline(0, color="#404040", linewidth=0.8)
    axes.set_xticks(positions, [f"{input_name}[{j}]" for j in range(n_features)], fontsize=TEXT_POINTS)
    axes.tick_params(axis="y", labelsize=TEXT_POINTS)
    axes.set_xlabel(f"feature of input {input_name}", fontsize=TEXT_POINTS + 1)
    axes.set_ylabel(f"mean {method} attribution", fontsize=TEXT_POINTS + 1)
    axes.set_title(f"{method} of input {input_name}\nmean per feature, by class explained", fontsize=TEXT_POINTS + 1)
    axes.legend(fontsize=TEXT_POINTS, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))  # off the bars
    return figure


def for_run(run: RunOutputs) -> FeatureBars:
    return FeatureBars(run.folder, run.request.formats)
