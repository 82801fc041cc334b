"""The one path of ``signalscreen compare``: read both runs, score each pair of maps, write, gate.

It never prints. Maps are compared per signal, flattened; a pair of maps of different layouts — one with a
channel axis, ``(n, L, C)``, one without, ``(n, L)`` — is compared after summing the channels.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UsageError
from ..gates.checks import Gate
from ..outputs.provenance import package_versions, request_parameters
from ..results.reader import StoredResult
from .request import CompareRequest
from .scores import PairScores, score_pair

RULES = {
    "maps": "attribution arrays of each run, *_raw left out; with no --pair, the maps both runs have by name",
    "layout": "maps flattened per signal; a map with a channel axis beside one without is summed over channels",
    "compared": "like with like: signed values when both maps have negative values, else magnitudes |values| "
    "(a pair's 'compared')",
    "pearson": "Pearson correlation of the compared values per signal, the headline and --fail-below's measure; "
    "identical maps count 1, a constant map beside a varying one 0",
    "spearman": "Spearman rank correlation of the compared values per signal (the near-zero positions weigh as "
    "much as the salient ones); identical maps count 1, a constant map beside a varying one 0",
    "cosine": "cosine similarity of the compared values per signal (0 where a map is all zeros, 1 if both are)",
    "top_overlap": "share of the top --top % positions (largest magnitudes) the two maps have in common",
    "classes": "each signal is grouped under run A's predicted class",
    "flips": "a signal whose predicted class differs between the runs (any window, with --segment)",
}


@dataclass(frozen=True)
class ComparisonResult:
    """What ``compare`` produced.

    Attributes
    ----------
    out_dir : pathlib.Path
        The output folder, complete.
    rows : list of dict
        One summary row per pair (``comparison.csv``).
    document : dict
        The contents of ``comparison.json``.
    gates : list of Gate
        The gates asked for, passed or not.
    """

    out_dir: Path
    rows: list[dict[str, Any]]
    document: dict[str, Any]
    gates: list[Gate]


def check_compare_request(request: CompareRequest) -> None:
    """Reject bad options before anything is read."""
    if not 0 < request.top <= 100:
        raise UsageError(f"--top must be a percentage in (0, 100], not {request.top}")
    if request.least < 0:
        raise UsageError(f"--least must be at least 0, not {request.least}")
    if request.fail_below is not None and not -1 <= request.fail_below <= 1:
        raise UsageError(f"--fail-below must be between -1 and 1, not {request.fail_below}")
    if request.fail_on_flips is not None and request.fail_on_flips < 0:
        raise UsageError(f"--fail-on-flips must be at least 0, not {request.fail_on_flips}")


def compare(request: CompareRequest) -> ComparisonResult:
    """Score every pair of maps of two runs on the same signals and write the comparison."""
    from ..gates.junit import write_junit
    from ..outputs.staging import check_destination, staged_output
    from ..records import RunRecord
    from ..results.reader import read_result
    from ..sinks.finished import write_finished
    from .sinks import COMPARE_SINKS, ComparisonOutputs

    started = time.perf_counter()
    check_compare_request(request)
    check_destination(request.out_dir, request.overwrite)
    run_a = read_result(request.run_a, f"RUN_A {request.run_a}")
    run_b = read_result(request.run_b, f"RUN_B {request.run_b}")
    _check_same_signals(run_a, run_b)
    arrays_a, arrays_b = run_a.arrays(), run_b.arrays()
    pairs = _pairs(request, run_a, run_b)
    predicted_a, predicted_b = _predicted(arrays_a), _predicted(arrays_b)
    n = len(arrays_a["sample_index"])
    flips = (predicted_a != predicted_b).reshape(n, -1).any(axis=1)
    scores = [score_pair(name_a, name_b, arrays_a[name_a], arrays_b[name_b], request.top) for name_a, name_b in pairs]
    rows = [_row(pair) for pair in scores]
    gates = _gates(request, rows, int(flips.sum()))
    names = [str(name) for name in run_a.manifest.get("class_names") or []]
    classes = _classes(scores, predicted_a, flips, names)
    document = {
        "tool": "signalscreen",
        "command": "compare",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "versions": package_versions(),
        "parameters": request_parameters(request),
        "runs": {label: _describe(run) for label, run in (("a", run_a), ("b", run_b))},
        "rules": RULES,
        "signals": {
            "sample_index": arrays_a["sample_index"].tolist(),
            "predicted_a": predicted_a.tolist(),
            "predicted_b": predicted_b.tolist(),
            "flips": int(flips.sum()),
            "flipped_rows": arrays_a["sample_index"][flips].tolist(),
        },
        "summary": rows,
        "maps": {pair.name: _per_signal(pair) for pair in scores},
        "classes": classes,
        "gates": [asdict(gate) for gate in gates],
    }
    rate = (run_a.manifest.get("parameters") or {}).get("sampling_rate")
    with staged_output(request.out_dir, request.overwrite) as staging:
        outputs = ComparisonOutputs(staging, request, rows, gates, scores, classes, arrays_a["sample_index"], rate)
        write_finished(COMPARE_SINKS, outputs, RunRecord(document, class_names=names))
    if request.junit:
        write_junit(request.junit, "compare", gates, time.perf_counter() - started)
    return ComparisonResult(request.out_dir, rows, document, gates)


def _check_same_signals(run_a: StoredResult, run_b: StoredResult) -> None:
    data_a, data_b = run_a.manifest["data"], run_b.manifest["data"]
    if data_a.get("sha256") != data_b.get("sha256"):
        raise UsageError(
            f"{run_b.where} explains data {data_b.get('path')!r} (sha256 {str(data_b.get('sha256'))[:12]}…), "
            f"{run_a.where} data {data_a.get('path')!r} (sha256 {str(data_a.get('sha256'))[:12]}…)",
            "compare needs two runs on the same data file",
        )
    rows_a, rows_b = (run.arrays()["sample_index"] for run in (run_a, run_b))
    if not np.array_equal(rows_a, rows_b):
        raise UsageError(
            f"{run_a.where} explains {len(rows_a)} rows and {run_b.where} {len(rows_b)} other ones",
            "run both with the same --samples (and no --shard, or merge the shards first)",
        )


def _maps(run: StoredResult) -> list[str]:
    return [
        name
        for name, info in run.manifest["arrays"].items()
        if info.get("kind") == "attribution" and not name.endswith("_raw")
    ]


def _pairs(request: CompareRequest, run_a: StoredResult, run_b: StoredResult) -> list[tuple[str, str]]:
    maps_a, maps_b = _maps(run_a), _maps(run_b)
    if request.pairs:
        for name_a, name_b in request.pairs:
            for name, run, maps in ((name_a, run_a, maps_a), (name_b, run_b, maps_b)):
                if name not in maps:
                    raise UsageError(f"--pair: {run.where} has no map {name!r}", "its maps: " + ", ".join(maps))
        return list(request.pairs)
    shared = [(name, name) for name in maps_a if name in maps_b]
    if not shared:
        raise UsageError(
            "the runs share no map name",
            f"pair them with --pair A=B; run A has {', '.join(maps_a)}, run B has {', '.join(maps_b)}",
        )
    return shared


def _predicted(arrays: dict[str, np.ndarray]) -> np.ndarray:
    predictions = arrays["predictions"]
    return predictions.argmax(axis=-1) if predictions.shape[-1] > 1 else (predictions[..., 0] > 0.5).astype(int)


def _row(pair: PairScores) -> dict[str, Any]:
    return {
        "map": pair.name,
        "map_a": pair.map_a,
        "map_b": pair.map_b,
        "compared": pair.compared,
        "median_pearson": float(np.median(pair.pearson)),
        "mean_pearson": float(pair.pearson.mean()),
        "median_spearman": float(np.median(pair.spearman)),
        "mean_spearman": float(pair.spearman.mean()),
        "mean_cosine": float(pair.cosine.mean()),
        "mean_top_overlap": float(pair.top_overlap.mean()),
        "signals": len(pair.spearman),
    }


def _per_signal(pair: PairScores) -> dict[str, Any]:
    least = np.argsort(pair.pearson, kind="stable")
    return {
        "map_a": pair.map_a,
        "map_b": pair.map_b,
        "compared": pair.compared,
        "pearson": pair.pearson.tolist(),
        "spearman": pair.spearman.tolist(),
        "cosine": pair.cosine.tolist(),
        "top_overlap": pair.top_overlap.tolist(),
        "least_similar_positions": least[:10].tolist(),
    }


def _classes(
    scores: list[PairScores], predicted: np.ndarray, flips: np.ndarray, names: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Per pair and per class of run A's prediction: mean similarity, flips and both class-mean maps."""
    if predicted.ndim != 1:
        return {}  # per-window predictions (--segment): a recording has no one class
    found: dict[str, list[dict[str, Any]]] = {}
    for pair in scores:
        for k in np.unique(predicted):
            members = predicted == k
            entry: dict[str, Any] = {
                "class": names[int(k)] if int(k) < len(names) else str(int(k)),
                "signals": int(members.sum()),
                "mean_pearson": float(pair.pearson[members].mean()),
                "mean_spearman": float(pair.spearman[members].mean()),
                "mean_cosine": float(pair.cosine[members].mean()),
                "mean_top_overlap": float(pair.top_overlap[members].mean()),
                "flips": int(flips[members].sum()),
            }
            if pair.profile_a is not None and pair.profile_b is not None:
                entry["mean_map_a"] = pair.profile_a[members].mean(axis=0).tolist()
                entry["mean_map_b"] = pair.profile_b[members].mean(axis=0).tolist()
            found.setdefault(pair.name, []).append(entry)
    return found


def _gates(request: CompareRequest, rows: list[dict[str, Any]], flips: int) -> list[Gate]:
    gates = []
    if request.fail_below is not None:
        threshold = request.fail_below
        gates += [
            Gate(
                row["map"],
                f"median Pearson ({row['compared']}) >= {threshold:g}",
                row["median_pearson"],
                threshold,
                row["median_pearson"] >= threshold,
            )
            for row in rows
        ]
    if request.fail_on_flips is not None:
        limit = request.fail_on_flips
        gates.append(Gate("predictions", f"prediction changes <= {limit}", flips, limit, flips <= limit))
    return gates


def _describe(run: StoredResult) -> dict[str, Any]:
    return {
        "folder": str(run.folder),
        "created": run.manifest.get("created"),
        "model": {key: run.manifest["model"].get(key) for key in ("path", "sha256")},
        "methods": sorted(run.manifest.get("methods") or {}),
    }
