"""``--fail-on`` gates on the scores beyond the curves: one table, so a new score is one more entry.

``NAME=X`` fails a map whose mean score (over every signal where it is defined) is on the wrong side of
``X``; ``truth`` fails a map that does not beat the random order on every score of ``TRUTH_VERSUS_RANDOM``,
``road`` one whose ROAD MoRF is not below, or LeRF not above, the random order's.
"""

from __future__ import annotations

from typing import Any

from ..errors import UsageError
from ..gates.checks import Gate
from .report import REFERENCES

SCORE_GATES = {  # gate name: (score, True when higher is better)
    "mass-accuracy": ("mass_accuracy", True),
    "rank-accuracy": ("rank_accuracy", True),
    "pointing-game": ("pointing_game", True),
    "aup": ("aup", True),
    "aur": ("aur", True),
    "auprc": ("auprc", True),
    "sparseness": ("sparseness", True),
    "complexity": ("complexity", False),
    "max-sensitivity": ("max_sensitivity", False),
    "avg-sensitivity": ("avg_sensitivity", False),
    "local-lipschitz": ("local_lipschitz", False),
    "faithfulness-correlation": ("faithfulness_correlation", True),
    "road-morf": ("road_morf", False),
    "road-lerf": ("road_lerf", True),
    "random-logit": ("random_logit", False),
}
ROBUSTNESS_GATES = frozenset(("sparseness", "complexity", "max-sensitivity", "avg-sensitivity", "local-lipschitz"))
"""The gates that need ``--robustness`` (the last three: and sensitivity samples)."""
FAITHFULNESS_GATES = frozenset(("faithfulness-correlation", "road-morf", "road-lerf", "random-logit", "road"))
"""The gates that need ``--faithfulness``."""
TRUTH_GATES = (frozenset(SCORE_GATES) - ROBUSTNESS_GATES - FAITHFULNESS_GATES) | {"truth"}
"""The gates that need ``--truth``."""
TRUTH_VERSUS_RANDOM = ("mass_accuracy", "rank_accuracy", "auprc")
"""Scores a correct map beats the random order on; AUR is not one (a sharp, correct map has a small AUR)."""


def score_gate(name: str, equals: str, value: str) -> float | None:
    """The threshold of one ``--fail-on`` entry of this table, or ``None`` when the table has no such gate."""
    if name in ("truth", "road") and not equals:
        return 0.0
    if name not in SCORE_GATES:
        return None
    if not equals:
        raise UsageError(f"--fail-on {name} needs a threshold", f"e.g. --fail-on {name}=0.5")
    try:
        return float(value)
    except ValueError:
        raise UsageError(f"--fail-on {name}=X: cannot read {value!r} as a number") from None


def score_gates(thresholds: dict[str, float], rows: list[dict[str, Any]]) -> list[Gate]:
    """The gates of ``thresholds`` this table knows, on ``rows`` (one per map and class; ``class`` ``all`` is
    judged, against the random order's ``all`` row)."""
    overall = [row for row in rows if row.get("class", "all") == "all"]
    maps = [row for row in overall if row["map"] not in REFERENCES]
    truth = [row for row in overall if "mass_accuracy" in row]
    gates = []
    for name, limit in thresholds.items():
        if name not in SCORE_GATES:
            continue
        score, higher = SCORE_GATES[name]
        for row in maps:
            if score not in row:  # a row of another table
                continue
            value = row[score]
            passed = value is not None and (value >= limit if higher else value <= limit)
            rule = f"mean {score} {'>=' if higher else '<='} {limit:g}"
            gates.append(Gate(row["map"], rule, float("nan") if value is None else value, limit, passed))
    if "truth" in thresholds:
        chance = next(row for row in truth if row["map"] in REFERENCES)
        for row in truth:
            if row is chance:
                continue
            for score in TRUTH_VERSUS_RANDOM:
                value, floor = row[score], chance[score]
                passed = value is not None and floor is not None and value > floor
                nan = float("nan")
                gates.append(
                    Gate(
                        row["map"],
                        f"{score} above the random order's",
                        nan if value is None else value,
                        nan if floor is None else floor,
                        passed,
                    )
                )
    if "road" in thresholds:
        gates += _road_gates(overall)
    return gates


def _road_gates(overall: list[dict[str, Any]]) -> list[Gate]:
    """ROAD MoRF below and LeRF above the random order's, per map."""
    rows = [row for row in overall if "road_morf" in row]
    chance = next(row for row in rows if row["map"] in REFERENCES)
    gates = []
    for row in rows:
        if row is chance:
            continue
        for score, higher in (("road_morf", False), ("road_lerf", True)):
            value, floor = row[score], chance[score]
            passed = value is not None and floor is not None and (value > floor if higher else value < floor)
            rule = f"{score} {'above' if higher else 'below'} the random order's"
            measured, limit = (float("nan") if v is None else v for v in (value, floor))
            gates.append(Gate(row["map"], rule, measured, limit, passed))
    return gates
