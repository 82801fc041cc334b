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
from ..outputs import package_versions
from .curves import Curves, step_counts
from .maps import ranking
from .mapset import MapSet
from .randomization import Randomization
from .report import RANDOM
from .request import EvaluateRequest

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
    "Spearman correlation of |original| and |randomised| flattened maps per signal (0 where a map is constant), "
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
    """

    out_dir: Path
    rows: list[dict[str, Any]]
    document: dict[str, Any]
    curves: dict[str, Curves]
    randomization: Randomization | None


def check_evaluate_request(request: EvaluateRequest) -> None:
    """Reject bad or contradictory options before any file is read or model loaded."""
    from ..methods import method_spec
    from ..methods.baselines import check_baseline_name
    from ..request import check_request
    from .mapset import explain_request

    if request.target == "all":
        raise UsageError("--target all is not supported by evaluate, which scores one target per signal")
    if request.baseline == "interp":
        raise UsageError("--baseline interp depends on an occluded window; the curves need a whole-signal baseline")
    check_baseline_name(request.baseline)
    if request.steps < 1 or request.ig_steps < 2:
        raise UsageError("--steps must be at least 1 and --ig-steps at least 2")
    if not -1 <= request.randomization_threshold <= 1:
        raise UsageError(f"--randomization-threshold must be between -1 and 1, not {request.randomization_threshold}")
    for name in request.methods:
        method_spec(name)
    check_request(explain_request(request))


def evaluate(request: EvaluateRequest, progress: Progress | None = None) -> EvaluationResult:
    """Compute (or read) the maps, score them and write ``evaluation.json``/``.csv`` and the figures."""
    from ..model_files import load_model
    from ..outputs import check_destination, class_names, staged_output
    from ..signals import fit_to_model
    from . import report
    from .mapset import computed_maps, stored_maps

    check_evaluate_request(request)
    check_destination(request.out_dir, request.overwrite)
    adapter = load_model(
        request.model_path,
        batch_size=request.batch_size,
        unsafe=request.unsafe_load,
        custom_objects=request.custom_objects,
    )
    names = class_names(request, adapter.n_outputs)
    if adapter.input_shape[0] is not None:
        step_counts(adapter.input_shape[0], request.steps)  # a bad --steps fails before the maps are made
    timings: dict[str, float] = {}
    maps = _timed(
        timings, "maps", lambda: stored_maps(request) if request.from_dir else computed_maps(request, adapter, progress)
    )
    if not request.class_names and len(maps.class_names) == adapter.n_outputs:
        names = maps.class_names
    x = fit_to_model(maps.signals.data, adapter.input_shape, request.data_path)
    curves = _timed(timings, "curves", lambda: _curves(request, adapter, x, maps, progress))
    randomization = None
    if request.randomization:
        randomization = _timed(timings, "randomization", lambda: _randomization(request, adapter, x, maps, progress))
    ig_gaps = {
        name: maps.diagnostics["integrated_gradients_delta"]
        for name, method in maps.method_of.items()
        if method == "integrated_gradients" and "integrated_gradients_delta" in maps.diagnostics
    }
    rows = report.summary_rows(curves, maps.method_of, randomization, ig_gaps, maps.seconds_per_sample)
    document = _document(request, adapter, x, maps, names, rows, curves, randomization, ig_gaps, timings)
    with staged_output(request.out_dir, request.overwrite) as staging:
        report.write_json(staging / "evaluation.json", document)
        report.write_csv(staging / "evaluation.csv", rows)
        if request.plots:
            from .plots import write_figures

            squashed = adapter.output_activation in ("softmax", "sigmoid")
            label = "target probability" if squashed else "target output"
            write_figures(staging, curves, randomization, request.formats, label)
    return EvaluationResult(request.out_dir, rows, document, curves, randomization)


def _curves(request: EvaluateRequest, adapter: Any, x: np.ndarray, maps: MapSet, progress: Progress | None) -> Any:
    """Deletion/insertion curves of every map and of a random order, against ``--baseline``."""
    from ..methods.baselines import make_baseline
    from ..signals import dataset_mean
    from .curves import perturbation_curves
    from .maps import random_ranking

    mean_signal = None
    if request.baseline == "dataset-mean":
        mean_signal = maps.context.get("dataset_mean")
        if mean_signal is None:
            mean_signal = dataset_mean(request.data_path, key=maps.explain.key, label_column=maps.explain.label_column)
    baseline = make_baseline(
        request.baseline, x, dataset_mean=mean_signal, seed=request.seed, blur_sigma=request.blur_sigma
    )
    rankings = {name: ranking(values) for name, values in maps.maps.items()}
    rankings[RANDOM] = random_ranking(x, request.seed)
    return perturbation_curves(adapter, x, baseline, maps.targets, rankings, request.steps, progress=progress)


def _randomization(
    request: EvaluateRequest, adapter: Any, x: np.ndarray, maps: MapSet, progress: Progress | None
) -> Randomization:
    from .randomization import randomization_check

    return randomization_check(
        adapter,
        x,
        maps.targets,
        maps.methods(),
        maps.maps,
        seed=request.seed,
        threshold=request.randomization_threshold,
        chunk=request.batch_size,
        normalize=maps.explain.normalize,
        progress=progress,
    )


def _document(
    request: EvaluateRequest,
    adapter: Any,
    x: np.ndarray,
    maps: MapSet,
    names: list[str],
    rows: list[dict[str, Any]],
    curves: dict[str, Curves],
    randomization: Randomization | None,
    ig_gaps: dict[str, np.ndarray],
    timings: dict[str, float],
) -> dict[str, Any]:
    """Everything in ``evaluation.json``: parameters, rules, every curve, area and correlation."""
    from ..outputs import file_sha256
    from . import report

    outputs = adapter.predict(x)[np.arange(len(x)), maps.targets]
    return {
        "tool": "signalscreen",
        "command": "evaluate",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "versions": package_versions(),
        "argv": sys.argv,
        "model": {
            "path": str(request.model_path),
            "sha256": file_sha256(request.model_path),
            "input_shape": list(adapter.input_shape),
            "n_outputs": adapter.n_outputs,
            "output_activation": adapter.output_activation,
        },
        "data": {"path": str(request.data_path), "sha256": file_sha256(request.data_path), "shape": list(x.shape)},
        "source": maps.source,
        "parameters": {key: str(v) if isinstance(v, Path) else v for key, v in asdict(request).items()},
        "method_parameters": {key: str(v) if isinstance(v, Path) else v for key, v in asdict(maps.explain).items()},
        "rules": RULES,
        "signals": {
            "sample_index": maps.signals.sample_index.tolist(),
            "targets": maps.targets.tolist(),
            "target_names": [names[int(t)] for t in maps.targets],
            "target_output": outputs.tolist(),
        },
        "summary": rows,
        "curves": report.curves_section(curves),
        "randomization": report.randomization_section(randomization, RULES["randomization"]),
        "integrated_gradients": {
            name: {"mean": float(gap.mean()), "max": float(gap.max()), "per_signal": gap.tolist()}
            for name, gap in ig_gaps.items()
        },
        "seconds_per_sample": maps.seconds_per_sample,
        "timings_s": {stage: round(seconds, 4) for stage, seconds in timings.items()},
    }


def _timed(timings: dict[str, float], stage: str, work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    try:
        return work()
    finally:
        timings[stage] = time.perf_counter() - started
