"""The class summaries' cost beside the array store's: both take the same chunks of 10,000 beats and three
maps; the store's writes are the floor every run pays. Also the report's build time for that run."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from common import beats

from signalscreen_cli.records import ChunkResult, RunRecord
from signalscreen_cli.sinks.arrays import ArrayStore
from signalscreen_cli.sinks.summary import SummarySink

KINDS = {"predictions": "index", "targets": "index", "saliency": "attribution", "occlusion_w15": "attribution"}
KINDS["gradcam"] = "attribution"


def chunks(n: int, size: int) -> list[ChunkResult]:
    rng = np.random.default_rng(0)
    signals = beats(n)
    logits = rng.normal(size=(n, 2)).astype(np.float32)
    predictions = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    arrays = {
        "predictions": predictions,
        "targets": predictions.argmax(axis=1).astype(np.int32),
        "saliency": np.abs(rng.normal(size=signals.shape)).astype(np.float32),
        "occlusion_w15": rng.normal(size=signals.shape).astype(np.float32),
        "gradcam": np.maximum(rng.normal(size=signals.shape[:2]), 0).astype(np.float32),
    }
    return [
        ChunkResult(
            np.arange(s, min(s + size, n)),
            signals[s : s + size],
            {k: v[s : s + size] for k, v in arrays.items()},
            KINDS,
        )
        for s in range(0, n, size)
    ]


def timed(make, parts: list[ChunkResult], n: int) -> float:
    folder = Path(tempfile.mkdtemp())
    try:
        sink = make(folder, n)
        started = time.perf_counter()
        start = 0
        for part in parts:
            sink.write(start, part)
            start += len(part.rows)
        sink.close(RunRecord({}, {"sample_index": np.arange(n)}, class_names=["N", "V"]))
        return time.perf_counter() - started
    finally:
        shutil.rmtree(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signals", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=1024)
    args = parser.parse_args()
    parts = chunks(args.signals, args.chunk)
    store = min(timed(ArrayStore, parts, args.signals) for _ in range(3))
    summary = min(
        timed(lambda folder, n: SummarySink(folder, n, np.zeros(n, np.int64)), parts, args.signals) for _ in range(3)
    )
    print(f"{args.signals} signals in chunks of {args.chunk}, 3 maps, labels")
    print(f"array store (floor): {store:.3f} s")
    print(f"class summaries:     {summary:.3f} s ({summary / store:.1f}x the floor)")


if __name__ == "__main__":
    main()
