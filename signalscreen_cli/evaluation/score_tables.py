"""Tables of per-map scores (ground truth, robustness): CSV, Markdown and a Rich table from rows of dicts.

A row holds ``map`` (and maybe ``class``), a few labels and one mean per score (``None`` where no signal had it).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .report import REFERENCES


def mean_defined(values: np.ndarray) -> float | None:
    """The mean over the finite values, ``None`` when there is none."""
    defined = values[np.isfinite(values)]
    return float(defined.mean()) if len(defined) else None


ScoreKey = Callable[[str, str], str]
"""``key(score, map name)``: the name of a stage's per-signal score array (``robust:sparseness:saliency``)."""


def scored_maps(arrays: dict[str, np.ndarray], key: ScoreKey, score: str) -> list[str]:
    """The maps that have ``score``, in run order."""
    prefix = key(score, "")
    return [name.removeprefix(prefix) for name in arrays if name.startswith(prefix)]


def score_rows(
    arrays: dict[str, np.ndarray], key: ScoreKey, scores: Sequence[str], maps: Sequence[str], method_of: dict[str, str]
) -> list[dict[str, Any]]:
    """One row per map: its method (or reference) and each score's mean over signals, ``None`` if not computed."""
    rows = []
    for name in maps:
        row: dict[str, Any] = {"map": name, "method": method_of.get(name, REFERENCES.get(name, name))}
        for score in scores:
            values = arrays.get(key(score, name))
            row[score] = None if values is None else mean_defined(values)
        rows.append(row)
    return rows


def per_signal(
    arrays: dict[str, np.ndarray], rows: list[dict[str, Any]], key: ScoreKey, scores: Sequence[str]
) -> dict[str, dict[str, list[float]]]:
    """Every row's scores signal by signal, for the JSON section."""
    return {
        row["map"]: {
            score: arrays[key(score, row["map"])].tolist() for score in scores if key(score, row["map"]) in arrays
        }
        for row in rows
    }


def csv_cell(value: Any) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def write_rows_csv(path: Path, rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    """Every column of every row; floats with ``repr`` so the CSV and the JSON read back equal."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_cell(row[column]) for column in columns])


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if math.isfinite(value) else str(value)
    return "" if value is None else str(value)


def rows_markdown(rows: list[dict[str, Any]], labels: Sequence[str], headings: dict[str, str]) -> str:
    """A Markdown table: the ``labels`` columns as they are, then each score of ``headings`` to 3 decimals."""
    lines = [
        "",
        "| " + " | ".join([*labels, *headings.values()]) + " |",
        "| " + " | ".join(["---"] * len(labels) + ["---:"] * len(headings)) + " |",
    ]
    lines += ["| " + " | ".join(_shown(row[c]) for c in (*labels, *headings)) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def rows_table(
    rows: list[dict[str, Any]],
    labels: Sequence[str],
    headings: dict[str, str],
    higher: dict[str, bool | None],
    title: str,
    caption: str = "* best among the methods over all signals; random: the chance level",
) -> Any:
    """A Rich table; ``*`` marks the best method per score (``higher`` not ``None``) among the rows of class
    ``all`` (or every row)."""
    from rich.table import Table

    judged = [row for row in rows if row.get("class", "all") == "all" and row["map"] not in REFERENCES]
    best = {}
    for score in headings:
        values = [row[score] for row in judged if row[score] is not None and math.isfinite(row[score])]
        if len(values) >= 2 and higher.get(score) is not None:
            best[score] = max(values) if higher[score] else min(values)
    table = Table(title=title, caption=caption)
    for column in labels:
        table.add_column(column, justify="right" if column == "signals" else "left", no_wrap=True)
    for heading in headings.values():
        table.add_column(heading, justify="right", no_wrap=True)
    judged_ids = {id(row) for row in judged}
    for row in rows:
        cells = [_shown(row[c]) for c in labels]
        for score in headings:
            marked = id(row) in judged_ids and score in best and row[score] == best[score]
            cells.append(_shown(row[score]) + (" *" if marked else ""))
        table.add_row(*cells, style="dim" if row["map"] in REFERENCES else None)
    return table
