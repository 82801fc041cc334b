"""The comparison's figures: similarity per pair, the least similar signals, and class-mean maps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .request import CompareRequest
from .scores import PairScores


def similarity_figure(scores: list[PairScores]) -> Figure:
    """Distribution over signals of each pair's Pearson correlation (the gate's measure) and top-k overlap."""
    figure = Figure(figsize=(max(4.0, 1.4 * len(scores) + 2), 3.6), layout="constrained")
    axes = figure.subplots(1, 2, sharey=True)
    titles = {"pearson": "Pearson r per signal", "top_overlap": "top-k overlap per signal"}
    for ax, metric in zip(axes, titles, strict=True):
        ax.boxplot([getattr(pair, metric) for pair in scores], tick_labels=[pair.name for pair in scores])
        ax.axhline(0, color="0.7", linewidth=0.8)
        ax.set_title(titles[metric], fontsize=10)
        ax.tick_params(axis="x", labelrotation=30, labelsize=9)
    axes[0].set_ylabel("similarity, run A vs run B")
    axes[0].set_ylim(-1.05, 1.05)
    return figure


def positions(length: int, sampling_rate: float | None) -> tuple[np.ndarray, str]:
    """The x axis of a map: seconds where the runs have a sampling rate, samples otherwise."""
    if sampling_rate:
        return np.arange(length) / sampling_rate, "time (s)"
    return np.arange(length, dtype=float), "sample"


def least_similar_figure(
    pair: PairScores, rows: np.ndarray, count: int, sampling_rate: float | None = None
) -> Figure | None:
    """The ``count`` signals whose maps differ most, run A solid and run B dashed, each scaled to [-1, 1]."""
    if pair.profile_a is None or pair.profile_b is None or count == 0:
        return None
    order = np.argsort(pair.pearson, kind="stable")[:count]
    x, x_label = positions(pair.profile_a.shape[1], sampling_rate)
    figure = Figure(figsize=(8, 1.6 * len(order) + 0.6), layout="constrained")
    for ax, i in zip(np.atleast_1d(figure.subplots(len(order), 1, sharex=True)), order, strict=True):
        for profile, style, label in ((pair.profile_a, "-", "run A"), (pair.profile_b, "--", "run B")):
            scale = np.abs(profile[i]).max() or 1.0
            ax.plot(x, profile[i] / scale, style, linewidth=1.2, label=label)
        ax.set_title(f"row {int(rows[i])}: Pearson r {pair.pearson[i]:.2f} ({pair.compared})", fontsize=9)
        ax.set_ylabel("scaled", fontsize=9)
    ax.set_xlabel(x_label)
    figure.axes[0].legend(loc="upper right", fontsize=9)
    figure.suptitle(f"{pair.name}: least similar signals")
    return figure


def class_means_figure(
    pair: PairScores, classes: list[dict[str, Any]], sampling_rate: float | None = None
) -> Figure | None:
    """Each class's mean map in both runs."""
    shown = [entry for entry in classes if "mean_map_a" in entry]
    if not shown:
        return None
    figure = Figure(figsize=(8, 1.8 * len(shown) + 0.6), layout="constrained")
    x, x_label = positions(len(shown[0]["mean_map_a"]), sampling_rate)
    for ax, entry in zip(np.atleast_1d(figure.subplots(len(shown), 1, sharex=True)), shown, strict=True):
        ax.plot(x, entry["mean_map_a"], "-", linewidth=1.2, label="run A")
        ax.plot(x, entry["mean_map_b"], "--", linewidth=1.2, label="run B")
        ax.set_title(f"class {entry['class']} ({entry['signals']} signals)", fontsize=9)
        ax.set_ylabel("|attribution|" if pair.compared == "magnitude" else "attribution", fontsize=9)
    ax.set_xlabel(x_label)
    figure.axes[0].legend(loc="upper right", fontsize=9)
    figure.suptitle(f"{pair.name}: class-mean maps")
    return figure


def write_figures(
    folder: Path,
    scores: list[PairScores],
    classes: dict[str, list[dict[str, Any]]],
    rows: np.ndarray,
    request: CompareRequest,
    sampling_rate: float | None = None,
) -> None:
    """``similarity``, ``least_similar_<map>`` and ``class_means_<map>`` in each format."""
    from ..outputs.staging import safe_name

    figures = {"similarity": similarity_figure(scores)}
    for pair in scores:
        stem = safe_name(pair.name)
        figures[f"least_similar_{stem}"] = least_similar_figure(pair, rows, request.least, sampling_rate)
        figures[f"class_means_{stem}"] = class_means_figure(pair, classes.get(pair.name, []), sampling_rate)
    for stem, figure in figures.items():
        if figure is not None:
            for extension in request.formats:
                figure.savefig(folder / f"{stem}.{extension}", dpi=100)
