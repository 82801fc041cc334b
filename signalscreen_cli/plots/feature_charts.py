"""Bar charts of a multi-input model's other inputs (``METHOD.INPUT`` arrays, kind ``feature``).

Two figures: :func:`feature_figure`, every explained class side by side (``plots/features_*.png``, drawn by
``sinks/feature_bars.py``), and :func:`class_feature_figure`, one class's mean per feature with the 10–90 %
range of its signals, a panel per method (the report's per-class section). Both name each feature (the CSV
header's column names where the manifest has them, else ``INPUT[j]``) and say what the value means in the
words of ``plots/labels.py`` with the input's name in place of the signal's ``x``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .labels import map_meaning
from .scale import power_of_ten, scaled_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CLASS_COLOURS = ("#1f4e99", "#b2182b", "#1b7837", "#5e3c99", "#8c510a", "#404040")
"""A colour per class, each at least 3:1 against white (WCAG 2.1 non-text contrast); repeated past six."""
POSITIVE, NEGATIVE, MAGNITUDE = "#b2182b", "#1f4e99", "#404040"
"""Bars above and below zero (the signed maps' red and blue), and a non-negative map's: each ≥ 3:1 on white."""
TEXT_POINTS = 9
MOST_FEATURES = 64
"""Inputs with more values a row are another signal (ECG beside PPG), not features: no bar chart."""


def feature_names(manifest: dict[str, Any], input_name: str, count: int) -> list[str]:
    """The names of ``input_name``'s ``count`` values: the manifest's (a CSV header's), else ``INPUT[j]``."""
    others = ((manifest.get("model") or {}).get("inputs") or {}).get("others") or {}
    named = (others.get(input_name) or {}).get("features")
    if named and len(named) == count:
        return [str(name) for name in named]
    return [f"{input_name}[{j}]" for j in range(count)]


def feature_meaning(
    method: str | None, parameters: dict[str, Any], target: str, activation: str | None, input_name: str
) -> str:
    """What a ``METHOD.INPUT`` value means: the method's words for the signal, the input named for ``x``
    ("|∂ logit N / ∂ age_sex|", "contribution to logit N (IG)")."""
    words = map_meaning(method, parameters, target, activation)
    return words.replace("∂x", f"∂ {input_name}").replace("x · ", f"{input_name} · ")


def feature_figure(
    name: str,
    sums: dict[int, np.ndarray],
    counts: dict[int, int],
    class_names: list[str],
    names: list[str] | None = None,
    meaning: str | None = None,
) -> Figure:
    """Grouped bars: for each feature of the input (``names``, else ``INPUT[j]``), the mean of ``name`` over
    each class's signals; ``meaning`` says what a value is (the y axis)."""
    from matplotlib.figure import Figure

    method, _, input_name = name.partition(".")
    classes = sorted(sums)
    n_features = len(next(iter(sums.values())))
    figure = Figure(figsize=(max(4.5, 1.2 * n_features * max(1, len(classes)) ** 0.5 + 2), 3.4), layout="constrained")
    axes = figure.add_subplot()
    width = 0.8 / len(classes)
    positions = np.arange(n_features)
    means = {k: sums[k] / max(counts[k], 1) for k in classes}
    exponent = power_of_ten(np.concatenate(list(means.values())))
    for slot, k in enumerate(classes):
        label = class_names[k] if k < len(class_names) else str(k)
        axes.bar(
            positions + (slot - (len(classes) - 1) / 2) * width,
            means[k] / 10.0**exponent,
            width,
            color=CLASS_COLOURS[slot % len(CLASS_COLOURS)],
            label=f"class {label} (n = {counts[k]})",
        )
    axes.axhline(0, color="#404040", linewidth=0.8)
    axes.set_xticks(positions, names or [f"{input_name}[{j}]" for j in range(n_features)], fontsize=TEXT_POINTS)
    axes.tick_params(axis="y", labelsize=TEXT_POINTS)
    axes.set_xlabel(f"feature of input {input_name}", fontsize=TEXT_POINTS + 1)
    words = f"mean {meaning}" if meaning else f"mean {method} attribution"
    axes.set_ylabel(scaled_label(words, exponent), fontsize=TEXT_POINTS + 1)
    axes.yaxis.get_major_formatter().set_useOffset(False)  # the scale is in the label, not in the corner
    axes.set_title(f"{method} of input {input_name}\nmean per feature, by class explained", fontsize=TEXT_POINTS + 1)
    axes.legend(fontsize=TEXT_POINTS, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))  # off the bars
    return figure


def class_feature_figure(
    panels: list[dict[str, Any]], names: list[str], width: float, title: str
) -> Figure:
    """One class's bar chart of one input: a panel per method (``panels``: ``method``, ``meaning``, ``mean``,
    ``low``, ``high``), a horizontal bar per feature (its class mean) with a line over the 10–90 % range of
    the class's signals; ``width`` inches wide, 9 pt text at that size."""
    from matplotlib.figure import Figure

    rows = len(names)
    heights = [0.28 * rows + 0.75 for _ in panels]
    figure = Figure(figsize=(width, sum(heights) + 0.35), layout="constrained")
    figure.suptitle(title, fontsize=TEXT_POINTS, x=0.01, ha="left")
    axes = np.atleast_1d(figure.subplots(len(panels), 1, gridspec_kw={"height_ratios": heights}))
    positions = np.arange(rows)[::-1]  # the first feature on top, as a reader reads a list
    for ax, panel in zip(axes, panels, strict=True):
        exponent = power_of_ten(np.concatenate([panel[key] for key in ("mean", "low", "high")]))
        mean, low, high = (np.asarray(panel[key], float) / 10.0**exponent for key in ("mean", "low", "high"))
        signed = bool((low < 0).any())
        colours = [MAGNITUDE if not signed else POSITIVE if value >= 0 else NEGATIVE for value in mean]
        ax.barh(positions, mean, height=0.6, color=colours)
        ax.hlines(positions, low, high, color="0.1", linewidth=1.2)  # where the class's signals lie
        ax.axvline(0, color="#404040", linewidth=0.8)
        ax.set_yticks(positions, names, fontsize=TEXT_POINTS)
        ax.tick_params(axis="x", labelsize=TEXT_POINTS)
        ax.set_ylim(-0.6, rows - 0.4)
        ax.set_title(panel["method"], fontsize=TEXT_POINTS, loc="left")
        ax.set_xlabel(scaled_label(panel["meaning"], exponent), fontsize=TEXT_POINTS)
        ax.xaxis.get_major_formatter().set_useOffset(False)  # the scale is in the label, not in the corner
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
    return figure
