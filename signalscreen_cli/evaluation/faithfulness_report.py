"""Faithfulness correlation, ROAD and random-logit as one row per map (means over signals) and the random order,
the JSON section, ``faithfulness.csv``, the lines of ``summary.md`` and the terminal table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .faithfulness_stage import FAITHFULNESS_SCORES, faith_key
from .report import RANDOM
from .score_tables import per_signal, rows_markdown, rows_table, score_rows, scored_maps, write_rows_csv

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
    names = [name for name in scored_maps(arrays, faith_key, "road_morf") if name != RANDOM]
    return score_rows(arrays, faith_key, FAITHFULNESS_SCORES, [*names, RANDOM], method_of)


def faithfulness_section(arrays: dict[str, np.ndarray], rows: list[dict[str, Any]], options: dict[str, Any]) -> dict:
    scores = per_signal(arrays, rows, faith_key, FAITHFULNESS_SCORES)
    return {"rule": RULE, **options, "rows": rows, "per_signal": scores}


def write_faithfulness_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    write_rows_csv(path, rows, COLUMNS)


def faithfulness_markdown(rows: list[dict[str, Any]]) -> str:
    return rows_markdown(rows, ("map",), HEADINGS)


def faithfulness_table(rows: list[dict[str, Any]], title: str) -> Any:
    return rows_table(rows, ("map",), HEADINGS, HIGHER, title)
