"""The evaluation's numbers as a summary (one row per map), ``evaluation.json``, ``evaluation.csv`` and a table.

The CSV holds exactly the summary rows of the JSON, floats written with ``repr`` so both read back equal.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..gates.checks import Gate, gate_lines
from ..outputs.provenance import json_default
from .curves import Curves
from .randomization import Randomization

RANDOM = "random"
REFERENCES = {RANDOM: "random order (reference)", "random bands": "random band order (reference)"}
COLUMNS = (
    "map",
    "method",
    "deletion_auc",
    "insertion_auc",
    "randomization_correlation",
    "randomization_check",
    "ig_completeness_gap",
    "seconds_per_sample",
)
BETTER = {  # the best value of a column: the smallest by this key
    "deletion_auc": lambda value: value,
    "insertion_auc": lambda value: -value,
    "randomization_correlation": abs,  # least like the original maps
    "ig_completeness_gap": lambda value: value,
    "seconds_per_sample": lambda value: value,
}


def summary_rows(
    curves: dict[str, Curves],
    method_of: dict[str, str],
    randomization: Randomization | None,
    ig_gaps: dict[str, np.ndarray],
    seconds_per_sample: dict[str, float],
) -> list[dict[str, Any]]:
    """One row per map (averages over signals), then the random-order references."""
    rows = []
    for name, curve in curves.items():
        method = method_of.get(name, REFERENCES.get(name, name))
        checked = randomization is not None and name in randomization.correlations
        gap = ig_gaps.get(name)
        rows.append(
            {
                "map": name,
                "method": method,
                "deletion_auc": float(curve.deletion_auc.mean()),
                "insertion_auc": float(curve.insertion_auc.mean()),
                "randomization_correlation": randomization.final(name) if checked else None,
                "randomization_check": ("pass" if randomization.passed(name) else "fail") if checked else None,
                "ig_completeness_gap": float(gap.mean()) if gap is not None else None,
                "seconds_per_sample": seconds_per_sample.get(method),
            }
        )
    return [row for row in rows if row["map"] not in REFERENCES] + [row for row in rows if row["map"] in REFERENCES]


def curves_section(curves: dict[str, Curves]) -> dict[str, Any]:
    """Every curve and area, per map, plus means and standard deviations over signals; a map whose curve
    steps differ from the section's ``fractions`` (band maps) has its own."""
    first = next(iter(curves.values()))
    section: dict[str, Any] = {"fractions": first.fractions.tolist(), "maps": {}}
    for name, curve in curves.items():
        section["maps"][name] = {
            kind: {
                "auc_mean": float(aucs.mean()),
                "auc_std": float(aucs.std()),
                "auc": aucs.tolist(),
                "mean_curve": values.mean(axis=0).tolist(),
                "curves": values.tolist(),
            }
            for kind, aucs, values in (
                ("deletion", curve.deletion_auc, curve.deletion),
                ("insertion", curve.insertion_auc, curve.insertion),
            )
        }
        if not np.array_equal(curve.fractions, first.fractions):  # band curves step over bands
            section["maps"][name]["fractions"] = curve.fractions.tolist()
    return section


def randomization_section(randomization: Randomization | None, rule: str) -> dict[str, Any] | None:
    """Layers randomised per step and, per map, the correlations at each step and the verdict."""
    if randomization is None:
        return None
    return {
        "rule": rule,
        "layers": list(randomization.layers),
        "threshold": randomization.threshold,
        "maps": {
            name: {
                "mean_correlation": randomization.mean(name).tolist(),
                "final": randomization.final(name),
                "passed": randomization.passed(name),
                "undefined": randomization.undefined[name].tolist(),
                "correlations": randomization.correlations[name].tolist(),
            }
            for name in randomization.correlations
        },
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=1, default=json_default, allow_nan=True) + "\n", encoding="utf-8")


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(["" if row[column] is None else _cell(row[column]) for column in COLUMNS])


def summary_markdown(rows: list[dict[str, Any]], gates: Sequence[Gate], n: int, request: Any) -> str:
    """``summary.md``: the summary table and the gates, for a CI job summary."""

    def cell(value: Any) -> str:
        return f"{value:.3f}" if isinstance(value, float) else "" if value is None else str(value)

    lines = [
        f"### SignalScreen evaluate: `{request.explain.model_path}` on `{request.explain.data_path}`",
        "",
        f"{n} signals, {request.steps} steps, baseline {request.baseline}.",
        "",
        "| map | deletion AUC ↓ | insertion AUC ↑ | rand r | sanity | IG gap |",
        "| --- | ---: | ---: | ---: | --- | ---: |",
    ]
    keys = ("deletion_auc", "insertion_auc", "randomization_correlation", "randomization_check", "ig_completeness_gap")
    lines += [f"| {row['map']} | " + " | ".join(cell(row[key]) for key in keys) + " |" for row in rows]
    return "\n".join([*lines, *gate_lines(gates)]) + "\n"


def best_values(rows: list[dict[str, Any]]) -> dict[str, float]:
    """The best value of each numeric column among the methods (not the random reference), where 2+ exist."""
    best = {}
    for column, key in BETTER.items():
        values = [row[column] for row in rows if row["map"] not in REFERENCES and _finite(row[column])]
        if len(values) >= 2:
            best[column] = min(values, key=key)
    return best


def summary_table(rows: list[dict[str, Any]], title: str) -> Any:
    """A Rich table, methods as rows; ``*`` marks the best value of each column."""
    from rich.table import Table

    best = best_values(rows)
    table = Table(
        title=title,
        caption="* best in column; random: the chance level",
    )
    headings = {
        "map": "map",
        "deletion_auc": "deletion↓",
        "insertion_auc": "insertion↑",
        "randomization_correlation": "rand r↓",
        "randomization_check": "sanity",
        "ig_completeness_gap": "IG gap↓",
        "seconds_per_sample": "ms/signal↓",
    }
    headings = {column: text for column, text in headings.items() if any(row[column] is not None for row in rows)}
    for column, heading in headings.items():
        left = column in ("map", "randomization_check")
        table.add_column(heading, justify="left" if left else "right", no_wrap=column == "map")
    for row in rows:
        cells = []
        for column in headings:
            value = row[column]
            if value is None:
                cells.append("")
            elif isinstance(value, float):
                shown = 1000 * value if column == "seconds_per_sample" else value
                text = f"{shown:.3g}" if column in ("ig_completeness_gap", "seconds_per_sample") else f"{shown:.4f}"
                cells.append(text + (" *" if column in best and value == best[column] else ""))
            else:
                cells.append("FAIL" if value == "fail" else str(value))
        table.add_row(*cells, style="dim" if row["map"] in REFERENCES else None)
    return table


def _finite(value: Any) -> bool:
    return isinstance(value, float) and math.isfinite(value)


def _cell(value: Any) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)
