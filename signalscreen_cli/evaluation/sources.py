"""Where ``evaluate``'s maps come from (an explain run read ``--from`` its folder, or computed here) and the plan
that scores them: the optional scores' stages, then the curves' scorer, after the methods on each chunk."""

from __future__ import annotations

from dataclasses import replace

from ..methods.baselines import read_baseline_file
from ..pipeline.plan import Plan, make_plan
from .request import EvaluateRequest
from .scoring import ScoreChunk
from .stored import MapSource, stored_run


def maps_source(request: EvaluateRequest) -> MapSource:
    """The stored run's plan, executor and timings with ``--from``, else a plan to compute the maps here."""
    if request.from_dir:
        return stored_run(request)
    from ..pipeline.run import executor_for

    made = request.maps_request
    source = {"kind": "computed", "seconds_per_sample": "measured in this run, after a one-signal warm-up"}
    return MapSource(make_plan(made), executor_for(made), made, source, [], {})


def scoring_plan(request: EvaluateRequest, plan: Plan, normalize: str) -> Plan:
    """The plan with the optional scores' stages and the curves' scorer after the methods."""
    from .extra_scores import extra_stages

    mean_signal = plan.dataset_mean
    if request.baseline == "dataset-mean" and mean_signal is None:
        mean_signal = plan.data.mean()
    baseline = request.curve_baseline
    from_file = None if baseline.baseline_file is None else read_baseline_file(baseline.baseline_file)
    scorer = ScoreChunk(
        request.steps, baseline, mean_signal, request.randomization, baseline.seed, normalize, from_file
    )
    return replace(plan, stages=(*extra_stages(request, plan, baseline, mean_signal, normalize), scorer))
