"""``signalscreen merge``: join the outputs of ``explain --shard K/N`` runs into one result."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .errors import OutputError, UsageError
from .outputs import staged_output, write_manifest
from .store import ArrayStore

RUN_SPECIFIC = ("shard", "out_dir", "overwrite")


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(f"{folder}: not a signalscreen output folder (no readable manifest.json)") from exc


def check_shards(folders: list[Path], manifests: list[dict[str, Any]]) -> list[int]:
    """The order that puts the shards 1..N in place; every mismatch is an error naming the folder."""
    first = manifests[0]
    shards = []
    for folder, manifest in zip(folders, manifests, strict=True):
        if not manifest.get("shard"):
            raise UsageError(f"{folder}: was not made with --shard K/N")
        for part in ("model", "data"):
            if manifest[part]["sha256"] != first[part]["sha256"]:
                raise UsageError(f"{folder}: {part} file differs from {folders[0]}'s")
        mine = {k: v for k, v in manifest["parameters"].items() if k not in RUN_SPECIFIC}
        theirs = {k: v for k, v in first["parameters"].items() if k not in RUN_SPECIFIC}
        if mine != theirs:
            changed = sorted(k for k in mine if mine[k] != theirs.get(k))
            raise UsageError(f"{folder}: options differ from {folders[0]}'s: {', '.join(changed)}")
        shards.append(tuple(manifest["shard"]))
    total = shards[0][1]
    if sorted(k for k, _ in shards) != list(range(1, total + 1)) or any(n != total for _, n in shards):
        found = ", ".join(f"{k}/{n}" for k, n in shards)
        raise UsageError(f"need each of the shards 1/{total}..{total}/{total} once, got {found}")
    return sorted(range(len(shards)), key=lambda i: shards[i][0])


def merge(folders: list[Path], out_dir: Path, overwrite: bool = False) -> dict[str, Any]:
    """Concatenate the shards' arrays in row order and combine their manifests; returns the manifest."""
    if not folders:
        raise UsageError("give the shard output folders to merge")
    manifests = [read_manifest(folder) for folder in folders]
    order = check_shards(folders, manifests)
    folders = [folders[i] for i in order]
    manifests = [manifests[i] for i in order]
    counts = [manifest["data"]["signals"] for manifest in manifests]
    shared = {name for name, entry in manifests[0]["arrays"].items() if entry["shape"][:1] != [counts[0]]}
    with staged_output(out_dir, overwrite) as staging:
        store = ArrayStore(staging, sum(counts), staging / "csv" if (folders[0] / "csv").exists() else None)
        extra: dict[str, np.ndarray] = {}
        start = 0
        for folder, count in zip(folders, counts, strict=True):
            try:
                archive = np.load(folder / "attributions.npz")
            except (OSError, ValueError) as exc:
                raise OutputError(f"{folder}: cannot read attributions.npz ({exc})") from exc
            with archive:
                rows = archive["sample_index"]
                per_signal = {name: archive[name] for name in archive.files if name not in shared}
                per_signal.pop("sample_index")
                extra.setdefault("sample_index", np.empty(0, np.int64))
                extra["sample_index"] = np.concatenate([extra["sample_index"], rows])
                extra.update({name: archive[name] for name in shared if name not in extra})
            store.write(start, per_signal, rows)
            start += count
        manifest = _combined_manifest(manifests, folders, store, extra, out_dir)
        store.pack(staging / "attributions.npz", extra)
        write_manifest(staging, manifest)
        (staging / "plots").mkdir()
        for folder in folders:
            for plot in sorted((folder / "plots").glob("*")) if (folder / "plots").exists() else []:
                shutil.copy2(plot, staging / "plots" / plot.name)
        if (folders[0] / "overview.png").exists():
            shutil.copy2(folders[0] / "overview.png", staging / "overview.png")
    return manifest


def _combined_manifest(
    manifests: list[dict[str, Any]],
    folders: list[Path],
    store: ArrayStore,
    extra: dict[str, np.ndarray],
    out_dir: Path,
) -> dict[str, Any]:
    manifest = json.loads(json.dumps(manifests[0]))
    manifest["shard"] = None
    manifest["command"] = sys.argv
    manifest["shard_commands"] = [shard["command"] for shard in manifests]
    manifest["merged_from"] = [str(folder) for folder in folders]
    manifest["parameters"]["out_dir"] = str(out_dir)
    manifest["data"]["signals"] = sum(m["data"]["signals"] for m in manifests)
    manifest["parameters"]["shard"] = None
    shapes = {**store.shapes(), **{name: list(values.shape) for name, values in extra.items()}}
    for name, entry in manifest["arrays"].items():
        entry["shape"] = shapes[name]
        if entry["kind"] == "diagnostic":
            values = np.asarray(store.read(name))
            entry["summary"] = {"min": float(values.min()), "mean": float(values.mean()), "max": float(values.max())}
    timings: dict[str, float] = {}
    for shard in manifests:
        for name, seconds in shard["timings_s"].items():
            timings[name] = round(timings.get(name, 0.0) + seconds, 4)
    manifest["timings_s"] = timings
    return manifest
