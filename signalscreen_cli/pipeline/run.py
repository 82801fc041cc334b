"""The one path from a request to results: plan → executor → chunks in input order → sinks.

The CLI, the Python API and ``evaluate`` all come through here. It never prints: progress goes through the
callback it is given.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..outputs import check_destination, class_names, safe_name, staged_output
from ..request import ExplainRequest, check_request, split_target
from ..sinks import RunRecord, Sink
from .executor import Executor, InProcessExecutor
from .manifest import build_manifest
from .plan import Plan, make_plan
from .reorder import in_order
from .resume import check_stale, journaled
from .tally import Tally

Progress = Callable[[str, int, int], None]
"""``progress(method, signals_done, signals_total)``."""


@dataclass(frozen=True)
class RunResult:
    """What ``run`` wrote.

    Attributes
    ----------
    out_dir : pathlib.Path
        The output folder, complete.
    manifest : dict
        The contents of ``manifest.json`` (its ``arrays`` table gives every array's shape).
    """

    out_dir: Path
    manifest: dict[str, Any]

    def load(self) -> dict[str, np.ndarray]:
        """Every array of the result, in memory."""
        from ..results import read_result

        return read_result(self.out_dir).arrays()


@dataclass(frozen=True)
class MemoryResult:
    """What ``collect`` computed, in memory.

    Attributes
    ----------
    arrays : dict of str to numpy.ndarray
        Every array a run would write, plus ``signals`` (the signals explained).
    manifest : dict
        The manifest a run would write.
    plan : Plan
        The plan that made them.
    """

    arrays: dict[str, np.ndarray]
    manifest: dict[str, Any]
    plan: Plan


def run(request: ExplainRequest, progress: Progress | None = None, executor: Executor | None = None) -> RunResult:
    """Attribute and write: the whole ``explain`` command. Nothing is left behind if it fails."""
    from ..sinks.csv import CsvWriter
    from ..sinks.manifest import ManifestWriter

    check_request(request)
    check_destination(request.out_dir, request.overwrite)
    check_stale(request.out_dir, request.resume)
    plan = make_plan(request)
    if request.sampling_rate is None and plan.sampling_rate:
        request = replace(request, sampling_rate=plan.sampling_rate)  # plots in seconds, as the header says
    names = class_names(request, plan.model_facts["n_outputs"])
    with staged_output(request.out_dir, request.overwrite) as staging:
        sinks: list[Sink] = [array_store(request.store, staging, plan)]
        maps_stay_remote = request.store == "zarr" and request.dask and not request.write_csv
        if maps_stay_remote:
            from ..sinks.zarr_store import ZARR_FILE, WriteMaps

            keep = request.max_plots if request.plots else 0
            plan = replace(
                plan, stages=(*plan.stages, WriteMaps(staging / ZARR_FILE, len(plan.rows), plan.chunk_rows, keep))
            )
        if request.write_csv:
            every_class = split_target(request.target)[0] == "all"
            sinks.append(CsvWriter(staging / "csv", [safe_name(n) for n in names] if every_class else None))
        sinks.append(ManifestWriter(staging))
        if request.plots:
            from ..sinks.plots import PlotKeeper

            sinks.append(PlotKeeper(staging, request, plan.reading.get("channels")))
        if not request.segment and not maps_stay_remote:  # summaries need every row's maps here
            from ..sinks.summary import SummarySink

            labels = plan.row_info.get("labels")
            sinks.append(SummarySink(staging, len(plan.rows), labels, request.max_plots, request.sampling_rate))
        if request.report:
            from ..sinks.report import ReportWriter

            sinks.append(ReportWriter(staging))
        started, executor = time.perf_counter(), executor or executor_for(request)
        executor = journaled(executor, staging, plan, request)  # each finished chunk journaled; --resume replays
        plan = replace(plan, stages=(*plan.stages, *remote_stages(sinks, executor)))
        tally = stream(plan, executor, sinks, progress)
        manifest = finish(request, plan, tally, sinks, names, executor, time.perf_counter() - started)
    return RunResult(request.out_dir, manifest)


def remote_stages(sinks: list[Sink], executor: Executor) -> tuple[Any, ...]:
    """Where chunks are computed on other machines and no sink needs every row back, the sinks that can write
    there (``remote_stage``) do, and only the rows a sink still needs (``rows_needed``) come back."""
    if not getattr(executor, "remote", False) or any(getattr(sink, "needs_all_rows", False) for sink in sinks):
        return ()
    keep = max((getattr(sink, "rows_needed", 0) for sink in sinks), default=0)
    return tuple(sink.remote_stage(keep) for sink in sinks if hasattr(sink, "remote_stage"))


def array_store(kind: str, folder: Path, plan: Plan) -> Sink:
    """The array store a run writes: ``npz`` (one ``attributions.npz``) or ``zarr``."""
    if kind == "zarr":
        from ..sinks.zarr_store import ZarrStore

        return ZarrStore(folder, len(plan.rows), plan.chunk_rows)
    from ..sinks.arrays import ArrayStore

    return ArrayStore(folder, len(plan.rows))


def executor_for(request: ExplainRequest) -> Executor:
    """A Dask executor for ``--dask``, else the in-process one."""
    if request.dask:
        from .cluster import DaskExecutor

        return DaskExecutor(request.dask, request.dask_timeout, request.dask_ship)
    return InProcessExecutor()


def collect(
    request: ExplainRequest, progress: Progress | None = None, executor: Executor | None = None
) -> MemoryResult:
    """Attribute into memory; nothing is written (``request.out_dir`` is ignored)."""
    from ..sinks.memory import MemorySink

    check_request(request)
    plan = make_plan(request)
    sink = MemorySink(keep_signals=True)
    names = class_names(request, plan.model_facts["n_outputs"])
    started, executor = time.perf_counter(), executor or executor_for(request)
    tally = stream(plan, executor, [sink], progress)
    manifest = finish(request, plan, tally, [sink], names, executor, time.perf_counter() - started)
    return MemoryResult(sink.arrays, manifest, plan)


def stream(plan: Plan, executor: Executor, sinks: list[Sink], progress: Progress | None = None) -> Tally:
    """Feed the executor's chunks to every sink in input order; the sinks are closed by the caller."""
    tally = Tally(len(plan.rows))
    done = 0
    for chunk in in_order(executor.run(plan)):
        tally.add(chunk)
        for sink in sinks:
            sink.write(done, chunk)
        done += len(chunk.rows)
        if progress:
            for stage in tally.seconds:
                progress(stage, done, len(plan.rows))
    return tally


def finish(
    request: ExplainRequest,
    plan: Plan,
    tally: Tally,
    sinks: list[Sink],
    names: list[str],
    executor: Executor,
    seconds: float,
) -> dict[str, Any]:
    """Build the manifest and close every sink with it; returns the manifest."""
    extra = {"sample_index": plan.rows.astype(np.int64), **plan.row_info}
    if plan.target == "all":
        extra["targets"] = np.arange(plan.model_facts["n_outputs"], dtype=np.int32)
    manifest = build_manifest(request, plan, tally, extra, names, seconds)
    manifest["executor"] = executor.describe()
    record = RunRecord(manifest, extra, tally.kinds, names)
    for sink in sinks:
        sink.close(record)
    return manifest
