"""Relevance per wave as rows per map and class: each wave's mean share of ``Σ|map|`` beside its mean share of
the time; the JSON section, ``waves.csv``, the lines of ``summary.md`` and the terminal table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .score_tables import mean_defined, rows_markdown, rows_table, write_rows_csv
from .wave_stage import WAVE, wave_key
from .waves import WAVES

SHARES = {wave: f"{wave} share" for wave in WAVES}
TIMES = {f"{wave}_time": f"{wave} time" for wave in WAVES}
HEADINGS = {**SHARES, **TIMES}
COLUMNS = ("map", "method", "class", "signals", *HEADINGS)
RULE = (
    "share of sum |map| (summed over channels) on each wave's samples, per signal, then the mean over the signals "
    "of a class; beside it the mean share of the window's samples the wave takes"
)


def wave_rows(arrays: dict[str, np.ndarray], method_of: dict[str, str], class_names: list[str]) -> list[dict]:
    """Per map: a row over all signals, then one per target class."""
    targets = np.asarray(arrays["targets"])
    groups = [("all", np.ones(len(targets), bool))] + [(class_names[int(t)], targets == t) for t in np.unique(targets)]
    prefix = wave_key(WAVES[0], "")
    rows = []
    for name in [key.removeprefix(prefix) for key in arrays if key.startswith(prefix)]:
        for label, where in groups:
            row: dict[str, Any] = {"map": name, "method": method_of.get(name, name), "class": label}
            row["signals"] = int(np.isfinite(arrays[wave_key("rest", name)][where]).sum())
            row.update({wave: mean_defined(arrays[wave_key(wave, name)][where]) for wave in WAVES})
            row.update({f"{wave}_time": mean_defined(arrays[f"{WAVE}time:{wave}"][where]) for wave in WAVES})
            rows.append(row)
    return rows


def wave_section(arrays: dict[str, np.ndarray], rows: list[dict[str, Any]], spec: str) -> dict[str, Any]:
    names = sorted({row["map"] for row in rows}, key=[row["map"] for row in rows].index)
    return {
        "waves": spec,
        "rule": RULE,
        "rows": rows,
        "per_signal": {name: {wave: arrays[wave_key(wave, name)].tolist() for wave in WAVES} for name in names},
        "time": {wave: arrays[f"{WAVE}time:{wave}"].tolist() for wave in WAVES},
    }


def write_wave_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    write_rows_csv(path, rows, COLUMNS)


def wave_markdown(rows: list[dict[str, Any]]) -> str:
    return rows_markdown(rows, ("map", "class", "signals"), HEADINGS)


def wave_table(rows: list[dict[str, Any]], title: str) -> Any:
    higher: dict[str, bool | None] = dict.fromkeys(HEADINGS)  # a share is not better for being larger
    caption = "share of Σ|map| on each wave, beside the share of time the wave takes"
    return rows_table(rows, ("map", "class", "signals"), HEADINGS, higher, title, caption)
