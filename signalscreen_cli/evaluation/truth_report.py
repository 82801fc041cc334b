"""The ground-truth scores as tables: per map and class (means over the signals where a score is defined),
the JSON section, ``truth.csv``, the lines of ``summary.md`` and the terminal table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .report import RANDOM, REFERENCES
from .score_tables import mean_defined, rows_markdown, rows_table, write_rows_csv
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
            row.update({score: mean_defined(values) for score, values in scores.items()})
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
    write_rows_csv(path, rows, COLUMNS)


def truth_markdown(rows: list[dict[str, Any]]) -> str:
    """The table for ``summary.md`` and the README."""
    return rows_markdown(rows, ("map", "class", "signals"), HEADINGS)


def truth_table(rows: list[dict[str, Any]], title: str) -> Any:
    """A Rich table of :func:`truth_rows`."""
    return rows_table(rows, ("map", "class", "signals"), HEADINGS, dict.fromkeys(TRUTH_SCORES, True), title)
