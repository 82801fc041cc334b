"""The randomisation check's final correlation per method on the sample model, by its measure and the old one.

usage: python benchmarks/randomization_scores.py [--signals N]

The figures of the README's relevance table: the first N (64) sample beats, each method's maps on the trained
model against its maps once every layer with weights is re-drawn (``evaluation.randomization.cascade``, seed
0), averaged over signals. ``r`` is the check's measure (Pearson, like with like: ``map_correlation``); the
Spearman ρ of |maps| (``rank_correlation``) is the measure it used before, printed beside it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import ROOT, SAMPLE_MODEL

METHODS: list[tuple[str, str, dict]] = [
    ("lrp --lrp-composite epsilon_plus_flat", "lrp", {"lrp_composite": "epsilon_plus_flat"}),
    ("lrp --lrp-composite epsilon_gamma_box", "lrp", {"lrp_composite": "epsilon_gamma_box"}),
    ("lrp --lrp-composite epsilon_plus", "lrp", {"lrp_composite": "epsilon_plus"}),
    ("lrp (ε everywhere)", "lrp", {}),
    ("lrp --lrp-rule zero", "lrp", {"lrp_rule": "zero"}),
    ("lrp --lrp-rule zplus", "lrp", {"lrp_rule": "zplus"}),
    ("deeplift (mean baseline)", "deeplift", {"baselines": "mean"}),
    ("deeplift --deeplift-rule revealcancel (mean)", "deeplift",
     {"baselines": "mean", "deeplift_rule": "revealcancel"}),
    ("guided_backprop", "guided_backprop", {}),
    ("deconvnet", "deconvnet", {}),
    ("guided_gradcam", "guided_gradcam", {}),
    ("gradcam", "gradcam", {}),
    ("saliency", "saliency", {}),
    ("integrated_gradients", "integrated_gradients", {}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=64)
    args = parser.parse_args()
    import numpy as np

    from signalscreen_cli.evaluation.randomization import map_correlation, randomized_adapters, rank_correlation
    from signalscreen_cli.methods import get_method
    from signalscreen_cli.model.files import load_model
    from signalscreen_cli.pipeline.chunks import run_method

    adapter = load_model(SAMPLE_MODEL)
    x = np.load(ROOT / "sample_data" / "ecg_beats.npy")[: args.signals, :, None].astype(np.float32)
    targets = adapter.predict(x).argmax(axis=1).astype(np.int32)
    layers, adapters = randomized_adapters(adapter, 0)
    print(f"{args.signals} beats; every layer re-drawn ({', '.join(layers)}); mean over signals")
    print(f"  {'map':<46} {'r (check)':>10} {'old ρ':>8}")
    for label, name, values in METHODS:
        method = get_method(name)(dataset_mean=x.mean(axis=0), **values)
        original = run_method(method, adapter, x, targets)
        randomized = run_method(method, adapters[-1], x, targets)
        key = next(k for k in original if k == name or k.startswith(name))
        r = np.nan_to_num(map_correlation(original[key], randomized[key]), nan=0.0).mean()
        rho = np.nan_to_num(rank_correlation(original[key], randomized[key]), nan=0.0).mean()
        print(f"  {label:<46} {r:10.3f} {rho:8.3f}")


if __name__ == "__main__":
    main()
