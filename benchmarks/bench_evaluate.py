"""Deletion/insertion evaluation on the sample ECG model beside its floor, measured in the same run.

The floor is the compiled forward passes the curves cannot avoid: ``adapter.predict`` over the same number
of copies, already built, at the same batch size (per signal: f(x), f(baseline), and 2 × (steps − 1)
perturbed copies per ranking). The evaluation adds building the copies and reading the target's output.
Ratio = evaluation / floor. Maps are computed once, before timing.

    python benchmarks/bench_evaluate.py [--signals 256] [--steps 20] [--batch-size 512] [--repeats 2] [--scores]

``--scores`` then times the scores of ``--truth``, ``--robustness`` and ``--faithfulness`` (``evaluate_scores``).
"""

from __future__ import annotations

import argparse

import numpy as np
from common import SAMPLE_MODEL, beats, best_of

from signalscreen_cli.evaluation.curves import perturbation_curves
from signalscreen_cli.evaluation.maps import is_input_map, random_ranking, ranking
from signalscreen_cli.methods import get_method
from signalscreen_cli.methods.baselines import make_baseline
from signalscreen_cli.model.files import load_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=256)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--methods", default="saliency,gradcam,occlusion")
    parser.add_argument("--scores", action="store_true", help="also time the truth/robustness/faithfulness scores")
    args = parser.parse_args()
    adapter = load_model(SAMPLE_MODEL, batch_size=args.batch_size)
    x = beats(args.signals)
    targets = adapter.predict(x).argmax(axis=1).astype(np.int32)
    base = make_baseline("mean", x)
    methods = [get_method(name)() for name in args.methods.split(",")]
    maps = {
        name: values
        for method in methods
        for name, values in method.attribute(adapter, x, targets).items()
        if is_input_map(name, values, x, method.diagnostics)
    }
    rankings = {name: ranking(values) for name, values in maps.items()}
    rankings["random"] = random_ranking(x, 0)
    print(f"{args.signals} signals of length {x.shape[1]}, {args.steps} steps, batch size {args.batch_size}")
    print(f"{'rankings':<34} {'copies':>7} {'eval s':>8} {'floor s':>8} {'ratio':>6} {'ms/signal/ranking':>18}")
    cases = [[name] for name in rankings] + [list(rankings)]
    for names in cases:
        chosen = {name: rankings[name] for name in names}
        copies = np.repeat(x, 2 + 2 * len(names) * (args.steps - 1), axis=0)

        def evaluation(chosen: dict = chosen) -> object:
            return perturbation_curves(adapter, x, base, targets, chosen, args.steps)

        elapsed = best_of(args.repeats, evaluation)
        floor = best_of(args.repeats, lambda copies=copies: adapter.predict(copies))
        per = 1000 * elapsed / (len(x) * len(names))
        label = ",".join(names) if len(names) < 3 else f"all {len(names)} in one pass"
        print(f"{label:<34} {len(copies):>7} {elapsed:>8.3f} {floor:>8.3f} {elapsed / floor:>6.2f} {per:>18.3f}")
    if args.scores:
        from evaluate_scores import score_benchmarks

        score_benchmarks(adapter, x, targets, maps, args.steps, args.repeats)


if __name__ == "__main__":
    main()
