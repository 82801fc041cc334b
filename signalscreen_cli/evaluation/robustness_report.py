"""The concentration and robustness scores as one row per map (means over signals), the JSON section,
``robustness.csv``, the lines of ``summary.md`` and the terminal table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .robustness_stage import robust_key
from .score_tables import per_signal, rows_markdown, rows_table, score_rows, scored_maps, write_rows_csv
from .sensitivity import SENSITIVITY_SCORES

ROBUSTNESS_SCORES = ("sparseness", "complexity", *SENSITIVITY_SCORES)
HIGHER = {"sparseness": True, "complexity": False, **dict.fromkeys(SENSITIVITY_SCORES, False)}
HEADINGS = {
    "sparseness": "Gini↑",
    "complexity": "entropy↓",
    "max_sensitivity": "max sens↓",
    "avg_sensitivity": "avg sens↓",
    "local_lipschitz": "Lipschitz↓",
}
COLUMNS = ("map", "method", *ROBUSTNESS_SCORES)
RULE = (
    "sparseness: Gini index of |map| over positions and channels; complexity: entropy of |map|/sum|map|; "
    "sensitivities: N draws of uniform noise in [-r, r], r = radius x the signal's range, seeded by --seed and the "
    "signal; max and mean over draws of ||map(x+d) - map(x)|| / ||map(x)||; local Lipschitz: max of "
    "||map(x+d) - map(x)|| / ||d||; the original target throughout; means over signals where defined"
)


def robustness_rows(arrays: dict[str, np.ndarray], method_of: dict[str, str]) -> list[dict[str, Any]]:
    """One row per map scored, in run order; ``None`` for a score not computed (no ``--robustness-samples``)."""
    return score_rows(arrays, robust_key, ROBUSTNESS_SCORES, scored_maps(arrays, robust_key, "sparseness"), method_of)


def robustness_section(
    arrays: dict[str, np.ndarray], rows: list[dict[str, Any]], samples: int, radius: float
) -> dict[str, Any]:
    scores = per_signal(arrays, rows, robust_key, ROBUSTNESS_SCORES)
    return {"rule": RULE, "samples": samples, "radius": radius, "rows": rows, "per_signal": scores}


def _headings(rows: list[dict[str, Any]]) -> dict[str, str]:
    return {score: text for score, text in HEADINGS.items() if any(row[score] is not None for row in rows)}


def write_robustness_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    write_rows_csv(path, rows, COLUMNS)


def robustness_markdown(rows: list[dict[str, Any]]) -> str:
    return rows_markdown(rows, ("map",), _headings(rows))


def robustness_table(rows: list[dict[str, Any]], title: str) -> Any:
    return rows_table(rows, ("map",), _headings(rows), HIGHER, title, "* best among the methods, mean over signals")
