"""The evaluation's figures (matplotlib ``Figure`` objects, no pyplot).

``curves``: mean deletion and insertion curves of every map, the random order dashed.
``randomization``: mean correlation to the original maps after each cascading step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .curves import Curves
from .randomization import Randomization
from .report import RANDOM, REFERENCES


def curves_figure(curves: dict[str, Curves], output_label: str) -> Any:
    """Two panels, deletion and insertion: each map's mean curve, its mean area in the legend."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 4.2), layout="constrained")
    panels = figure.subplots(1, 2, sharey=True)
    for axes, kind, better in zip(panels, ("deletion", "insertion"), ("lower", "higher"), strict=True):
        for name, curve in curves.items():
            values, aucs = getattr(curve, kind), getattr(curve, f"{kind}_auc")
            reference = name in REFERENCES
            dashes = "--" if name == RANDOM else ":"
            style = {"color": "black", "linestyle": dashes, "linewidth": 1.5} if reference else {"linewidth": 1.8}
            label = f"{REFERENCES[name].removesuffix(' (reference)') if reference else name} (AUC {aucs.mean():.3f})"
            axes.plot(curve.fractions, values.mean(axis=0), label=label, **style)
        axes.set_title(f"{kind}: {better} area is better", fontsize=10)
        unit = "positions (bands, for band maps)" if any(name == "random bands" for name in curves) else "positions"
        axes.set_xlabel(f"fraction of {unit} {'removed' if kind == 'deletion' else 'restored'}")
        axes.set_xlim(0, 1)
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
    panels[0].set_ylabel(output_label)
    return figure


def randomization_figure(randomization: Randomization) -> Any:
    """Mean correlation (Pearson, like with like) of the maps to the original after each step, with the fail
    threshold."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4.2), layout="constrained")
    axes = figure.subplots()
    steps = np.arange(len(randomization.layers) + 1)
    for name in randomization.correlations:
        values = np.r_[1.0, randomization.mean(name)]
        verdict = "pass" if randomization.passed(name) else "FAIL"
        axes.plot(steps, values, marker="o", label=f"{name} ({verdict})")
    axes.axhline(randomization.threshold, color="black", linestyle=":", label=f"threshold {randomization.threshold}")
    axes.set_xticks(steps, ["original", *[f"+{layer}" for layer in randomization.layers]], rotation=30, ha="right")
    axes.set_xlabel("layers re-initialised, from the output down")
    axes.set_ylabel("mean Pearson r to the original map")
    axes.set_ylim(min(-0.1, axes.get_ylim()[0]), 1.05)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    return figure


def write_figures(
    folder: Path,
    curves: dict[str, Curves],
    randomization: Randomization | None,
    formats: tuple[str, ...],
    output_label: str,
) -> list[str]:
    """``curves.<ext>`` and, with a randomisation check, ``randomization.<ext>``; returns the file names."""
    figures = {"curves": curves_figure(curves, output_label)}
    if randomization is not None and randomization.correlations:
        figures["randomization"] = randomization_figure(randomization)
    written = []
    for stem, figure in figures.items():
        for extension in formats:
            figure.savefig(folder / f"{stem}.{extension}", dpi=110)
            written.append(f"{stem}.{extension}")
        figure.clear()
    return written
