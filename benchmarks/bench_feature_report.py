"""What a multi-input run's other-input outputs cost: the report's bar charts and IG's mean baseline.

usage: python benchmarks/bench_feature_report.py [--beats N] [--repeats N]

One run of the README's ECG + age/sex model (saliency and integrated gradients, ``--no-plots``, summaries
kept), then, warm and in process:
- the report's context with its per-class bar charts of ``age_sex`` against the same report's context with
  them left out (the floor: the rest of the page, from the same folder);
- integrated gradients with ``context_baselines="mean"`` against ``"zero"`` (the floor), same beats and nodes.
Prints median seconds and each ratio to its floor.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from common import beats, median_seconds

IG = {"tolerance": float("inf"), "n_steps": 32}  # the same nodes for both baselines, no refinement


def model(length: int) -> object:
    import keras

    ecg = keras.Input((length, 1), name="ecg")
    age_sex = keras.Input((2,), name="age_sex")
    beat = keras.layers.GlobalAveragePooling1D()(keras.layers.Conv1D(8, 7, activation="relu", name="conv")(ecg))
    both = keras.layers.Concatenate()([beat, keras.layers.Dense(4, activation="relu")(age_sex)])
    return keras.Model([ecg, age_sex], keras.layers.Dense(2, activation="softmax", name="beat_class")(both))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--beats", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from typer.testing import CliRunner

    from signalscreen_cli import Explainer
    from signalscreen_cli.cli import app
    from signalscreen_cli.report import build, feature_sections

    x = beats(args.beats)
    meta = np.column_stack([np.linspace(30, 80, len(x)), np.arange(len(x)) % 2]).astype(np.float32)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        net = model(x.shape[1])
        net.save(work / "m.keras")
        np.save(work / "x.npy", x)
        np.save(work / "meta.npy", meta)
        made = CliRunner().invoke(app, [
            "explain", str(work / "m.keras"), str(work / "x.npy"), "--input", f"age_sex={work / 'meta.npy'}",
            "-m", "saliency,integrated_gradients", "--no-plots", "-q", "-o", str(work / "run"),
        ])  # fmt: skip
        assert made.exit_code == 0, made.output
        with_charts = median_seconds(args.repeats, lambda: build.report_context(work / "run", None))
        original = feature_sections.feature_sections
        feature_sections.feature_sections = lambda stored: {}  # the same page without the charts
        try:
            floor = median_seconds(args.repeats, lambda: build.report_context(work / "run", None))
        finally:
            feature_sections.feature_sections = original
    print(f"{len(x)} beats, ECG + age_sex model, median of {args.repeats} warm calls")
    print(f"{'what':<44} {'s':>7} {'floor s':>8} {'ratio':>6}")
    print(f"{'report context with the bar charts':<44} {with_charts:>7.3f} {floor:>8.3f} {with_charts / floor:>6.2f}")
    timed = {}
    for kind in ("zero", "mean"):
        explainer = Explainer(net, ["integrated_gradients"], context_baselines=kind, **IG)
        inputs = {"ecg": x, "age_sex": meta}
        explainer.explain(inputs)  # warm: compiled calls traced
        timed[kind] = median_seconds(args.repeats, lambda e=explainer, i=inputs: e.explain(i))
    mean, zero = timed["mean"], timed["zero"]
    print(f"{'integrated gradients, mean other-input base':<44} {mean:>7.3f} {zero:>8.3f} {mean / zero:>6.2f}")


if __name__ == "__main__":
    main()
