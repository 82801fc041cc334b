"""The frozen description of one ``compare`` run (standard library only)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CompareRequest:
    """Everything ``runner.compare`` needs; every field is recorded in ``comparison.json``.

    Attributes
    ----------
    run_a, run_b : pathlib.Path
        Two ``explain`` output folders made from the same data file and rows.
    out_dir : pathlib.Path
        Output folder.
    pairs : tuple of (str, str)
        Maps to compare, run A's name then run B's; empty: every map the runs share by name.
    top : float
        Percentage of positions whose overlap is measured (the highest values of each map).
    least : int
        How many of the least similar signals to draw per pair.
    fail_below : float or None
        Gate: the median Pearson correlation (like with like) of every pair must reach this.
    fail_on_flips : int or None
        Gate: at most this many signals may change their predicted class.
    junit : pathlib.Path or None
        Also write the gates as JUnit XML here.
    plots, formats, overwrite
        Draw the figures, in these formats; replace an earlier result.
    """

    run_a: Path
    run_b: Path
    out_dir: Path
    pairs: tuple[tuple[str, str], ...] = ()
    top: float = 10.0
    least: int = 4
    fail_below: float | None = None
    fail_on_flips: int | None = None
    junit: Path | None = None
    plots: bool = True
    formats: tuple[str, ...] = ("png",)
    overwrite: bool = False
