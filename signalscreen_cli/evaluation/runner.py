"""The one path of ``signalscreen evaluate``: maps (computed, or read ``--from`` an explain output), curves,
randomisation check, completeness gap and cost, written atomically. It never prints.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UsageError
from ..gates.checks import Gate
from ..outputs.provenance import package_versions
from ..pipeline.plan import Plan
from ..pipeline.tally import Tally
from ..request import ExplainRequest
from .bands import RANDOM_BANDS, band_fractions
from .curves import Curves, step_counts
from .map_gates import evaluation_gates, gate_thresholds
from .randomization import Randomization
from .report import REFERENCES
from .request import EvaluateRequest
from .score_gates import score_gates
from .scoring import CORRELATION, DELETION, INSERTION, RANDOM

Progress = Callable[[str, int, int], None]
RULES = {
    "ranking": "map summed over channels to one signed score per position; highest first, ties by position; "
    "a position is removed/restored in every channel at once",
    "steps": "after step k of S, the first floor(k*L/S) ranked positions are changed; area by the trapezoid rule "
    "over the fraction changed, 0..1",
    "output": "the model's own output for the target class (probability for softmax/sigmoid heads, raw for linear)",
    "random_order": "one random permutation of positions per signal, seeded by --seed and the signal's values",
    "randomization": "cascading from the output layer down over top-level layers with weights; each float weight "
    "array re-drawn from a seeded normal with mean 0 and the array's own std (BatchNorm moving statistics kept); "
    "Pearson correlation of the original and randomised flattened maps per signal, like with like (signed where "
    "both maps of the signal have negative values, else magnitudes; 0 where a map is constant), "
    "averaged over signals; fail if the mean after all layers is above the threshold",
}


@dataclass(frozen=True)
class EvaluationResult:
    """What ``evaluate`` produced.

    Attributes
    ----------
    out_dir : pathlib.Path
        The output folder, complete.
    rows : list of dict
        The summary, one row per map then the random reference (``evaluation.csv``).
    document : dict
        The contents of ``evaluation.json``.
    curves : dict of str to Curves
        Deletion and insertion curves per map, and for ``random``.
    randomization : Randomization or None
        The randomisation check, unless skipped.
    gates : list of Gate
        The gates of ``--fail-on``, passed or not.
    """

    out_dir: Path
    rows: list[dict[str, Any]]
    document: dict[str, Any]
    curves: dict[str, Curves]
    randomization: Randomization | None
    gates: list[Gate]


def check_evaluate_request(request: EvaluateRequest) -> None:
    """Reject bad or contradictory options before any file is read or model loaded."""
    from ..methods.baselines import check_baseline_name
    from ..request import check_request
    from .extra_scores import check_extra_options

    if request.explain.parsed_target.every_class:
        raise UsageError("--target all is not supported by evaluate, which scores one target per signal")
    check_baseline_name(request.baseline, "the deletion/insertion curves")
    if request.steps < 1:
        raise UsageError("--steps must be at least 1")
    if not -1 <= request.randomization_threshold <= 1:
        raise UsageError(f"--randomization-threshold must be between -1 and 1, not {request.randomization_threshold}")
    request.curve_baseline  # noqa: B018 (building it checks the seed and blur width)
    gate_thresholds(request)
    check_extra_options(request)
    check_request(request.maps_request)


def evaluate(request: EvaluateRequest, progress: Progress | None = None) -> EvaluationResult:
    """Compute (or read) the maps, score them chunk by chunk and write ``evaluation.json``/``.csv`` and the
    figures. The scored chunks are journaled beside the output while they are made (``--resume``)."""
    from ..pipeline.resume import journal_beside

    with journal_beside(request.explain.out_dir) as journal:
        return _evaluate(request, progress, journal)


def _evaluate(request: EvaluateRequest, progress: Progress | None, journal: Path) -> EvaluationResult:
    from ..gates.junit import write_junit
    from ..outputs.provenance import class_names, request_parameters
    from ..outputs.staging import check_destination, staged_output
    from ..pipeline.resume import check_stale, journaled
    from ..pipeline.run import stream
    from ..records import RunRecord
    from ..sinks.finished import write_finished
    from ..sinks.memory import MemorySink
    from . import report
    from .sinks import EVALUATE_SINKS, EvaluationOutputs
    from .sources import maps_source, scoring_plan

    check_evaluate_request(request)
    check_destination(request.explain.out_dir, request.explain.overwrite)
    check_stale(request.explain.out_dir, request.explain.resume)
    started = time.perf_counter()
    maps = maps_source(request)
    plan, executor, made, seconds_per_sample = maps.plan, maps.executor, maps.explain, maps.seconds_per_sample
    facts = plan.model_facts
    if facts["input_shape"][0] is not None:
        step_counts(facts["input_shape"][0], request.steps)  # a bad --steps fails before the maps are made
    names = class_names(request.explain, facts["n_outputs"])
    if not request.explain.class_names and len(maps.class_names) == facts["n_outputs"]:
        names = maps.class_names
    plan = scoring_plan(request, plan, made.normalize)
    sink = MemorySink()
    own = {f"evaluate {k}": v for k, v in request_parameters(request).items() if k != "explain"}
    executor = journaled(executor, journal, plan, request.explain, own)  # --resume replays a killed run's chunks
    tally = stream(plan, executor, [sink], progress)
    sink.close(RunRecord({}, {"sample_index": plan.rows.astype(np.int64)}))
    timings = _timings(tally, started)
    if not request.from_dir:
        seconds_per_sample = {m.name: tally.seconds.get(m.name, 0.0) / len(plan.rows) for m in plan.methods}
    scores = _scores(request, plan.model.load(), plan.source_shape[1], sink.arrays, tally)
    rows = report.summary_rows(
        scores.curves, scores.method_of, scores.randomization, scores.ig_gaps, seconds_per_sample
    )
    document = {
        **_document(request, plan, scores, names, made, maps.source),
        "summary": rows,
        "curves": report.curves_section(scores.curves),
        "randomization": report.randomization_section(scores.randomization, RULES["randomization"]),
        "integrated_gradients": {
            name: {"mean": float(gap.mean()), "max": float(gap.max()), "per_signal": gap.tolist()}
            for name, gap in scores.ig_gaps.items()
        },
        "seconds_per_sample": seconds_per_sample,
        "timings_s": {stage: round(seconds, 4) for stage, seconds in timings.items()},
    }
    from .extra_scores import extra_results

    extra = extra_results(request, sink.arrays, scores.method_of, names)
    document.update(extra.sections)
    gates = evaluation_gates(request, rows, scores.reference_of)
    gates += score_gates(gate_thresholds(request), extra.gate_rows)
    document["gates"] = [asdict(gate) for gate in gates]
    with staged_output(request.explain.out_dir, request.explain.overwrite) as staging:
        outputs = EvaluationOutputs(
            staging, request, rows, gates, scores.curves, scores.randomization, extra, len(plan.rows),
            facts["output_activation"],
        )  # fmt: skip
        write_finished(EVALUATE_SINKS, outputs, RunRecord(document, class_names=names))
    if request.junit:
        write_junit(request.junit, "evaluate", gates, time.perf_counter() - started)
    return EvaluationResult(request.explain.out_dir, rows, document, scores.curves, scores.randomization, gates)


def _timings(tally: Tally, started: float) -> dict[str, float]:
    """Seconds spent making the maps, in each scoring stage, and in all."""
    from .extra_scores import STAGE_NAMES

    stage_names = ("curves", "randomization", *STAGE_NAMES)
    timings = {"maps": sum(s for k, s in tally.seconds.items() if k not in stage_names)}
    timings.update({stage: tally.seconds.get(stage, 0.0) for stage in stage_names})
    timings["total"] = time.perf_counter() - started
    return timings


@dataclass(frozen=True)
class Scores:
    """The per-signal scores gathered from every chunk, by map."""

    arrays: dict[str, np.ndarray]
    curves: dict[str, Curves]
    method_of: dict[str, str]
    randomization: Randomization | None
    ig_gaps: dict[str, np.ndarray]
    reference_of: dict[str, str]
    """The random order each map is judged against: of positions, or of bands for band maps."""


def _scores(request: EvaluateRequest, adapter: Any, length: int, arrays: dict[str, np.ndarray], tally: Tally) -> Scores:
    """Curves, randomisation verdicts and completeness gaps from the gathered arrays (signals of ``length``)."""
    from .curves import area
    from .randomization import randomized_adapters, verdict

    maps = [name.removeprefix(DELETION) for name in arrays if name.startswith(DELETION)]
    positions = step_counts(length, request.steps) / length
    made = {name: tally.parameters.get(DELETION + name, {}) for name in maps}
    curves = {}
    for name in maps:
        is_band = made[name].get("unit") == "band"
        fractions = band_fractions(made[name]["parameters"]["bands"], request.steps) if is_band else positions
        curves[name] = Curves(
            fractions=fractions,
            deletion=arrays[DELETION + name],
            insertion=arrays[INSERTION + name],
            deletion_auc=area(fractions, arrays[DELETION + name]),
            insertion_auc=area(fractions, arrays[INSERTION + name]),
        )
    method_of = {name: made[name]["method"] for name in maps if name not in REFERENCES}
    reference_of = {name: RANDOM_BANDS if made[name].get("unit") == "band" else RANDOM for name in method_of}
    randomization = None
    if request.randomization:
        layers, _ = randomized_adapters(adapter, request.curve_baseline.seed)
        found = {name: arrays[CORRELATION + name].T for name in maps if CORRELATION + name in arrays}
        randomization = verdict(layers, found, request.randomization_threshold)
    ig_gaps = {
        name: arrays["integrated_gradients_delta"]
        for name, method in method_of.items()
        if method == "integrated_gradients" and "integrated_gradients_delta" in arrays
    }
    return Scores(arrays, curves, method_of, randomization, ig_gaps, reference_of)


def _document(
    request: EvaluateRequest,
    plan: Plan,
    scores: Scores,
    names: list[str],
    made: ExplainRequest,
    source: dict[str, Any],
) -> dict[str, Any]:
    """The head of ``evaluation.json``: run, model, data, parameters, rules and the signals scored."""
    from ..outputs.provenance import file_sha256, request_parameters

    facts, given = plan.model_facts, request.explain
    targets = scores.arrays["targets"]
    return {
        "tool": "signalscreen",
        "command": "evaluate",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "versions": package_versions(),
        "argv": sys.argv,
        "model": {
            "path": str(given.model_path),
            "sha256": file_sha256(given.model_path),
            **{key: facts[key] for key in ("input_shape", "n_outputs", "output_activation")},
        },
        "data": {
            "path": str(given.data_path),
            "sha256": file_sha256(given.data_path),
            "shape": [len(plan.rows), plan.source_shape[1], facts["input_shape"][1]],
        },
        "source": source,
        "parameters": {
            **request_parameters(request),
            "explain": request_parameters(given),
        },
        "method_parameters": {method.name: method.params.as_dict() for method in plan.methods},
        "rules": RULES,
        "signals": {
            "sample_index": scores.arrays["sample_index"].tolist(),
            "targets": targets.tolist(),
            "target_names": [names[int(t)] for t in targets],
            "target_output": scores.arrays["target_output"].tolist(),
        },
    }
