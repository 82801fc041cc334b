"""Class summaries, streamed: ``summary.npz`` and ``summary.json``, in one pass over the chunks.

Groups: the signals of each explained class (``target``; with ``--target all``, each signal's predicted class
and its map for that class) and, with labels, of each true class (``true``). Per group and map: count, mean
signal, mean attribution, mean |attribution|, 10/50/90 % quantiles per position (see
:mod:`..summaries.sketch` for the method and its error bound, stored as ``<map>_q_error``), the prototype
(the signal nearest the group's mean signal, Euclidean, found exactly) and the top positions and segments
by mean |attribution|.

The prototype needs the final mean, so the signals and maps pass through a spill store on disk in the output
folder (bounded memory, removed at close); the input is never read twice.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..layout import SUMMARY_JSON, SUMMARY_NPZ
from ..outputs.provenance import json_default
from ..records import RunRecord, writing
from ..summaries.markdown import SUMMARY_MD, explain_markdown
from ..summaries.sketch import __doc__ as SKETCH_DOC
from ..summaries.stats import QUANTILES, GroupStats, agreement, top_positions, top_segments
from .arrays import ArrayStore, write_npz

if TYPE_CHECKING:
    from ..records import ChunkResult
    from .table import RunOutputs

SUMMARY_VERSION = 1
SPILL = ".summary-spill"
EXAMPLES = 8
BLOCK = 4096
MISCLASSIFIED_LISTED = 1000
"""summary.json lists this many misclassified rows; ``misclassified`` in summary.npz holds them all."""


def predicted_classes(predictions: np.ndarray, binary: bool) -> np.ndarray:
    """Argmax of the outputs; for one output, 1 where it is at least 0.5 when ``binary`` (labels say there
    are two classes), else 0 (the unit itself, as ``--target auto`` explains it)."""
    if predictions.shape[1] == 1 and not binary:
        return np.zeros(len(predictions), np.int64)
    if predictions.shape[1] == 1:
        return (predictions[:, 0] >= 0.5).astype(np.int64)
    return predictions.argmax(axis=1).astype(np.int64)


def margins(predictions: np.ndarray) -> np.ndarray:
    """How sure the model is: top output minus the runner-up (one output: distance from 0.5, doubled)."""
    if predictions.shape[1] == 1:
        return np.abs(predictions[:, 0] - 0.5) * 2
    ordered = np.sort(predictions, axis=1)
    return ordered[:, -1] - ordered[:, -2]


class SummarySink:
    """Streams class statistics of every map; writes ``summary.npz``/``summary.json`` into ``folder``.

    ``labels`` are the true class of each output row; ``gallery`` the number of first rows kept as examples
    (the plotted ones).
    """

    needs_all_rows = True

    def __init__(
        self,
        folder: Path,
        n_rows: int,
        labels: np.ndarray | None = None,
        gallery: int = 16,
        sampling_rate: float | None = None,
    ) -> None:
        self.folder = folder
        self.n_rows = n_rows
        self.labels = None if labels is None else np.asarray(labels, np.int64)
        self.gallery = min(gallery, n_rows)
        self.sampling_rate = sampling_rate
        self.spill = ArrayStore(folder / SPILL, n_rows)
        self.groups: dict[tuple[str, int], GroupStats] = {}
        self.targets = np.zeros(n_rows, np.int64)
        self.predicted = np.zeros(n_rows, np.int64)
        self.margin = np.zeros(n_rows, np.float32)
        self.confidence = np.zeros(n_rows, np.float32)
        self.signal_shape: tuple[int, ...] = ()
        self.map_names: list[str] = []
        self.n_outputs = 0
        self.sample_index = np.arange(n_rows)

    def write(self, start: int, chunk: ChunkResult) -> None:
        if start == 0:
            with writing(self.folder / SPILL):
                (self.folder / SPILL).mkdir(exist_ok=True)
        predictions = np.asarray(chunk.arrays["predictions"])
        predicted = predicted_classes(predictions, self.labels is not None)
        every_class = "targets" not in chunk.arrays
        targets = predicted if every_class else np.asarray(chunk.arrays["targets"], np.int64)
        maps = {}
        for name, kind in chunk.kinds.items():
            if kind != "attribution" or name.endswith("_raw"):
                continue
            values = np.asarray(chunk.arrays[name])
            maps[name] = values[np.arange(len(values)), predicted] if every_class else values
        stop = start + len(predictions)
        self.n_outputs, self.signal_shape, self.map_names = predictions.shape[1], chunk.signals.shape[1:], list(maps)
        self.targets[start:stop], self.predicted[start:stop] = targets, predicted
        self.margin[start:stop] = margins(predictions)
        shown = np.minimum(predicted, predictions.shape[1] - 1)
        self.confidence[start:stop] = predictions[np.arange(len(predictions)), shown]
        groupings = [("target", targets)]
        if self.labels is not None:
            groupings.append(("true", self.labels[start:stop]))
        for by, classes in groupings:
            for value in np.unique(classes):
                chosen = classes == value
                self.groups.setdefault((by, int(value)), GroupStats()).add(
                    chunk.signals[chosen], {name: values[chosen] for name, values in maps.items()}
                )
        self.spill.write_arrays(start, {"signals": chunk.signals, **maps})

    def close(self, record: RunRecord) -> None:
        names = list(record.class_names)
        self.sample_index = np.asarray(record.extra.get("sample_index", np.arange(self.n_rows)))
        arrays, document = self.summarise(names)
        with writing(self.folder / SUMMARY_NPZ):
            write_npz(self.folder / SUMMARY_NPZ, arrays)
        with writing(self.folder / SUMMARY_JSON):
            (self.folder / SUMMARY_JSON).write_text(json.dumps(document, indent=1, default=json_default) + "\n")
        with writing(self.folder / SUMMARY_MD):
            (self.folder / SUMMARY_MD).write_text(explain_markdown(document, record.manifest), encoding="utf-8")
        shutil.rmtree(self.folder / SPILL, ignore_errors=True)

    def summarise(self, names: list[str]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The arrays of ``summary.npz`` and the document of ``summary.json``."""
        n_classes = max(self.n_outputs, 2 if self.labels is not None else 1)
        names = names + [str(k) for k in range(len(names), n_classes)]
        keys = [("target", k) for k in range(self.n_outputs)]
        if self.labels is not None:
            keys += [("true", k) for k in range(n_classes)]
        groups = [self.groups.get(key, GroupStats()) for key in keys]
        members = [(self.targets if by == "target" else self.labels) == k for by, k in keys]
        arrays: dict[str, np.ndarray] = {
            "group_by": np.array([by for by, _ in keys]),
            "group_class": np.array([k for _, k in keys], np.int64),
            "count": np.array([g.count for g in groups], np.int64),
            "mean_signal": np.stack([g.mean_signal(self.signal_shape) for g in groups]),
        }
        arrays["prototype"] = self._prototypes(arrays["mean_signal"], members)
        document_groups = []
        for i, ((by, k), group) in enumerate(zip(keys, groups, strict=True)):
            entry: dict[str, Any] = {
                "by": by,
                "class": k,
                "name": names[k],
                "count": group.count,
                "prototype_row": int(arrays["prototype"][i]) if arrays["prototype"][i] >= 0 else None,
                "maps": {},
            }
            if by == "true" and group.count:
                entry["correct"] = int((self.predicted[members[i]] == k).sum())
            document_groups.append(entry)
        for name in self.map_names:
            per_group = [g.maps[name].results() if name in g.maps else None for g in groups]
            shape = next(r["mean"].shape for r in per_group if r is not None)
            for statistic in ("mean", "mean_abs", *(f"q{round(q * 100)}" for q in QUANTILES), "q_error"):
                arrays[f"{name}_{statistic}"] = np.stack(
                    [r[statistic] if r is not None else np.full(shape, np.nan, np.float32) for r in per_group]
                )
            for entry, found in zip(document_groups, per_group, strict=True):
                if found is not None:
                    entry["maps"][name] = self._map_entry(found)
        for g, entry in enumerate(document_groups):
            if entry["count"] and entry["by"] == "target":
                entry["agreement"] = agreement(
                    {name: arrays[f"{name}_mean"][g] for name in self.map_names},
                    {name: arrays[f"{name}_mean_abs"][g] for name in self.map_names},
                )
        arrays.update(self._examples(arrays["prototype"]))
        return arrays, self._document(names[:n_classes], document_groups, arrays)

    def _map_entry(self, found: dict[str, np.ndarray]) -> dict[str, Any]:
        segments = top_segments(found["mean_abs"])
        if self.sampling_rate:
            for segment in segments:
                segment["start_s"] = segment["start"] / self.sampling_rate
                segment["stop_s"] = segment["stop"] / self.sampling_rate
        return {
            "top_positions": top_positions(found["mean_abs"]),
            "top_segments": segments,
            "max_quantile_error": float(np.nanmax(found["q_error"])),
        }

    def _prototypes(self, means: np.ndarray, members: list[np.ndarray]) -> np.ndarray:
        """Per group, the output row of the signal nearest its mean signal (-1 for an empty group)."""
        best = np.full(len(members), np.inf)
        found = np.full(len(members), -1, np.int64)
        if not self.n_rows:
            return found
        signals = np.load(self.folder / SPILL / "signals.npy", mmap_mode="r")
        for start in range(0, self.n_rows, BLOCK):
            block = np.asarray(signals[start : start + BLOCK], np.float64).reshape(-1, int(np.prod(self.signal_shape)))
            for g, member in enumerate(members):
                inside = np.flatnonzero(member[start : start + BLOCK])
                if not len(inside):
                    continue
                distance = ((block[inside] - means[g].reshape(1, -1)) ** 2).sum(axis=1)
                nearest = int(np.argmin(distance))
                if distance[nearest] < best[g]:
                    best[g], found[g] = distance[nearest], start + inside[nearest]
        del signals
        return found

    def _wrong(self) -> np.ndarray:
        if self.labels is None:
            return np.zeros(0, np.int64)
        return np.flatnonzero(self.labels != self.predicted).astype(np.int64)

    def _examples(self, prototypes: np.ndarray) -> dict[str, np.ndarray]:
        """Rows the report draws, with their signals and maps: prototypes, the most confidently
        misclassified, the least sure and the gallery (the first rows)."""
        wrong = self._wrong()
        shown_wrong = wrong[np.argsort(-self.confidence[wrong], kind="stable")[:EXAMPLES]]
        least_sure = np.argsort(self.margin, kind="stable")[:EXAMPLES].astype(np.int64)
        rows = np.unique(
            np.concatenate([prototypes[prototypes >= 0], shown_wrong, least_sure, np.arange(self.gallery)])
        ).astype(np.int64)
        found = {
            "misclassified": wrong,
            "misclassified_shown": shown_wrong,
            "least_sure": least_sure,
            "margin": self.margin,
            "predicted": self.predicted,
            **({"labels": self.labels} if self.labels is not None else {}),
            "example_rows": rows,
            "example_sample_index": self.sample_index[rows],
        }
        for name in ("signals", *self.map_names):
            if not len(rows):
                continue
            stored = np.load(self.folder / SPILL / f"{name}.npy", mmap_mode="r")
            found[f"example_{name}"] = np.asarray(stored[rows])
            del stored
        return found

    def _row(self, row: int, names: list[str]) -> dict[str, Any]:
        return {"row": int(row), "file_row": int(self.sample_index[row]), "predicted": names[int(self.predicted[row])]}

    def _document(self, names: list[str], groups: list[dict[str, Any]], arrays: dict[str, np.ndarray]) -> dict:
        counts = np.bincount(self.predicted, minlength=len(names))[: len(names)]
        document: dict[str, Any] = {
            "summary_version": SUMMARY_VERSION,
            "signals": self.n_rows,
            "class_names": names,
            "maps": self.map_names,
            "sampling_rate": self.sampling_rate,
            "gallery": self.gallery,
            "predicted_counts": {names[k]: int(c) for k, c in enumerate(counts)},
            "quantiles": {
                "levels": list(QUANTILES),
                "method": SKETCH_DOC.strip().split("\n\n")[0].replace("\n", " ") if SKETCH_DOC else "",
                "definition": "numpy.quantile(..., method='lower') per position, within <map>_q_error",
            },
            "groups": groups,
            "least_sure": [{**self._row(r, names), "margin": float(self.margin[r])} for r in arrays["least_sure"]],
        }
        if self.labels is not None:
            matrix = np.zeros((len(names), len(names)), np.int64)
            np.add.at(matrix, (self.labels, self.predicted), 1)
            wrong = arrays["misclassified"]
            document["labels"] = {
                "confusion": matrix.tolist(),
                "confusion_axes": "rows: true class, columns: predicted class",
                "accuracy": float(np.trace(matrix) / max(self.n_rows, 1)),
                "misclassified_count": len(wrong),
                "misclassified": [
                    {**self._row(r, names), "true": names[int(self.labels[r])]} for r in wrong[:MISCLASSIFIED_LISTED]
                ],
            }
        return document


def for_run(run: RunOutputs) -> SummarySink:
    labels = run.plan.row_info.get("labels")
    return SummarySink(run.folder, len(run.plan.rows), labels, run.request.max_plots, run.request.sampling_rate)
