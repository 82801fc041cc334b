"""``signalscreen merge``: join the outputs of ``explain --shard K/N`` runs into one result."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UsageError
from ..outputs.provenance import summary
from ..outputs.staging import staged_output
from ..records import ChunkResult, RunRecord, writing
from ..request import ExplainRequest
from ..results.reader import StoredResult, read_result
from ..sinks.summary import SummarySink
from .plan import Plan
from .run import stream
from .specs import DataSpec, data_spec, model_spec
from .tally import Tally

RUN_SPECIFIC = ("shard", "out_dir", "overwrite", "resume")


def check_shards(shards: list[StoredResult]) -> list[StoredResult]:
    """The shards in order 1..N; every mismatch is an error naming the folder."""
    first = shards[0]
    numbers = []
    for shard in shards:
        manifest = shard.manifest
        if not manifest.get("shard"):
            raise UsageError(f"{shard.folder}: was not made with --shard K/N")
        for part in ("model", "data"):
            if manifest[part]["sha256"] != first.manifest[part]["sha256"]:
                raise UsageError(f"{shard.folder}: {part} file differs from {first.folder}'s")
        mine, theirs = _settings(manifest), _settings(first.manifest)
        if mine != theirs:
            changed = sorted(k for k in mine if mine[k] != theirs.get(k))
            raise UsageError(f"{shard.folder}: options differ from {first.folder}'s: {', '.join(changed)}")
        numbers.append(tuple(manifest["shard"]))
    total = numbers[0][1]
    if sorted(k for k, _ in numbers) != list(range(1, total + 1)) or any(n != total for _, n in numbers):
        found = ", ".join(f"{k}/{n}" for k, n in numbers)
        raise UsageError(f"need each of the shards 1/{total}..{total}/{total} once, got {found}")
    return [shards[i] for i in sorted(range(len(shards)), key=lambda i: numbers[i][0])]


def _settings(manifest: dict[str, Any]) -> dict[str, Any]:
    """The run's options that every shard must share, method options as ``options.<name>``."""
    parameters = manifest["parameters"]
    settings = {k: v for k, v in parameters.items() if k not in (*RUN_SPECIFIC, "options")}
    settings.update({f"options.{k}": v for k, v in (parameters.get("options") or {}).items()})
    return settings


def merge(folders: list[Path], out_dir: Path, overwrite: bool = False) -> dict[str, Any]:
    """Feed the shards' rows, in shard order, through the sinks of one run; returns the joined manifest."""
    from ..sinks.table import RunOutputs, run_sinks

    if not folders:
        raise UsageError("give the shard output folders to merge")
    shards = check_shards([read_result(folder) for folder in folders])
    first = shards[0]
    request = replace(first.request(), write_csv=(first.folder / "csv").exists(), report=False)
    executor = StoredShards(shards, _summary_data(shards, request))
    plan = executor.plan(request)
    names = [str(name) for name in first.manifest["class_names"]]
    with staged_output(out_dir, overwrite) as staging:
        # the shards' plots are copied, not drawn again; summaries only where the signals can be read again
        wanted = RunOutputs(staging, replace(request, plots=False), plan, names)
        sinks = [sink for sink in run_sinks(wanted) if executor.data or not isinstance(sink, SummarySink)]
        tally = stream(plan, executor, sinks)
        extra = {"sample_index": plan.rows, **executor.shared}
        manifest = _combined_manifest(shards, tally, extra, out_dir)
        record = RunRecord(manifest, extra, tally.kinds, names)
        for sink in sinks:
            sink.close(record)
        with writing(staging / "plots"):
            _copy_plots(shards, staging)
    return manifest


class StoredShards:
    """An executor whose chunks are the shards' stored rows: each shard is one chunk, in shard order.

    Arrays that are not per row (``targets`` with ``--target all``, a method's axes) are the same in every
    shard and kept once, in ``shared``. ``data`` reads the signals again for the class summaries; without
    it the chunks carry no signals.
    """

    def __init__(self, shards: list[StoredResult], data: DataSpec | None) -> None:
        self.shards, self.data = shards, data
        self.counts = [int(shard.manifest["data"]["signals"]) for shard in shards]
        arrays = shards[0].manifest["arrays"]
        self.kinds = {name: entry.get("kind", "index") for name, entry in arrays.items()}
        self.makers = {
            name: {"method": entry["method"], "parameters": entry.get("parameters")}
            for name, entry in arrays.items()
            if entry.get("method")
        }
        self.not_per_row = {name for name, entry in arrays.items() if entry["shape"][:1] != [self.counts[0]]}
        self.shared: dict[str, np.ndarray] = {}

    def plan(self, request: ExplainRequest) -> Plan:
        """The merged run's plan: every shard's rows, a shard to a chunk (of the largest shard's size)."""
        rows = np.concatenate([shard.array("sample_index") for shard in self.shards]).astype(np.int64)
        labels = (
            {"labels": np.concatenate([shard.array("labels") for shard in self.shards])}
            if "labels" in self.kinds
            else {}
        )
        return Plan(
            model_spec(request),
            data_spec(request),
            rows,
            max(self.counts),
            (),
            target=request.parsed_target,
            row_info=labels,
        )

    def run(self, plan: Plan) -> Iterator[tuple[int, ChunkResult]]:
        source = self.data.open() if self.data else None
        start = 0
        for number, (shard, count) in enumerate(zip(self.shards, self.counts, strict=True)):
            arrays = shard.arrays()
            rows = arrays.pop("sample_index")
            for name in [name for name in arrays if name in self.not_per_row]:
                self.shared.setdefault(name, arrays.pop(name))
            signals = self.data.read(source, rows) if self.data and source else np.empty((count, 0, 0), np.float32)
            kinds = {name: self.kinds.get(name, "index") for name in arrays}
            makers = {name: maker for name, maker in self.makers.items() if name in arrays}
            yield number, ChunkResult(rows, signals, arrays, kinds, makers, start=start)
            start += count

    def describe(self) -> dict[str, Any]:
        return {"kind": "stored shards"}


def _summary_data(shards: list[StoredResult], request: ExplainRequest) -> DataSpec | None:
    """The signals to summarise again, when every shard has summaries and the data file is still the one
    they were made from (its SHA-256 is checked)."""
    from ..outputs.provenance import file_sha256

    if any(shard.summary() is None for shard in shards):
        return None
    if request.signals is not None or not request.data_path.exists():
        return None
    if file_sha256(request.data_path) != shards[0].manifest["data"]["sha256"]:
        return None
    return data_spec(request)


def _copy_plots(shards: list[StoredResult], staging: Path) -> None:
    (staging / "plots").mkdir()
    for shard in shards:
        plots = shard.folder / "plots"
        for plot in sorted(plots.glob("*")) if plots.exists() else []:
            shutil.copy2(plot, staging / "plots" / plot.name)
    if (shards[0].folder / "overview.png").exists():
        shutil.copy2(shards[0].folder / "overview.png", staging / "overview.png")


def _combined_manifest(
    shards: list[StoredResult], tally: Tally, extra: dict[str, np.ndarray], out_dir: Path
) -> dict[str, Any]:
    manifests = [shard.manifest for shard in shards]
    manifest = json.loads(json.dumps(manifests[0]))
    manifest["shard"] = None
    manifest["command"] = sys.argv
    manifest["shard_commands"] = [shard["command"] for shard in manifests]
    manifest["merged_from"] = [str(shard.folder) for shard in shards]
    manifest["parameters"]["out_dir"] = str(out_dir)
    manifest["data"]["signals"] = sum(m["data"]["signals"] for m in manifests)
    manifest["parameters"]["shard"] = None
    shapes = {**tally.shapes(), **{name: list(values.shape) for name, values in extra.items()}}
    diagnostics = tally.diagnostics()
    for name, entry in manifest["arrays"].items():
        entry["shape"] = shapes[name]
        if entry["kind"] == "diagnostic":
            entry["summary"] = summary(diagnostics[name])
    timings: dict[str, float] = {}
    for shard in manifests:
        for name, seconds in shard["timings_s"].items():
            timings[name] = round(timings.get(name, 0.0) + seconds, 4)
    manifest["timings_s"] = timings
    return manifest
