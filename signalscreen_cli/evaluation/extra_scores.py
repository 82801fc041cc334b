"""The optional scores of ``evaluate`` — ``--truth``, ``--waves``, ``--faithfulness``, ``--robustness`` — in one
place: their checks before any work, their stages (run on each chunk before ``scoring.ScoreChunk``, which keeps
only a few numbers per map), and after the run their ``evaluation.json`` sections, CSV files and Markdown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UsageError
from .request import EvaluateRequest
from .score_gates import FAITHFULNESS_GATES, ROBUSTNESS_GATES, TRUTH_GATES

STAGE_NAMES = ("truth", "robustness", "faithfulness", "waves")
"""The timings (``tally.seconds``) these stages record."""
SENSITIVITY_GATES = frozenset(("max-sensitivity", "avg-sensitivity", "local-lipschitz"))


def check_extra_options(request: EvaluateRequest) -> None:
    """Refuse bad options of the optional scores, and a missing or unreadable ``--truth`` file."""
    if request.sensitivity_samples < 0 or not 0 < request.sensitivity_radius <= 1:
        raise UsageError("--sensitivity-samples must be at least 0 and --sensitivity-radius in (0, 1]")
    if request.faithfulness_subsets < 2 or not 0 < request.faithfulness_fraction < 1 or request.road_noise < 0:
        raise UsageError(
            "--faithfulness-subsets must be at least 2, --faithfulness-fraction in (0, 1) and --road-noise at least 0"
        )
    if request.truth is not None:
        from .truth_masks import is_qrs, open_truth

        if not is_qrs(request.truth):
            open_truth(Path(request.truth))


def check_gate_needs(request: EvaluateRequest, gates: set[str]) -> None:
    """A ``--fail-on`` gate on a score that is not computed is refused before any work."""
    needs = (
        (TRUTH_GATES, request.truth is not None, "--truth FILE.npy"),
        (ROBUSTNESS_GATES, request.robustness, "--robustness"),
        (FAITHFULNESS_GATES, request.faithfulness, "--faithfulness"),
    )
    for names, given, option in needs:
        if names & gates and not given:
            raise UsageError("--fail-on " + ", ".join(sorted(names & gates)) + f" needs {option}")
    if SENSITIVITY_GATES & gates and request.sensitivity_samples < 1:
        raise UsageError("the sensitivity gates need --sensitivity-samples of at least 1")


def extra_stages(
    request: EvaluateRequest, plan: Any, baseline: Any, mean_signal: np.ndarray | None, normalize: str
) -> tuple[Any, ...]:
    """The stages of the optional scores asked for, checked against the plan (mask shape, beat windows)."""
    stages: list[Any] = []
    seed = baseline.seed
    if request.robustness:
        from .robustness_stage import RobustnessChunk

        stages.append(RobustnessChunk(request.sensitivity_samples, request.sensitivity_radius, seed, normalize))
    if request.faithfulness:
        from .faithfulness_stage import FaithfulnessChunk

        subsets, fraction = request.faithfulness_subsets, request.faithfulness_fraction
        stages.append(
            FaithfulnessChunk(
                request.steps, baseline, mean_signal, subsets, fraction, request.road_noise, seed, normalize
            )
        )
    if request.waves:
        from .wave_stage import wave_stage

        stages.append(wave_stage(request.waves, plan))
    if request.truth is not None:
        from .truth_masks import check_truth, is_qrs, qrs_window
        from .truth_stage import TruthChunk

        if is_qrs(request.truth):
            stages.append(TruthChunk(None, seed, qrs_window(request.truth, plan.reading, plan.source_shape[1])))
        else:
            check_truth(Path(request.truth), plan.source_shape)
            stages.append(TruthChunk(str(Path(request.truth).resolve()), seed))
    return tuple(stages)


@dataclass
class ExtraResults:
    """What the optional scores add to the outputs.

    Attributes
    ----------
    sections : dict
        ``evaluation.json`` sections by name.
    gate_rows : list of dict
        The rows ``score_gates`` judges.
    files : list of (str, callable, list)
        CSV file name, writer and rows.
    markdown : str
        The lines for ``summary.md``.
    """

    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    gate_rows: list[dict[str, Any]] = field(default_factory=list)
    files: list[tuple[str, Callable[[Path, list[dict[str, Any]]], None], list[dict[str, Any]]]] = field(
        default_factory=list
    )
    markdown: str = ""


def extra_results(
    request: EvaluateRequest, arrays: dict[str, np.ndarray], method_of: dict[str, str], names: list[str]
) -> ExtraResults:
    """The tables of the optional scores from the gathered per-signal arrays."""
    found = ExtraResults()
    if request.truth is not None:
        from . import truth_report as truth

        rows = truth.truth_rows(arrays, method_of, names)
        found.sections["truth"] = truth.truth_section(arrays, rows, Path(request.truth))
        found.gate_rows += rows
        found.files.append(("truth.csv", truth.write_truth_csv, rows))
        found.markdown += f"\nAgainst the known answer in `{request.truth}`:\n" + truth.truth_markdown(rows)
    if request.robustness:
        from . import robustness_report as robust

        rows = robust.robustness_rows(arrays, method_of)
        samples, radius = request.sensitivity_samples, request.sensitivity_radius
        found.sections["robustness"] = robust.robustness_section(arrays, rows, samples, radius)
        found.gate_rows += rows
        found.files.append(("robustness.csv", robust.write_robustness_csv, rows))
        found.markdown += "\nConcentration and robustness:\n" + robust.robustness_markdown(rows)
    if request.faithfulness:
        from . import faithfulness_report as faith

        rows = faith.faithfulness_rows(arrays, method_of)
        options = {"subsets": request.faithfulness_subsets, "fraction": request.faithfulness_fraction}
        found.sections["faithfulness"] = faith.faithfulness_section(
            arrays, rows, {**options, "road_noise": request.road_noise}
        )
        found.gate_rows += rows
        found.files.append(("faithfulness.csv", faith.write_faithfulness_csv, rows))
        found.markdown += "\nFaithfulness correlation, ROAD and random-logit:\n" + faith.faithfulness_markdown(rows)
    if request.waves:
        from ..report.score_sections import wave_sentences
        from . import wave_report as waves

        rows = waves.wave_rows(arrays, method_of, names)
        found.sections["waves"] = waves.wave_section(arrays, rows, request.waves)
        found.files.append(("waves.csv", waves.write_wave_csv, rows))
        found.markdown += f"\nRelevance per wave ({request.waves}):\n" + waves.wave_markdown(rows)
        found.markdown += "".join(f"\n- {line}" for line in wave_sentences(found.sections)) + "\n"
    return found
