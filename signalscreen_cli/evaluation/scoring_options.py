"""How ``evaluate`` scores the maps: the curves, the randomisation check and the optional score families.

Each field is declared once (its flag, help and ``--help`` panel), so ``cli/options.py`` generates
``evaluate``'s scoring options from it as it does the methods'. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..params import Parameters, param

SCORING_PANEL = "Scoring"
DEFAULT_STEPS = 20
DEFAULT_THRESHOLD = 0.9


@dataclass(frozen=True)
class ScoringOptions(Parameters):
    """What ``evaluate`` scores (one ``EvaluateRequest`` field, ``scoring``); the checks of the values are the
    runner's (``runner.check_evaluate``, ``extra_scores.check_extra``), with their own messages.

    ``steps``: the curves remove (or restore) positions in ``steps`` equal fractions. ``baseline``: what a
    removed position becomes (``interp`` is refused), also occlusion's and integrated gradients' baseline when
    they run here. ``randomization_threshold``: a map whose mean rank correlation to the original stays above
    it once every layer is randomised fails the check. ``truth``: a ``.npy`` mask per row, or ``qrs:±MS``.
    ``waves``: the records' wave annotator or ``qrs:±MS``.
    """

    steps: int = param(
        DEFAULT_STEPS,
        "Deletion/insertion curves: remove or restore in this many steps.",
        panel=SCORING_PANEL, metavar="N",
    )
    baseline: str = param(
        "mean",
        "What a removed position becomes (and occlusion's / integrated gradients' baseline): mean, zero, "
        "dataset-mean, blur, noise, or a .npy.",
        panel=SCORING_PANEL, metavar="KIND|FILE.npy",
    )
    randomization: bool = param(
        True,
        "Run the model-parameter randomisation check.",
        panel=SCORING_PANEL,
    )
    randomization_threshold: float = param(
        DEFAULT_THRESHOLD,
        "Fail a method whose mean rank correlation stays above this, all layers random.",
        panel=SCORING_PANEL, metavar="X",
    )
    truth: Path | None = param(  # noqa: RUF009 (param is dataclasses.field with a declaration)
        None,
        "Also score the maps against a known answer: a .npy mask per signal, (n, L) or (n, L, C), bool or weights "
        "0..1, or qrs:±50ms around each beat's R peak (WFDB/EDF --beats) (mass and rank accuracy, pointing game, "
        "AUP/AUR/AUPRC).",
        panel=SCORING_PANEL, metavar="FILE.npy|qrs:±MS",
    )
    robustness: bool = param(
        False,
        "Also score sparseness (Gini), complexity (entropy), max/average sensitivity and the local Lipschitz "
        "estimate.",
        panel=SCORING_PANEL,
    )
    sensitivity_samples: int = param(
        10,
        "Sensitivities: noisy copies per signal (0: skip them).",
        panel=SCORING_PANEL, metavar="N",
    )
    sensitivity_radius: float = param(
        0.02,
        "Sensitivities: uniform noise half-width, as a fraction of each signal's range.",
        panel=SCORING_PANEL, metavar="X",
    )
    faithfulness: bool = param(
        False,
        "Also score faithfulness correlation, ROAD (noisy linear imputation; MoRF and LeRF) and the random-logit "
        "test.",
        panel=SCORING_PANEL,
    )
    faithfulness_subsets: int = param(
        32,
        "Faithfulness correlation: random subsets per signal.",
        panel=SCORING_PANEL, metavar="N",
    )
    faithfulness_fraction: float = param(
        0.1,
        "Faithfulness correlation: each subset's share of the positions.",
        panel=SCORING_PANEL, metavar="X",
    )
    road_noise: float = param(
        0.01,
        "ROAD: imputation noise, as a fraction of each signal's range.",
        panel=SCORING_PANEL, metavar="X",
    )
    waves: str | None = param(
        None,
        "Also give each map's share of |attribution| on P, QRS, T and the rest of each beat window (beside each "
        "wave's share of time): the records' wave annotator (i in LUDB, q1c in QT) or qrs:±50ms (WFDB/EDF "
        "--beats).",
        panel=SCORING_PANEL, metavar="ANNOTATOR|qrs:±MS",
    )
