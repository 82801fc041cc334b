"""The ground-truth scores as tables: per map and class (means over the signals where a score is defined),
the JSON section, ``truth.csv`` and the lines of ``summary.md``."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np

from .report import RANDOM, REFERENCES
from .truth_scores import TRUTH_SCORES
from .truth_stage import truth_key

ALL = "all"
COLUMNS = ("map", "method", "class", "signals", *TRUTH_SCORES)
HEADINGS = {
    "mass_accuracy": "mass acc↑",
    "rank_accuracy": "rank acc↑",
    "pointing_game": "pointing↑",
    "aup": "AUP↑",
    "aur": "AUR↑",
    "auprc": "AUPRC↑",
}
RULE = (
    "positive relevance inside the mask over all positive relevance (mass accuracy, weighted by a weight mask); "
    "share of the K highest positions inside a mask of K (rank accuracy); highest position inside (pointing game); "
    "precision and recall of {relevance/max >= t} integrated over t in [0, 1] (AUP, AUR); average precision of the "
    "ranking (AUPRC); a weight mask counts as w > 0 except for mass accuracy; signals with an empty mask or no "
    "positive relevance are left out of a score's mean; random: the curves' random order as a map"
)


def truth_maps(arrays: dict[str, np.ndarray]) -> list[str]:
    """The maps scored against the truth, in run order, the random order last."""
    prefix = truth_key(TRUTH_SCORES[0], "")
    names = [name.removeprefix(prefix) for name in arrays if name.startswith(prefix)]
    return [name for name in names if name != RANDOM] + [RANDOM]


def _mean(values: np.ndarray) -> float | None:
    defined = values[np.isfinite(values)]
    return float(defined.mean()) if len(defined) else None


def truth_rows(
    arrays: dict[str, np.ndarray], method_of: dict[str, str], class_names: list[str]
) -> list[dict[str, Any]]:
    """Per map: a row over all signals, then one per target class with a mask; the random order last."""
    targets = np.asarray(arrays["targets"])
    groups = [(ALL, np.ones(len(targets), bool))]
    groups += [(class_names[int(t)], targets == t) for t in np.unique(targets)]
    rows = []
    for name in truth_maps(arrays):
        for label, where in groups:
            scores = {score: arrays[truth_key(score, name)][where] for score in TRUTH_SCORES}
            row: dict[str, Any] = {
                "map": name,
                "method": method_of.get(name, REFERENCES.get(name, name)),
                "class": label,
                "signals": int(np.isfinite(scores["rank_accuracy"]).sum()),
            }
            row.update({score: _mean(values) for score, values in scores.items()})
            if label == ALL or row["signals"]:  # a class without a mask (no pattern) has no row
                rows.append(row)
    return rows


def truth_section(arrays: dict[str, np.ndarray], rows: list[dict[str, Any]], path: Path) -> dict[str, Any]:
    """``evaluation.json``'s ``truth``: the mask file, the rule, the table and every signal's scores."""
    return {
        "path": str(path),
        "rule": RULE,
        "rows": rows,
        "per_signal": {
            name: {score: arrays[truth_key(score, name)].tolist() for score in TRUTH_SCORES}
            for name in truth_maps(arrays)
        },
    }


def write_truth_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([_csv_cell(row[column]) for column in COLUMNS])


def _csv_cell(value: Any) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def _cell(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) and math.isfinite(value) else "" if value is None else str(value)


def truth_markdown(rows: list[dict[str, Any]]) -> str:
    """The table for ``summary.md`` and the README."""
    lines = [
        "",
        "| map | class | signals | " + " | ".join(HEADINGS[s] for s in TRUTH_SCORES) + " |",
        "| --- | --- | ---: |" + " ---: |" * len(TRUTH_SCORES),
    ]
    for row in rows:
        cells = [row["map"], row["class"], str(row["signals"]), *(_cell(row[s]) for s in TRUTH_SCORES)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def truth_table(rows: list[dict[str, Any]], title: str) -> Any:
    """A Rich table of :func:`truth_rows`; ``*`` marks the best map per score among the ``all`` rows."""
    from rich.table import Table

    overall = [row for row in rows if row["class"] == ALL and row["map"] not in REFERENCES]
    best = {}
    for score in TRUTH_SCORES:
        values = [row[score] for row in overall if row[score] is not None]
        if len(values) >= 2:
            best[score] = max(values)
    table = Table(title=title, caption="* best among the methods over all signals; random: the chance level")
    for heading in ("map", "class", "signals", *(HEADINGS[s] for s in TRUTH_SCORES)):
        table.add_column(heading, justify="left" if heading in ("map", "class") else "right", no_wrap=True)
    for row in rows:
        cells = [row["map"], row["class"], str(row["signals"])]
        for score in TRUTH_SCORES:
            value = row[score]
            marked = row["class"] == ALL and row["map"] not in REFERENCES and score in best
            mark = " *" if marked and value == best[score] else ""
            cells.append("" if value is None else f"{value:.3f}{mark}")
        table.add_row(*cells, style="dim" if row["map"] in REFERENCES else None)
    return table
