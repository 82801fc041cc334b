"""The frozen description of one ``evaluate`` run: an ``explain`` request for the maps, and how to score them.

Standard library only, so the CLI can build it before anything heavy is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

from ..methods.baselines import BaselineParameters
from ..nested import NestedRequest
from ..request import ExplainRequest
from .scoring_options import DEFAULT_STEPS, DEFAULT_THRESHOLD, ScoringOptions

__all__ = ["DEFAULT_STEPS", "DEFAULT_THRESHOLD", "EvaluateRequest", "ScoringOptions"]


@dataclass(frozen=True, init=False)
class EvaluateRequest(NestedRequest):
    """Everything ``runner.evaluate`` needs; every field is recorded in ``evaluation.json`` (by its flat name).

    The scoring fields live in ``scoring`` (:class:`ScoringOptions`); the old flat spellings
    (``EvaluateRequest(explain, steps=4, truth=…)``, ``request.steps``) reach it (``nested.py``).

    Attributes
    ----------
    explain : ExplainRequest
        Model, data, output folder, methods and their options, target, reading options, batch size and
        safety, as for ``explain``. Its ``methods`` may be empty: ``methods.DEFAULT_METHODS``, or every method
        of ``from_dir``. Method options are ignored with ``from_dir`` (the explain run's are used).
    scoring : ScoringOptions
        The curves' steps and baseline, the randomisation check and its threshold, and the optional scores:
        ``truth``, ``robustness`` (with ``sensitivity_samples``/``sensitivity_radius``), ``faithfulness``
        (with ``faithfulness_subsets``/``faithfulness_fraction``/``road_noise``) and ``waves``.
    from_dir : pathlib.Path or None
        An ``explain`` output folder whose maps are evaluated instead of computing them.
    nan_policy : str or None
        Non-finite values; ``None``: ``error``, or the explain run's with ``from_dir``.
    plots, formats
        Draw the figures, in these formats.
    fail_on : tuple of str
        Gates: ``sanity`` (every map passes the randomisation check), ``random`` (every map beats the random
        order on both curves), ``ig-gap=X`` (integrated gradients' mean completeness gap at most X), and those
        of the optional scores.
    report : bool
        Also write ``report.html`` (with the ``--from`` run's class summaries when there is one).
    junit : pathlib.Path or None
        Also write the gates as JUnit XML here.
    """

    SPECS: ClassVar[dict[str, type]] = {"scoring": ScoringOptions}
    POSITIONAL: ClassVar[tuple[str, ...]] = ("explain",)

    explain: ExplainRequest
    scoring: ScoringOptions = field(default_factory=ScoringOptions)
    from_dir: Path | None = None
    nan_policy: str | None = None
    plots: bool = True
    formats: tuple[str, ...] = ("png",)
    fail_on: tuple[str, ...] = ()
    junit: Path | None = None
    report: bool = False

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
