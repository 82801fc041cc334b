"""A fresh ``signalscreen explain`` process beside the floor it cannot avoid.

Times (median of fresh processes, run interleaved so machine load hits each alike):

- ``cli``: ``signalscreen explain sample_models/ecg_cnn.keras sample_data/ecg_beats.csv --label-column -1
  -m saliency --no-plots -o TMP --overwrite``;
- ``floor``: ``python -c "import tensorflow, keras; keras.models.load_model(...)"``;
- ``by hand``: the floor plus the work written out by hand: read the CSV, one compiled call for the
  predictions and the logit gradients, ``|grad|`` max over channels, ``np.savez``.

Then where the CLI's extra time goes: one more fresh process timed phase by phase (TensorFlow and Keras,
the CLI's own imports, the command), and a ``python -X importtime`` breakdown of what the CLI imports beyond
the floor. TensorFlow is imported first in that run because the package hides fd 2 while it imports
TensorFlow (its C++ chatter), which would also hide the import-time report.

Every process may write and read compiled bytecode (``__pycache__``, written by one untimed run of each
command), as an installed package has it: where ``PYTHONDONTWRITEBYTECODE`` is set, the CLI alone would
compile its ~70 modules from source in every process (about 60 ms), since TensorFlow and Keras come with
their bytecode.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).parents[1]
MODEL = "sample_models/ecg_cnn.keras"
DATA = "sample_data/ecg_beats.csv"
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
ENV["TF_CPP_MIN_LOG_LEVEL"] = "3"

FLOOR = f"import tensorflow, keras; keras.models.load_model({MODEL!r})"

BY_HAND = f"""
import json, sys, time
started = time.perf_counter()
import numpy as np, tensorflow as tf, keras
imported = time.perf_counter()
model = keras.models.load_model({MODEL!r})
logits = keras.Model(model.inputs, model.get_layer("logits").output)
x = np.loadtxt({DATA!r}, delimiter=",", skiprows=1, dtype=np.float32)[:, :-1, None]

@tf.function(input_signature=[tf.TensorSpec((None, *x.shape[1:]), tf.float32)], autograph=False)
def saliency(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        z = logits(x, training=False)
        chosen = tf.reduce_sum(z * tf.one_hot(tf.argmax(z, axis=1), z.shape[-1]))
    return tf.nn.softmax(z), tf.reduce_max(tf.abs(tape.gradient(chosen, x)), axis=-1)

predictions, maps = saliency(x)
np.savez(sys.argv[1] + "/by_hand.npz", predictions=predictions.numpy(), saliency=maps.numpy())
if len(sys.argv) > 2:
    with open(sys.argv[2], "w") as file:
        json.dump([imported - started, 0.0, time.perf_counter() - imported], file)
"""

CLI_PHASES = """
import json, sys, time
report = sys.argv[1]
started = time.perf_counter()
import tensorflow, keras
imported = time.perf_counter()
from signalscreen_cli.cli import run
cli_imported = time.perf_counter()
sys.argv = ["signalscreen", *sys.argv[2:]]
try:
    run()
except SystemExit:
    pass
with open(report, "w") as file:
    json.dump([imported - started, cli_imported - imported, time.perf_counter() - cli_imported], file)
"""

PHASE_NAMES = ("tensorflow + keras import", "CLI imports (typer, package)", "load model + the work")

IMPORTTIME = """
import sys
import tensorflow, keras
from signalscreen_cli.cli import run
sys.argv = ["signalscreen", *sys.argv[1:]]
run()
"""

ROW = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def cli_arguments(out: str) -> list[str]:
    return ["explain", MODEL, DATA, "--label-column", "-1", "-m", "saliency", "--no-plots", "-o", out, "--overwrite"]


def cli_command(out: str) -> list[str]:
    script = Path(sys.executable).with_name("signalscreen")
    start = [str(script)] if script.exists() else [sys.executable, "-m", "signalscreen_cli"]
    return [*start, *cli_arguments(out)]


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one fresh process running ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=ENV, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def import_rows(command: list[str]) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, module) for every module ``command`` imports."""
    done = subprocess.run(command, cwd=ROOT, env=ENV, check=True, capture_output=True, text=True)
    return [(int(m[1]), int(m[2]), m[4]) for m in map(ROW.match, done.stderr.splitlines()) if m]


def importtime_report(out: str, top: int) -> None:
    python = [sys.executable, "-X", "importtime"]
    cli = import_rows([*python, "-c", IMPORTTIME, *cli_arguments(out)])
    floor = import_rows([*python, "-c", FLOOR])
    in_floor = {name for _, _, name in floor}
    beyond = [row for row in cli if row[2] not in in_floor]
    print(
        f"\nimport self-time: CLI {sum(r[0] for r in cli) / 1e3:.0f} ms ({len(cli)} modules), floor "
        f"{sum(r[0] for r in floor) / 1e3:.0f} ms ({len(floor)} modules); beyond the floor "
        f"{sum(r[0] for r in beyond) / 1e3:.0f} ms ({len(beyond)} modules)"
    )
    by_package: Counter[str] = Counter()
    modules: Counter[str] = Counter()
    for self_us, _, name in beyond:
        by_package[name.split(".")[0]] += self_us
        modules[name.split(".")[0]] += 1
    print(f"{'package beyond the floor':<28} {'self ms':>8} {'modules':>8}")
    for package, self_us in by_package.most_common(top):
        print(f"{package:<28} {self_us / 1e3:>8.1f} {modules[package]:>8}")
    print(f"{'largest imports beyond the floor':<52} {'cumulative ms':>13}")
    for _, cumulative, name in sorted(beyond, key=lambda r: -r[1])[:top]:
        print(f"{name:<52} {cumulative / 1e3:>13.1f}")
    heavy = ("matplotlib", "scipy", "h5py", "rich", "pandas", "PIL", "jinja2", "zarr", "dask", "wfdb", "edfio")
    floor_packages = {name.split(".")[0] for name in in_floor}
    cli_packages = {name.split(".")[0] for _, _, name in cli}
    print(
        "heavy packages the floor (TensorFlow + Keras) already imports: "
        + ", ".join(p for p in heavy if p in floor_packages)
    )
    print(
        "heavy packages only the CLI imports: "
        + (", ".join(p for p in heavy if p in cli_packages - floor_packages) or "none")
    )


def phases(tmp: str, out: str, repeats: int) -> None:
    """Median seconds of each phase, timed inside fresh CLI and by-hand processes (interleaved)."""
    report = Path(tmp) / "phases.json"
    commands = {
        "cli": [sys.executable, "-c", CLI_PHASES, str(report), *cli_arguments(out)],
        "by hand": [sys.executable, "-c", BY_HAND, tmp, str(report)],
    }
    seconds: dict[str, list[list[float]]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            subprocess.run(command, cwd=ROOT, env=ENV, check=True, capture_output=True)
            seconds[name].append(json.loads(report.read_text()))
    print(f"\ninside fresh processes, phase by phase (median of {repeats})")
    print(f"{'phase':<30} {'cli s':>7} {'by hand s':>10}")
    for index, phase in enumerate(PHASE_NAMES):
        cli, hand = (statistics.median(run[index] for run in seconds[name]) for name in commands)
        print(f"{phase:<30} {cli:>7.3f} {hand:>10.3f}")
    after_import = {name: statistics.median(run[1] + run[2] for run in seconds[name]) for name in commands}
    cli, hand = after_import["cli"], after_import["by hand"]
    print(f"after TensorFlow's import: cli {cli:.3f} s, by hand {hand:.3f} s ({cli / hand:.2f}×, +{cli - hand:.3f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "run")
        commands = {
            "cli": cli_command(out),
            "floor": [sys.executable, "-c", FLOOR],
            "by hand": [sys.executable, "-c", BY_HAND, tmp],
        }
        for command in commands.values():  # the first processes pay for a cold file cache and write bytecode
            timed(command)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.repeats):
            for name, command in commands.items():
                times[name].append(timed(command))
        median = {name: statistics.median(wall for wall, _ in values) for name, values in times.items()}
        print(f"fresh processes, {args.repeats} of each, interleaved (wall: median, min, all; CPU: median)")
        for name, values in times.items():
            walls = [wall for wall, _ in values]
            print(
                f"{name:<8} {median[name]:6.2f} s  min {min(walls):5.2f} s  ({', '.join(f'{t:.2f}' for t in walls)})"
                f"  CPU {statistics.median(cpu for _, cpu in values):5.2f} s"
            )
        print(
            f"cli / floor {median['cli'] / median['floor']:.2f} (+{median['cli'] - median['floor']:.2f} s); "
            f"cli / by hand {median['cli'] / median['by hand']:.2f} (+{median['cli'] - median['by hand']:.2f} s)"
        )
        phases(tmp, out, args.repeats)
        importtime_report(out, args.top)


if __name__ == "__main__":
    main()
