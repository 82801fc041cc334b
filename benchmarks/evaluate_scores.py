"""The scores of ``evaluate --truth/--robustness/--faithfulness`` beside their floors, measured in the same run.

Each score is timed on its own stage (``TruthChunk``, ``RobustnessChunk``, ``FaithfulnessChunk``) or its own
function, on maps computed once before timing. Its floor is the compiled model passes it cannot avoid, on the
same number of inputs, already built, at the same batch size:

* ground truth, sparseness, complexity: no model pass; the floor shown is one forward pass of the signals;
* max/average sensitivity and local Lipschitz (saliency): ``N`` gradient passes per signal;
* faithfulness correlation: ``S + 1`` forward passes per signal;
* ROAD: ``2 × R × (steps − 1)`` forward passes per signal (``R`` rankings: the maps and the random order);
* random-logit (saliency): one gradient pass per signal.

Ratio = score / floor; each is the best of ``--repeats`` runs, score and floor alternating.
"""

from __future__ import annotations

import numpy as np
from common import best_of

from signalscreen_cli.evaluation.complexity import complexity, sparseness
from signalscreen_cli.evaluation.faithfulness_correlation import faithfulness_correlation, output_drops, subset_masks
from signalscreen_cli.evaluation.maps import random_ranking, ranking
from signalscreen_cli.evaluation.random_logit import random_logit
from signalscreen_cli.evaluation.road import road_scores
from signalscreen_cli.evaluation.robustness_stage import RobustnessChunk
from signalscreen_cli.evaluation.truth_scores import truth_scores
from signalscreen_cli.evaluation.truth_stage import random_map
from signalscreen_cli.methods import get_method
from signalscreen_cli.methods.baselines import make_baseline
from signalscreen_cli.records import ChunkResult


def score_benchmarks(adapter, x: np.ndarray, targets: np.ndarray, maps: dict, steps: int, repeats: int) -> None:
    """Print one line per score: seconds, floor seconds, ratio, ms per signal."""
    n = len(x)
    saliency = get_method("saliency")()
    salient = {"saliency": maps["saliency"]} if "saliency" in maps else saliency.attribute(adapter, x, targets)
    truth = np.zeros(x.shape[:2])
    truth[:, 20:35] = 1  # the QRS of the sample beats (R peak at sample 25)
    samples, subsets = 10, 32
    base = make_baseline("mean", x)
    rankings = {name: ranking(values) for name, values in maps.items()}
    rankings["random"] = random_ranking(x, 0)
    def forward() -> object:
        return adapter.predict(x)

    def chunk() -> ChunkResult:
        return ChunkResult(np.arange(n), x, {**salient, "targets": targets}, {"saliency": "attribution"})

    def truth_work() -> object:
        return [truth_scores(values, truth) for values in [*maps.values(), random_map(x, 0)]]

    def concentration() -> object:
        return [(sparseness(values), complexity(values)) for values in maps.values()]

    noisy = np.repeat(x, samples, axis=0)
    masks = subset_masks(x, subsets, 0.1, 0)
    road_copies = 2 * len(rankings) * (steps - 1)
    cases = [
        (f"ground truth (6 scores, {len(maps) + 1} maps)", truth_work, forward, "1 forward (no pass needed)"),
        (f"sparseness + complexity ({len(maps)} maps)", concentration, forward, "1 forward (no pass needed)"),
        (
            f"sensitivities, saliency, N={samples}",
            lambda: RobustnessChunk(samples, 0.02, 0)(adapter, [saliency], chunk()),
            lambda: adapter.gradients(noisy, np.repeat(targets, samples)),
            f"{samples} gradient",
        ),
        (
            f"faithfulness correlation, S={subsets}",
            lambda: faithfulness_correlation(maps, masks, output_drops(adapter, x, base, targets, masks)),
            lambda: adapter.predict(np.repeat(x, subsets + 1, axis=0)),
            f"{subsets + 1} forward",
        ),
        (
            f"ROAD MoRF+LeRF, {len(rankings)} rankings",
            lambda: road_scores(adapter, x, targets, rankings, steps, 0.01, 0),
            lambda: adapter.predict(np.repeat(x, road_copies, axis=0)),
            f"{road_copies} forward",
        ),
        (
            "random-logit, saliency",
            lambda: random_logit(adapter, [saliency], x, targets, salient, 0, "none"),
            lambda: adapter.gradients(x, targets),
            "1 gradient",
        ),
    ]
    print(f"\n{'score':<40} {'s':>8} {'floor s':>8} {'ratio':>6} {'ms/signal':>10}  floor passes per signal")
    for label, work, floor_work, passes in cases:
        # score and floor alternate, so load from other jobs on the machine reaches both alike
        pairs = [(best_of(1, work), best_of(1, floor_work)) for _ in range(repeats)]
        elapsed, floor = min(pair[0] for pair in pairs), min(pair[1] for pair in pairs)
        ratio, per = elapsed / floor, 1000 * elapsed / n
        print(f"{label:<40} {elapsed:>8.3f} {floor:>8.3f} {ratio:>6.2f} {per:>10.3f}  {passes}")
