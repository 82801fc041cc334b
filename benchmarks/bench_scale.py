"""Scale: methods on many signals beside their floor, peak memory against input size, start-up time.

    python benchmarks/bench_scale.py [--signals 10000] [--rss-sizes 1000,100000] [--skip-rss]

1. Occlusion, saliency, Grad-CAM and integrated gradients through the whole pipeline (``signalscreen_cli.
   explain`` with default options: reading, chunking, writing; no plots) on N sample beats, beside the
   floor measured in the same run: the compiled passes they need (one forward pass to pick each signal's
   target, then the method's forward or forward+backward passes), on inputs that already exist, at the
   best of several batch sizes. "method s" is the time inside the method (the manifest's timing);
   "pipeline s" adds loading the model, tracing, reading, predicting and writing.
2. Peak RSS of ``signalscreen explain -m saliency --no-plots`` on 1,000 and on 100,000 signals.
3. Wall time of ``signalscreen --help`` beside ``python -c pass``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import SAMPLE_MODEL, beats, best_of

from signalscreen_cli import explain
from signalscreen_cli.model.files import load_model

FLOOR_BATCHES = (256, 512, 1024, 2048, 4096)


def floor_seconds(x: np.ndarray, copies: int, backward: bool, layer: str | None = None) -> float:
    """Best time over batch sizes for ``copies`` copies of each signal through the model."""
    inputs = np.repeat(x, copies, axis=0) if copies > 1 else x
    targets = np.zeros(len(inputs), np.int32)
    best = np.inf
    for batch in FLOOR_BATCHES:
        adapter = load_model(SAMPLE_MODEL, batch_size=batch)
        if layer:
            work = lambda a=adapter: a.layer_activations_and_gradients(inputs, layer, targets)  # noqa: E731
        elif backward:
            work = lambda a=adapter: a.gradients(inputs, targets)  # noqa: E731
        else:
            work = lambda a=adapter: a.predict(inputs)  # noqa: E731
        best = min(best, best_of(1, work))
    return best


def pipeline_table(count: int, folder: Path) -> None:
    x = beats(count)
    np.save(folder / "beats.npy", x[:, :, 0])
    cases = [
        ("occlusion", {"window": 15}, x.shape[1], False, None),
        ("saliency", {}, 1, True, None),
        ("gradcam", {}, 1, True, "conv2"),
        ("integrated_gradients", {"steps": 64, "ig_tolerance": 1e9}, 64, True, None),
    ]
    print(f"\n{count} signals of length {x.shape[1]} through the pipeline (default chunk and batch size)")
    print(
        f"{'method':<22} {'method s':>9} {'pipeline s':>10} {'floor s':>8} {'method/floor':>12} "
        f"{'pipeline/floor':>14}  floor"
    )
    predict_floor = floor_seconds(x, 1, False)
    for number, (name, options, copies, backward, layer) in enumerate(cases):
        out = folder / f"out{number}"
        started = time.perf_counter()
        result = explain(SAMPLE_MODEL, folder / "beats.npy", out, methods=(name,), plots=False, **options)
        elapsed = time.perf_counter() - started
        inside = result.manifest["timings_s"][name]
        floor = floor_seconds(x, copies, backward, layer)
        kind = "layer fwd+bwd" if layer else ("fwd+bwd" if backward else "forward")
        print(
            f"{name:<22} {inside:>9.2f} {elapsed:>10.2f} {floor + predict_floor:>8.2f} {inside / floor:>12.2f} "
            f"{elapsed / (floor + predict_floor):>14.2f}  {count} forward + {count * copies} {kind}"
        )


def peak_rss(count: int, folder: Path) -> float:
    """Peak resident memory (MiB) of one explain process on ``count`` signals.

    Read from the child's own ``VmHWM``: ``ru_maxrss`` would carry over the parent's peak across fork+exec.
    """
    np.save(folder / f"rss{count}.npy", beats(count)[:, :, 0])
    code = (
        "import sys\n"
        "from signalscreen_cli.cli import run\n"
        f"sys.argv = ['signalscreen', 'explain', {str(SAMPLE_MODEL)!r}, {str(folder / f'rss{count}.npy')!r},"
        f" '-o', {str(folder / f'rss{count}')!r}, '-m', 'saliency', '--no-plots', '--quiet']\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1]) / 1024


def startup() -> None:
    plain = best_of(3, lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))
    helped = best_of(
        3, lambda: subprocess.run([sys.executable, "-m", "signalscreen_cli", "--help"], check=True, capture_output=True)
    )
    print(f"\nsignalscreen --help {helped:.3f} s, python -c pass {plain:.3f} s, ratio {helped / plain:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=10000)
    parser.add_argument("--rss-sizes", default="1000,100000")
    parser.add_argument("--skip-rss", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        pipeline_table(args.signals, Path(folder))
        if not args.skip_rss:
            sizes = [int(size) for size in args.rss_sizes.split(",")]
            rss = [peak_rss(size, Path(folder)) for size in sizes]
            print(
                "\npeak RSS: "
                + ", ".join(f"{s} signals {r:.0f} MiB" for s, r in zip(sizes, rss, strict=True))
                + f"; growth {rss[-1] / rss[0]:.2f}x"
            )
    startup()


if __name__ == "__main__":
    main()
