"""What verified results and resumable runs cost, each against a floor measured in the same run.

- journal: every chunk written to the resume journal (one fsynced ``.npz`` per chunk) beside the array
  store's own writes (the floor every run pays);
- pack: packing ``attributions.npz`` while hashing each array, against copying the same bytes;
- verify: the streamed check of every array against the manifest, against reading the file once;
- load: ``StoredResult.arrays()`` (loaded and checked), against ``np.load`` of every member;
- explain: a whole ``explain`` run of the sample model (journaled, hashed), against the same run with the
  journal switched off.

    python benchmarks/bench_verified.py --signals 100000
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
from common import SAMPLE_MODEL, beats, median_seconds

from signalscreen_cli.layout import ARRAYS_FILE
from signalscreen_cli.pipeline.resume import _write_chunk
from signalscreen_cli.records import ChunkResult, RunRecord
from signalscreen_cli.results.reader import read_result
from signalscreen_cli.sinks.arrays import ArrayStore

pipeline = importlib.import_module("signalscreen_cli.pipeline.run")  # the module (the package exports run())


def chunks(n: int, size: int) -> list[ChunkResult]:
    rng = np.random.default_rng(0)
    signals = beats(n)
    arrays = {
        "predictions": rng.random((n, 5)).astype(np.float32),
        "saliency": np.abs(rng.normal(size=signals.shape)).astype(np.float32),
        "occlusion_w15": rng.normal(size=signals.shape).astype(np.float32),
        "gradcam": np.maximum(rng.normal(size=signals.shape[:2]), 0).astype(np.float32),
    }
    kinds = {name: "attribution" for name in arrays} | {"predictions": "index"}
    return [
        ChunkResult(
            np.arange(s, min(s + size, n)), signals[s : s + size], {k: v[s : s + size] for k, v in arrays.items()},
            kinds, start=s,
        )
        for s in range(0, n, size)
    ]


def store_only(folder: Path, parts: list[ChunkResult], n: int) -> ArrayStore:
    store = ArrayStore(folder, n)
    for part in parts:
        store.write(part.start, part)
    return store


def explain_seconds(root: Path, n: int, repeats: int) -> tuple[float, float]:
    """Median seconds of a whole explain run, journaled and with the journal switched off."""
    from signalscreen_cli.request import explain_request

    data = root / "beats.npy"
    np.save(data, beats(n)[:, :, 0])
    options = {"methods": ("saliency", "occlusion"), "plots": False, "chunk_size": 256, "overwrite": True}
    request = explain_request(SAMPLE_MODEL, data, root / "explained", **options)
    journaled = pipeline.journaled
    with_journal = median_seconds(repeats, lambda: pipeline.run(request))
    pipeline.journaled = lambda executor, *_: executor  # the floor: the same run, nothing journaled
    try:
        without = median_seconds(repeats, lambda: pipeline.run(request))
    finally:
        pipeline.journaled = journaled
    return with_journal, without


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--explain-signals", type=int, default=2048)
    args = parser.parse_args()
    parts = chunks(args.signals, args.chunk)
    root = Path(tempfile.mkdtemp(prefix="bench_verified."))
    try:

        def fresh(name: str) -> Path:
            folder = root / name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            return folder

        def journaled() -> None:
            folder = fresh("journaled")
            store_only(folder, parts, args.signals)
            (folder / "journal").mkdir()
            for number, part in enumerate(parts):
                _write_chunk(folder / "journal", number, part)

        store_s = median_seconds(args.repeats, lambda: store_only(fresh("store"), parts, args.signals))
        journal_s = median_seconds(args.repeats, journaled)

        def copy_bytes() -> None:
            folder = fresh("copy")
            for item in (root / "store").glob("*.npy"):
                shutil.copyfile(item, folder / item.name)

        def pack() -> None:
            folder = fresh("pack")
            store = store_only(folder, parts, args.signals)
            record = RunRecord({"arrays": {}}, {"sample_index": np.arange(args.signals)})
            store.close(record)
            manifest = {"arrays": {}, "integrity": record.manifest["integrity"], "model": {}, "data": {}}
            (folder / "manifest.json").write_text(json.dumps({**manifest, "parameters": {}}))

        store_only(fresh("store"), parts, args.signals)
        write_and_copy_s = store_s + median_seconds(args.repeats, copy_bytes)
        pack_s = median_seconds(args.repeats, pack)
        stored = read_result(root / "pack")
        size = (root / "pack" / ARRAYS_FILE).stat().st_size

        def read_once() -> None:
            with open(root / "pack" / ARRAYS_FILE, "rb") as handle:
                while handle.read(1 << 22):
                    pass

        def np_load() -> None:
            with np.load(root / "pack" / ARRAYS_FILE) as archive:
                _ = [archive[name] for name in archive.files]

        read_s = median_seconds(args.repeats, read_once)
        verify_s = median_seconds(args.repeats, stored.verify)
        load_s = median_seconds(args.repeats, np_load)
        checked_s = median_seconds(args.repeats, stored.arrays)
        explain_s, unjournaled_s = explain_seconds(root, args.explain_signals, args.repeats)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{args.signals:,} beats, chunks of {args.chunk:,}, attributions.npz {size / 2**20:.0f} MB")
    print(f"journal  {journal_s:7.3f} s  store writes alone {store_s:7.3f} s   ratio {journal_s / store_s:5.2f}")
    pack_ratio = pack_s / write_and_copy_s
    print(f"pack     {pack_s:7.3f} s  writes + byte copy {write_and_copy_s:7.3f} s   ratio {pack_ratio:5.2f}")
    print(f"verify   {verify_s:7.3f} s  one read of the file {read_s:7.3f} s   ratio {verify_s / read_s:5.2f}")
    print(f"load     {checked_s:7.3f} s  np.load every member {load_s:7.3f} s   ratio {checked_s / load_s:5.2f}")
    print(
        f"explain  {explain_s:7.3f} s  without the journal {unjournaled_s:7.3f} s   ratio "
        f"{explain_s / unjournaled_s:5.2f}  ({args.explain_signals:,} beats, saliency and occlusion)"
    )


if __name__ == "__main__":
    main()
