"""Bar charts of a multi-input model's other inputs: each feature's mean attribution, per class explained.

One figure per ``METHOD.INPUT`` array (kind ``feature``, ``model/context.py``): ``plots/features_<array>.png``,
a group of bars per feature of the input (named by the CSV header where the manifest has the names), a bar per
explained class, its height the mean attribution over the signals explained for that class. Sums are streamed
chunk by chunk; nothing is held per signal. The figure itself is ``plots/feature_charts.py``'s.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..model.context import FEATURE_KIND
from ..outputs.staging import safe_name
from ..plots.feature_charts import CLASS_COLOURS, MOST_FEATURES, feature_figure, feature_meaning, feature_names
from ..records import writing

if TYPE_CHECKING:
    from ..records import ChunkResult, RunRecord
    from .table import RunOutputs


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
        manifest = record.manifest
        activation = (manifest.get("model") or {}).get("output_activation")
        for name in self.sums:
            method, _, input_name = name.partition(".")
            names = feature_names(manifest, input_name, len(next(iter(self.sums[name].values()))))
            parameters = (manifest.get("methods") or {}).get(method) or {}
            meaning = feature_meaning(method, parameters, "class", activation, input_name)
            figure = feature_figure(name, self.sums[name], self.counts[name], record.class_names, names, meaning)
            for fmt in self.formats:
                path = folder / f"features_{safe_name(name)}.{fmt}"
                with writing(path):
                    figure.savefig(path, dpi=110)


def for_run(run: RunOutputs) -> FeatureBars:
    return FeatureBars(run.folder, run.request.formats)


__all__ = ["CLASS_COLOURS", "FeatureBars", "feature_figure", "for_run"]
