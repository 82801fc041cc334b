"""The frozen description of one ``evaluate`` run: an ``explain`` request for the maps, and how to score them.

Standard library only, so the CLI can build it before anything heavy is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..methods.baselines import BaselineParameters
from ..request import ExplainRequest

DEFAULT_STEPS = 20
DEFAULT_THRESHOLD = 0.9


@dataclass(frozen=True)
class EvaluateRequest:
    """Everything ``runner.evaluate`` needs; every field is recorded in ``evaluation.json``.

    Attributes
    ----------
    explain : ExplainRequest
        Model, data, output folder, methods and their options, target, reading options, batch size and
        safety, as for ``explain``. Its ``methods`` may be empty: ``methods.DEFAULT_METHODS``, or every method
        of ``from_dir``. Method options are ignored with ``from_dir`` (the explain run's are used).
    from_dir : pathlib.Path or None
        An ``explain`` output folder whose maps are evaluated instead of computing them.
    steps : int
        The curves remove (or restore) positions in ``steps`` equal fractions.
    baseline : str
        What a removed position becomes (``methods.baselines``; ``interp`` is refused). Also the baseline
        of occlusion and integrated gradients when they run here (not with ``from_dir``).
    randomization : bool
        Run the model-parameter randomisation check.
    randomization_threshold : float
        A map whose mean rank correlation to the original stays above this once every layer is
        randomised fails the check.
    nan_policy : str or None
        Non-finite values; ``None``: ``error``, or the explain run's with ``from_dir``.
    plots, formats
        Draw the figures, in these formats.
    fail_on : tuple of str
        Gates: ``sanity`` (every map passes the randomisation check), ``random`` (every map beats the random
        order on both curves), ``ig-gap=X`` (integrated gradients' mean completeness gap at most X).
    report : bool
        Also write ``report.html`` (with the ``--from`` run's class summaries when there is one).
    junit : pathlib.Path or None
        Also write the gates as JUnit XML here.
    truth : pathlib.Path or None
        A ``.npy`` mask per row of the data file, ``(n, L)`` or ``(n, L, C)``, bool or weights in [0, 1]:
        the maps are also scored against it (``evaluation.truth_scores``).
    robustness : bool
        Also score sparseness and complexity (``evaluation.complexity``) and, with ``sensitivity_samples > 0``,
        max/average sensitivity and the local Lipschitz estimate (``evaluation.sensitivity``).
    sensitivity_samples : int
        Noisy copies per signal for the sensitivities (each method runs once more per copy).
    sensitivity_radius : float
        Half-width of the uniform noise, as a fraction of each signal's range.
    faithfulness : bool
        Also score faithfulness correlation, ROAD (MoRF, LeRF) and the random-logit test
        (``evaluation.faithfulness_stage``).
    faithfulness_subsets, faithfulness_fraction : int, float
        Faithfulness correlation's random subsets per signal and each one's share of the positions.
    road_noise : float
        ROAD's imputation noise, as a fraction of each signal's range.
    waves : str or None
        Relevance per ECG wave of beat windows (``evaluation.waves``): the records' wave annotator (``i`` in
        LUDB, ``q1c`` in the QT database) or ``qrs:±50ms``.
    """

    explain: ExplainRequest
    from_dir: Path | None = None
    steps: int = DEFAULT_STEPS
    baseline: str = "mean"
    randomization: bool = True
    randomization_threshold: float = DEFAULT_THRESHOLD
    nan_policy: str | None = None
    plots: bool = True
    formats: tuple[str, ...] = ("png",)
    fail_on: tuple[str, ...] = ()
    junit: Path | None = None
    report: bool = False
    truth: Path | None = None
    robustness: bool = False
    sensitivity_samples: int = 10
    sensitivity_radius: float = 0.02
    faithfulness: bool = False
    faithfulness_subsets: int = 32
    faithfulness_fraction: float = 0.1
    road_noise: float = 0.01
    waves: str | None = None

    @property
    def curve_baseline(self) -> BaselineParameters:
        """The curves' baseline, with the seed and blur width the methods get."""
        options = self.explain.options
        shared = {name: options[name] for name in ("seed", "blur_sigma") if options.get(name) is not None}
        return BaselineParameters(baselines=self.baseline, **shared)

    @property
    def maps_request(self) -> ExplainRequest:
        """The ``explain`` request that computes the maps: ``--baseline`` for the methods too, raw maps."""
        from ..methods import DEFAULT_METHODS

        return replace(
            self.explain,
            methods=self.explain.methods or DEFAULT_METHODS,
            options={**self.explain.options, "baselines": self.baseline},
            nan_policy=self.nan_policy or "error",
            normalize="none",
            plots=False,
        )
