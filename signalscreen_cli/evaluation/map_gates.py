"""``evaluate``'s gates on the maps: the ``--fail-on`` rules read once, then one gate per map and rule, each map's
curves against its own random order's."""

from __future__ import annotations

from typing import Any

from ..errors import UsageError
from ..gates.checks import Gate
from .report import REFERENCES
from .request import EvaluateRequest
from .score_gates import SCORE_GATES, score_gate


def gate_thresholds(request: EvaluateRequest) -> dict[str, float]:
    """The ``--fail-on`` gates and their thresholds (``sanity`` takes ``--randomization-threshold``)."""
    found: dict[str, float] = {}
    for entry in request.fail_on:
        name, equals, value = entry.partition("=")
        if name in ("sanity", "random") and not equals:
            found[name] = request.randomization_threshold if name == "sanity" else 0.0
        elif name == "ig-gap" and equals:
            try:
                found[name] = float(value)
            except ValueError:
                raise UsageError(f"--fail-on ig-gap=X: cannot read {value!r} as a number") from None
        elif (threshold := score_gate(name, equals, value)) is not None:  # the optional scores' gates
            found[name] = threshold
        else:
            known = f"use sanity, random, ig-gap=X, truth, road or {'/'.join(SCORE_GATES)}=X"
            raise UsageError(f"--fail-on: unknown gate {entry!r}", known)
    from .extra_scores import check_gate_needs

    check_gate_needs(request, set(found))
    if request.from_dir and request.explain.dask:
        raise UsageError("--dask computes maps; with --from they are read", "drop one of them")
    if "sanity" in found and not request.randomization:
        raise UsageError("--fail-on sanity needs the randomisation check", "drop --no-randomization")
    methods = request.explain.methods
    if "ig-gap" in found and not request.from_dir and methods and "integrated_gradients" not in methods:
        raise UsageError("--fail-on ig-gap needs integrated_gradients among the methods")
    return found


def evaluation_gates(request: EvaluateRequest, rows: list[dict[str, Any]], reference_of: dict[str, str]) -> list[Gate]:
    """One gate per map and ``--fail-on`` rule; a map's curves are compared with its own random order's."""
    thresholds = gate_thresholds(request)
    maps = [row for row in rows if row["map"] not in REFERENCES]
    references = {row["map"]: row for row in rows if row["map"] in REFERENCES}
    gates = []
    if "sanity" in thresholds:
        limit = thresholds["sanity"]
        gates += [
            Gate(
                row["map"],
                "randomisation check: correlation <= threshold",
                row["randomization_correlation"],
                limit,
                row["randomization_check"] == "pass",
            )
            for row in maps
        ]
    if "random" in thresholds:
        for row in maps:
            deletion, insertion = row["deletion_auc"], row["insertion_auc"]
            chance = references[reference_of[row["map"]]]
            order = REFERENCES[reference_of[row["map"]]].removesuffix(" (reference)")
            gates.append(
                Gate(
                    row["map"],
                    f"deletion AUC below the {order}'s",
                    deletion,
                    chance["deletion_auc"],
                    deletion < chance["deletion_auc"],
                )
            )
            gates.append(
                Gate(
                    row["map"],
                    f"insertion AUC above the {order}'s",
                    insertion,
                    chance["insertion_auc"],
                    insertion > chance["insertion_auc"],
                )
            )
    if "ig-gap" in thresholds:
        limit = thresholds["ig-gap"]
        checked = [row for row in maps if row["ig_completeness_gap"] is not None]
        if not checked:
            raise UsageError("--fail-on ig-gap: no integrated_gradients map was evaluated")
        gates += [
            Gate(
                row["map"],
                f"IG completeness gap <= {limit:g}",
                row["ig_completeness_gap"],
                limit,
                row["ig_completeness_gap"] <= limit,
            )
            for row in checked
        ]
    return gates
