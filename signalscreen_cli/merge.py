"""``signalscreen merge``: join the outputs of ``explain --shard K/N`` runs into one result."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .errors import UsageError
from .outputs import safe_name, staged_output, summary
from .pipeline.chunks import ChunkResult
from .pipeline.plan import DataSpec, data_spec
from .results import StoredResult, read_result
from .sinks import RunRecord, writing
from .sinks.arrays import ArrayStore
from .sinks.csv import CsvWriter
from .sinks.manifest import write_manifest
from .sinks.summary import SummarySink
from .sinks.zarr_store import ZarrStore

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
    """Concatenate the shards' arrays in row order and combine their manifests; returns the manifest."""
    if not folders:
        raise UsageError("give the shard output folders to merge")
    shards = check_shards([read_result(folder) for folder in folders])
    first = shards[0]
    counts = [shard.manifest["data"]["signals"] for shard in shards]
    shared = {name for name, entry in first.manifest["arrays"].items() if entry["shape"][:1] != [counts[0]]}
    every_class = first.manifest["parameters"].get("target") == "all"
    with staged_output(out_dir, overwrite) as staging:
        store = (
            ZarrStore(staging, sum(counts), max(counts)) if first.store == "zarr" else ArrayStore(staging, sum(counts))
        )
        csv = None
        if (first.folder / "csv").exists():
            csv = CsvWriter(
                staging / "csv", [safe_name(n) for n in first.manifest["class_names"]] if every_class else None
            )
        extra: dict[str, np.ndarray] = {"sample_index": np.empty(0, np.int64)}
        summaries = _summary_sink(shards, staging, sum(counts))
        start = 0
        for shard, count in zip(shards, counts, strict=True):
            arrays = shard.arrays()
            rows = arrays.pop("sample_index")
            if summaries:
                summaries.add(start, rows, arrays)
            extra["sample_index"] = np.concatenate([extra["sample_index"], rows])
            for name in shared & set(arrays):
                extra.setdefault(name, arrays.pop(name))
                arrays.pop(name, None)
            store.write_arrays(start, arrays)
            if csv:
                csv.write_arrays(arrays, rows)
            start += count
        manifest = _combined_manifest(shards, store, extra, out_dir)
        store.close(RunRecord(manifest, extra))  # packs, and puts the merged arrays' SHA-256s in the manifest
        if csv:
            csv.close_files()
        write_manifest(staging, manifest)
        if summaries:
            summaries.sink.close(RunRecord(manifest, extra, {}, manifest["class_names"]))
        with writing(staging / "plots"):
            _copy_plots(shards, staging)
    return manifest


class _Summaries:
    """The class summaries of the merged rows: every shard's maps with its signals, read again from the data
    file (the same file: its SHA-256 is checked), through the sink an explain run uses."""

    def __init__(self, sink: SummarySink, data: DataSpec, kinds: dict[str, str]) -> None:
        self.sink, self.data, self.kinds, self.source = sink, data, kinds, data.open()

    def add(self, start: int, rows: np.ndarray, arrays: dict[str, np.ndarray]) -> None:
        if self.sink.labels is not None:
            self.sink.labels[start : start + len(rows)] = arrays["labels"]
        signals = self.data.read(self.source, rows)
        kinds = {name: self.kinds.get(name, "index") for name in arrays}
        self.sink.write(start, ChunkResult(rows, signals, arrays, kinds))


def _summary_sink(shards: list[StoredResult], staging: Path, total: int) -> _Summaries | None:
    """Summaries when every shard has them and the data file is still the one they were made from."""
    from .outputs import file_sha256

    if any(shard.summary() is None for shard in shards):
        return None
    request = shards[0].request()
    if request.signals is not None or not request.data_path.exists():
        return None
    if file_sha256(request.data_path) != shards[0].manifest["data"]["sha256"]:
        return None
    data = data_spec(request)
    labels = np.zeros(total, np.int64) if "labels" in shards[0].manifest["arrays"] else None
    sink = SummarySink(staging, total, labels, request.max_plots, request.sampling_rate)
    kinds = {name: entry["kind"] for name, entry in shards[0].manifest["arrays"].items()}
    return _Summaries(sink, data, kinds)


def _copy_plots(shards: list[StoredResult], staging: Path) -> None:
    (staging / "plots").mkdir()
    for shard in shards:
        plots = shard.folder / "plots"
        for plot in sorted(plots.glob("*")) if plots.exists() else []:
            shutil.copy2(plot, staging / "plots" / plot.name)
    if (shards[0].folder / "overview.png").exists():
        shutil.copy2(shards[0].folder / "overview.png", staging / "overview.png")


def _combined_manifest(
    shards: list[StoredResult], store: ArrayStore | ZarrStore, extra: dict[str, np.ndarray], out_dir: Path
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
    shapes = {**store.shapes(), **{name: list(values.shape) for name, values in extra.items()}}
    for name, entry in manifest["arrays"].items():
        entry["shape"] = shapes[name]
        if entry["kind"] == "diagnostic":
            entry["summary"] = summary(store.read(name))
    timings: dict[str, float] = {}
    for shard in manifests:
        for name, seconds in shard["timings_s"].items():
            timings[name] = round(timings.get(name, 0.0) + seconds, 4)
    manifest["timings_s"] = timings
    return manifest
