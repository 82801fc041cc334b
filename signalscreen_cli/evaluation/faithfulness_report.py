"""Faithfulness correlation, ROAD and random-logit as one row per map (means over signals) and the random order,
the JSON section, ``faithfulness.csv``, the lines of ``summary.md`` and the terminal table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .faithfulness_stage import FAITHFULNESS_SCORES, faith_key
from .report import RANDOM, REFERENCES
from .score_tables import mean_defined, rows_markdown, rows_table, write_rows_csv

HIGHER = {"faithfulness_correlation": True, "road_morf": False, "road_lerf": True, "random_logit": False}
HEADINGS = {
    "faithfulness_correlation": "faith corr↑",
    "road_morf": "ROAD MoRF↓",
    "road_lerf": "ROAD LeRF↑",
    "random_logit": "random-logit ρ↓",
}
COLUMNS = ("map", "method", *FAITHFULNESS_SCORES)
RULE = (
    "faithfulness correlation: Pearson correlation over S random subsets of round(fraction*L) positions between the "
    "map's sum over the subset and f(x) - f(x, subset at the baseline); ROAD: the first (MoRF) or last (LeRF) "
    "floor(k*L/steps) ranked positions, k = 1..steps-1, filled by linear interpolation from the kept neighbours plus "
    "Gaussian noise (road_noise x the signal's range), mean target output over k; random-logit: Spearman "
    "correlation of |map| for the target and for a random other class; means over signals where defined"
)


def faithfulness_rows(arrays: dict[str, np.ndarray], method_of: dict[str, str]) -> list[dict[str, Any]]:
    """One row per map scored, in run order, the random order last."""
    prefix = faith_key("road_morf", "")
    names = [key.removeprefix(prefix) for key in arrays if key.startswith(prefix)]
    rows = []
    for name in [name for name in names if name != RANDOM] + [RANDOM]:
        row: dict[str, Any] = {"map": name, "method": method_of.get(name, REFERENCES.get(name, name))}
        for score in FAITHFULNESS_SCORES:
            values = arrays.get(faith_key(score, name))
            row[score] = None if values is None else mean_defined(values)
        rows.append(row)
    return rows


def faithfulness_section(arrays: dict[str, np.ndarray], rows: list[dict[str, Any]], options: dict[str, Any]) -> dict:
    return {
        "rule": RULE,
        **options,
        "rows": rows,
        "per_signal": {
            row["map"]: {
                score: arrays[faith_key(score, row["map"])].tolist()
                for score in FAITHFULNESS_SCORES
                if faith_key(score, row["map"]) in arrays
            }
            for row in rows
        },
    }


def write_faithfulness_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    write_rows_csv(path, rows, COLUMNS)


def faithfulness_markdown(rows: list[dict[str, Any]]) -> str:
    return rows_markdown(rows, ("map",), HEADINGS)


def faithfulness_table(rows: list[dict[str, Any]], title: str) -> Any:
    return rows_table(rows, ("map",), HEADINGS, HIGHER, title)
