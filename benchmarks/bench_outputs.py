"""How long each output kind takes beside the attribution itself: arrays, manifest, plots, class summaries,
the report.

usage: python benchmarks/bench_outputs.py [--repeats N]

Two runs, in process and warm (TensorFlow imported, the model loaded once before timing): the README's set-up
run (the 32 CSV beats, default methods, ``--format png,svg --report``) and 1,000 beats with ``--max-plots 16``.
Each sink's ``write`` and ``close`` are timed by wrapping them (the sinks themselves run unchanged); the
attribution is the methods' own seconds from the manifest. Prints each kind's median seconds and the outputs'
total as a multiple of the attribution, and what the outputs add beyond it (the issue's budget: 2 s), with the
machine's load average (the CPU seconds are what to compare between runs on a shared machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import ROOT, SAMPLE_MODEL, beats

instrument_target: dict[str, float] = defaultdict(float)
"""Seconds per output kind of the current run (the wrapped sinks add to it)."""
KINDS = {
    "ArrayStore": "arrays (.npz)",
    "ManifestWriter": "manifest",
    "PlotKeeper": "plots + overview",
    "SummarySink": "class summaries",
    "ReportWriter": "report.html",
}


def instrument(spent: dict[str, float]) -> None:
    """Wrap every output sink's ``write`` and ``close`` so their seconds add up in ``spent``."""
    from signalscreen_cli.sinks.arrays import ArrayStore
    from signalscreen_cli.sinks.manifest import ManifestWriter
    from signalscreen_cli.sinks.plots import PlotKeeper
    from signalscreen_cli.sinks.report import ReportWriter
    from signalscreen_cli.sinks.summary import SummarySink

    for cls in (ArrayStore, ManifestWriter, PlotKeeper, SummarySink, ReportWriter):
        for method in ("write", "close"):
            original = getattr(cls, method)

            def timed(self, *args, _original=original, _kind=KINDS[cls.__name__], **kwargs):
                started, cpu = time.perf_counter(), time.thread_time()
                try:
                    return _original(self, *args, **kwargs)
                finally:
                    spent[_kind] += time.perf_counter() - started
                    spent[f"{_kind} cpu"] += time.thread_time() - cpu

            setattr(cls, method, timed)


def one_run(request_kwargs: dict, folder: Path) -> tuple[float, float]:
    """Wall seconds of the run and of its attribution (the methods' seconds in the manifest)."""
    from signalscreen_cli.pipeline import run
    from signalscreen_cli.request import explain_request

    keywords = dict(request_kwargs)
    request = explain_request(keywords.pop("model_path"), keywords.pop("data_path"), folder, overwrite=True, **keywords)
    started = time.perf_counter()
    result = run(request)
    wall = time.perf_counter() - started
    timings = result.manifest["timings_s"]
    return wall, sum(seconds for name, seconds in timings.items() if name != "total")


def measure(label: str, request_kwargs: dict, repeats: int, work: Path) -> None:
    rows: dict[str, list[float]] = defaultdict(list)
    for repeat in range(repeats + 1):  # the first run warms the compiled calls and matplotlib's caches
        instrument_target.clear()
        wall, attribution = one_run(request_kwargs, work / label)
        if repeat == 0:
            continue
        rows["attribution"].append((attribution, attribution))
        for kind in KINDS.values():
            rows[kind].append((instrument_target.get(kind, 0.0), instrument_target.get(f"{kind} cpu", 0.0)))
        rows["outputs, all kinds"].append(
            (sum(instrument_target.get(k, 0.0) for k in KINDS.values()),
             sum(instrument_target.get(f"{k} cpu", 0.0) for k in KINDS.values()))
        )  # fmt: skip
        rows["run, wall"].append((wall, wall))
    attribution = statistics.median(wall for wall, _ in rows["attribution"])
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{label} (median of {repeats}; cpu: this thread's CPU seconds, what a quiet machine would take; "
          f"load average {load})")  # fmt: skip
    print(f"  {'what':<22} {'wall s':>8} {'cpu s':>8} {'wall / attribution':>19}")
    for name, values in rows.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        print(f"  {name:<22} {wall:8.3f} {cpu:8.3f} {wall / attribution if attribution else float('nan'):19.2f}")
    beyond = statistics.median(c for _, c in rows["outputs, all kinds"])
    verdict = "within" if beyond <= 2 else "OVER"
    print(f"  outputs beyond the attribution: {beyond:.2f} CPU s (budget 2 s: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    instrument(instrument_target)
    import numpy as np

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        np.save(work / "beats_1000.npy", beats(1000)[..., 0])
        setup = {
            "model_path": SAMPLE_MODEL,
            "data_path": ROOT / "sample_data" / "ecg_beats.csv",
            "label_column": -1,
            "class_names": ("N", "V"),
            "sampling_rate": 125.0,
            "formats": ("png", "svg"),
            "report": True,
        }
        measure("set-up run: 32 CSV beats, png+svg, --report", setup, args.repeats, work)
        thousand = {
            "model_path": SAMPLE_MODEL,
            "data_path": work / "beats_1000.npy",
            "class_names": ("N", "V"),
            "sampling_rate": 125.0,
            "max_plots": 16,
        }
        measure("1,000 beats, --max-plots 16, png", thousand, args.repeats, work)


if __name__ == "__main__":
    main()
