"""The one path from a request to results: plan → executor → chunks in input order → sinks.

The CLI, the Python API and ``evaluate`` all come through here. It never prints: progress goes through the
callback it is given.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UsageError
from ..model.cache import one_check_per_call
from ..outputs.provenance import class_names
from ..outputs.staging import check_destination, staged_output
from ..records import RunRecord
from ..request import ExplainRequest, check_request
from ..results.access import ResultAccess
from ..sinks import Sink
from .executor import Executor, InProcessExecutor
from .manifest import build_manifest
from .plan import Plan, make_plan
from .reorder import in_order
from .resume import check_stale, journaled
from .tally import Tally

Progress = Callable[[str, int, int], None]
"""``progress(method, signals_done, signals_total)``."""


@dataclass(frozen=True)
class RunResult(ResultAccess):
    """What ``run`` wrote; ``arrays`` are read from it when first asked for.

    Attributes
    ----------
    out_dir : pathlib.Path
        The output folder, complete.
    manifest : dict
        The contents of ``manifest.json`` (its ``arrays`` table gives every array's shape).
    """

    out_dir: Path
    manifest: dict[str, Any]
    _read: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def arrays(self) -> dict[str, np.ndarray]:  # type: ignore[override]
        return self._read["arrays"] if "arrays" in self._read else self.load()

    def load(self) -> dict[str, np.ndarray]:
        """Every array, read from the folder again (and verified against the manifest's digests)."""
        from ..results.reader import read_result

        self._read["arrays"] = read_result(self.out_dir).arrays()
        return self._read["arrays"]

    def signal(self, i: int) -> np.ndarray:
        """Read again from the data file (checked against the manifest's SHA-256)."""
        from ..results.reader import read_result
        from .specs import data_spec

        stored = read_result(self.out_dir)
        data = data_spec(stored.request())
        if data.describe()["sha256"] != self.manifest["data"]["sha256"]:
            raise UsageError(f"{data.path} has changed since {self.out_dir} was made from it")
        return data.read(data.open(), self.arrays["sample_index"][i : i + 1])[0]


@dataclass(frozen=True)
class MemoryResult(ResultAccess):
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

    def signal(self, i: int) -> np.ndarray:
        return self.arrays["signals"][i]


@one_check_per_call()
def run(request: ExplainRequest, progress: Progress | None = None, executor: Executor | None = None) -> RunResult:
    """Attribute and write: the whole ``explain`` command. Nothing is left behind if it fails."""
    from ..sinks.table import RunOutputs, run_sinks

    check_request(request)
    check_destination(request.out_dir, request.overwrite)
    check_stale(request.out_dir, request.resume)
    plan = make_plan(request)
    if request.sampling_rate is None and plan.sampling_rate:
        request = replace(request, sampling_rate=plan.sampling_rate)  # plots in seconds, as the header says
    names = class_names(request, plan.model_facts["n_outputs"])
    executor = executor or executor_for(request)
    maps_stay_remote = getattr(executor, "remote", False) and request.store == "zarr" and not request.write_csv
    with staged_output(request.out_dir, request.overwrite) as staging:
        sinks = run_sinks(RunOutputs(staging, request, plan, names, maps_stay_remote))
        started = time.perf_counter()
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


def executor_for(request: ExplainRequest) -> Executor:
    """A Dask executor for ``--dask``, else the in-process one."""
    if request.dask:
        from .cluster import DaskExecutor

        return DaskExecutor(request.dask, request.dask_timeout, request.dask_ship)
    return InProcessExecutor()


@one_check_per_call()
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
    if plan.target.every_class:
        extra["targets"] = np.arange(plan.model_facts["n_outputs"], dtype=np.int32)
    manifest = build_manifest(request, plan, tally, extra, names, seconds)
    manifest["executor"] = executor.describe()
    record = RunRecord(manifest, extra, tally.kinds, names)
    for sink in sinks:
        sink.close(record)
    return manifest
