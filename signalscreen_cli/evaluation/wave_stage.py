"""``evaluate --waves``: the wave label of every sample of every planned beat window, and the stage that turns
each chunk's maps into their share per wave (``waves``)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import UsageError
from ..methods.base import Adapter, Method
from ..records import ChunkResult
from .maps import StageKey, input_maps, with_scores
from .truth_masks import is_qrs, qrs_window
from .waves import WAVES, time_shares, wave_intervals, wave_shares, window_labels

WAVE = "wave:"


wave_key = StageKey(WAVE)


def planned_labels(spec: str, plan: Any) -> np.ndarray:
    """``(len(plan.rows), L)`` int8 wave labels of the planned beat windows, from ``spec``: an annotator of the
    records (``i`` in LUDB, ``q1c`` in the QT database) or ``qrs:±50ms``."""
    reading, length = plan.reading, plan.source_shape[1]
    if not reading.get("beats"):
        raise UsageError(
            f"--waves {spec} needs beat windows of WFDB/EDF records", "give a record with --beats, --before and --after"
        )
    if is_qrs(spec):
        start, stop = qrs_window(spec, reading, length)
        labels = np.full((len(plan.rows), length), WAVES.index("rest"), np.int8)
        labels[:, start:stop] = WAVES.index("QRS")
        return labels
    source = plan.data.open()
    intervals = {
        record.name: wave_intervals(*record.annotations(spec, source.rate)) for record in source.records
    }
    before = int(reading["before"])
    labels = np.empty((len(plan.rows), length), np.int8)
    for i, (name, peak) in enumerate(zip(plan.row_info["record"], plan.row_info["beat_sample"], strict=True)):
        labels[i] = window_labels(intervals[str(name)], int(peak) - before, length)
    return labels


def wave_stage(spec: str, plan: Any) -> WaveChunk:
    """The stage of ``--waves spec`` for ``plan`` (its rows sorted, for the look-up by row)."""
    labels = planned_labels(spec, plan)
    order = np.argsort(plan.rows, kind="stable")
    return WaveChunk(np.asarray(plan.rows)[order], labels[order])


@dataclass(frozen=True)
class WaveChunk:
    """Each input map's share of ``Σ|map|`` on P, QRS, T and the rest, and each wave's share of the time.

    Attributes
    ----------
    rows : numpy.ndarray
        The planned data-file rows, sorted.
    labels : numpy.ndarray
        Their wave labels ``(len(rows), L)`` (indices into ``waves.WAVES``).
    """

    rows: np.ndarray
    labels: np.ndarray

    def __call__(self, adapter: Adapter, methods: list[Method], chunk: ChunkResult) -> ChunkResult:
        started = time.perf_counter()
        labels = self.labels[np.searchsorted(self.rows, chunk.rows)]
        # a window without any annotated wave (a beat the wave annotator skipped) is left out, not all "rest"
        annotated = (labels != WAVES.index("rest")).any(axis=1)[:, None]
        times = np.where(annotated, time_shares(labels), np.nan)
        found = {f"{WAVE}time:{wave}": share for wave, share in zip(WAVES, times.T, strict=True)}
        for name, values in input_maps(chunk).items():
            shares = np.where(annotated, wave_shares(values, labels), np.nan)
            for wave, share in zip(WAVES, shares.T, strict=True):
                found[wave_key(wave, name)] = share
        return with_scores(chunk, found, "waves", started)
