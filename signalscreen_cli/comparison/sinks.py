"""What ``compare`` writes, as a table of sinks: each row says when its file is wanted and builds its sink.

Every file describes the whole comparison, so each sink writes at close (``sinks.finished``), from the
:class:`ComparisonOutputs` it is built from and the record carrying ``comparison.json``'s document. A new
output is one builder plus one row.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..gates.checks import Gate, gate_lines
from ..outputs.provenance import json_default
from ..records import RunRecord
from ..sinks.finished import FinishedFile, FinishedOutputs
from ..sinks.table import SinkRow
from .request import CompareRequest
from .scores import PairScores

COLUMNS = (
    "map",
    "map_a",
    "map_b",
    "compared",
    "median_pearson",
    "mean_pearson",
    "median_spearman", "mean_spearman", "mean_cosine", "mean_top_overlap",
    "signals",
)  # fmt: skip


@dataclass(frozen=True)
class ComparisonOutputs(FinishedOutputs):
    """What ``compare``'s sinks build themselves from, besides the folder and the request.

    Attributes
    ----------
    rows : list of dict
        One summary row per pair of maps.
    gates : list of Gate
        The gates asked for, passed or not.
    scores : list of PairScores
        Every pair's per-signal scores.
    classes : dict of str to list of dict
        Per pair, one entry per class of run A's prediction (with both class-mean maps where they exist).
    sample_index : numpy.ndarray
        The rows both runs explain.
    sampling_rate : float or None
        Run A's sampling rate, for time axes in seconds.
    """

    request: CompareRequest
    rows: list[dict[str, Any]]
    gates: list[Gate]
    scores: list[PairScores]
    classes: dict[str, list[dict[str, Any]]]
    sample_index: np.ndarray
    sampling_rate: float | None = None


def document(run: ComparisonOutputs) -> FinishedFile:
    def produce(path: Path, record: RunRecord) -> None:
        path.write_text(json.dumps(record.manifest, indent=2, default=json_default) + "\n")

    return FinishedFile(run.folder / "comparison.json", produce)


def summary_table(run: ComparisonOutputs) -> FinishedFile:
    def produce(path: Path, record: RunRecord) -> None:
        with open(path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(
                {key: repr(value) if isinstance(value, float) else value for key, value in row.items()}
                for row in run.rows
            )

    return FinishedFile(run.folder / "comparison.csv", produce)


def summary(run: ComparisonOutputs) -> FinishedFile:
    def produce(path: Path, record: RunRecord) -> None:
        flips = int(record.manifest["signals"]["flips"])
        path.write_text(summary_markdown(run.request, run.rows, run.gates, len(run.sample_index), flips))

    return FinishedFile(run.folder / "summary.md", produce)


def class_means(run: ComparisonOutputs) -> FinishedFile:
    def produce(path: Path, record: RunRecord) -> None:
        means = {
            f"{pair.name}__{which}__{entry['class']}": np.asarray(entry[f"mean_map_{which}"], np.float32)
            for pair in run.scores
            for entry in run.classes.get(pair.name, [])
            for which in ("a", "b")
        }
        np.savez(path, **means)

    return FinishedFile(run.folder / "class_means.npz", produce)


def figures(run: ComparisonOutputs) -> FinishedFile:
    def produce(folder: Path, record: RunRecord) -> None:
        from .plots import write_figures

        write_figures(folder, run.scores, run.classes, run.sample_index, run.request, run.sampling_rate)

    return FinishedFile(run.folder, produce)


COMPARE_SINKS: tuple[SinkRow[ComparisonOutputs], ...] = (
    SinkRow("comparison.json", lambda run: True, "..comparison.sinks:document"),
    SinkRow("comparison.csv", lambda run: True, "..comparison.sinks:summary_table"),
    SinkRow("summary.md", lambda run: True, "..comparison.sinks:summary"),
    SinkRow("class_means.npz", lambda run: True, "..comparison.sinks:class_means"),
    SinkRow("figures", lambda run: run.request.plots, "..comparison.sinks:figures"),
)


def summary_markdown(request: CompareRequest, rows: list[dict[str, Any]], gates: list[Gate], n: int, flips: int) -> str:
    """``summary.md``: the table and the gates, for a CI job summary."""
    lines = [
        f"### SignalScreen compare: `{request.run_a}` vs `{request.run_b}`",
        "",
        f"{n} signals, {flips} prediction change(s).",
        "",
        f"| map | compared | median Pearson | median Spearman | mean cosine | top-{request.top:g}% overlap |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        *(
            f"| {r['map']} | {r['compared']} | {r['median_pearson']:.3f} | {r['median_spearman']:.3f} "
            f"| {r['mean_cosine']:.3f} | {r['mean_top_overlap']:.3f} |"
            for r in rows
        ),
    ]
    lines += gate_lines(gates)
    return "\n".join(lines) + "\n"
