"""The Dask executor beside the in-process run, on the same machine and in the same run.

1. 10,000 beats, occlusion window 15: wall time in-process, on ``local:1`` and on ``local:2`` (clusters
   started before the clock runs; their start-up is reported apart), and the per-task overhead from the
   same work cut into many small tasks.
2. Peak resident memory of the client (``signalscreen explain --store zarr --dask ADDRESS`` in a child
   process) for 10,000 and 100,000 signals: the maps stay on the workers.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import SAMPLE_MODEL, beats

from signalscreen_cli import explain
from signalscreen_cli.pipeline import run
from signalscreen_cli.pipeline.cluster import DaskExecutor
from signalscreen_cli.request import explain_request


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def wall_table(count: int, folder: Path) -> None:
    import distributed

    np.save(folder / "beats.npy", beats(count)[:, :, 0])
    options = {"methods": ("occlusion",), "window": 15, "plots": False, "chunk_size": 500}

    def request(name: str, **extra):
        return explain_request(SAMPLE_MODEL, folder / "beats.npy", folder / name, **{**options, **extra})

    explain(SAMPLE_MODEL, folder / "beats.npy", folder / "warm", methods=("occlusion",), samples="0:64", plots=False)
    here = timed(lambda: run(request("here")))
    print(f"{count} beats, occlusion w15, chunks of 500 ({count // 500} tasks)")
    print(f"{'executor':<12} {'start s':>8} {'run s':>8} {'ratio':>6}")
    print(f"{'in-process':<12} {'':>8} {here:>8.2f} {1.0:>6.2f}")
    for workers in (1, 2):
        started = time.perf_counter()
        with (
            distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            client.wait_for_workers(workers)
            startup = time.perf_counter() - started
            # every worker loads the model and traces its calls before the clock runs
            run(request(f"warm{workers}", samples="0:64", chunk_size=8), executor=DaskExecutor(client=client))
            there = timed(lambda c=client, w=workers: run(request(f"d{w}"), executor=DaskExecutor(client=c)))
            print(f"{f'local:{workers}':<12} {startup:>8.2f} {there:>8.2f} {there / here:>6.2f}")
            if workers == 1:
                overhead = task_overhead(client, request)
                print(f"per-task overhead: {overhead:.1f} ms (2,000 saliency beats as 2 vs 100 tasks)")


def task_overhead(client, request) -> float:
    """Milliseconds each extra task costs: the same work as 2 tasks and as 100."""
    small = {"methods": ("saliency",), "samples": "0:2000"}
    few = timed(lambda: run(request("few", chunk_size=1000, **small), executor=DaskExecutor(client=client)))
    many = timed(lambda: run(request("many", chunk_size=20, **small), executor=DaskExecutor(client=client)))
    return 1000 * (many - few) / (100 - 2)


def client_rss(counts: list[int], folder: Path) -> None:
    import distributed

    print("\nclient peak RSS, --store zarr --dask (saliency, maps written by the workers)")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
    ) as cluster:
        for count in counts:
            np.save(folder / f"beats{count}.npy", beats(count)[:, :, 0])
            command = [
                sys.executable,
                "-m",
                "signalscreen_cli",
                "explain",
                str(SAMPLE_MODEL),
                str(folder / f"beats{count}.npy"),
                "-m",
                "saliency",
                "--store",
                "zarr",
                "--no-plots",
                "-q",
                "--dask",
                cluster.scheduler_address,
                "-o",
                str(folder / f"rss{count}"),
            ]
            started = time.perf_counter()
            # /usr/bin/time measures the client alone (this process's other children are the workers)
            done = subprocess.run(
                ["/usr/bin/time", "-f", "%M", *command],
                check=True,
                capture_output=True,
                text=True,
                env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
            )
            peak = int(done.stderr.strip().splitlines()[-1]) / 1024
            print(f"{count:>7} signals: {peak:7.0f} MiB, {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=10000)
    parser.add_argument("--rss-sizes", default="10000,100000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        wall_table(args.signals, Path(folder))
        client_rss([int(v) for v in args.rss_sizes.split(",")], Path(folder))


if __name__ == "__main__":
    main()
