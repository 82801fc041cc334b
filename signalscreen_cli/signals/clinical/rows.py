"""Recordings as the rows the pipeline explains: one row per beat (``--beats``) or one per record.

Rows are made on demand: a beat's window is read from the record when asked for (or cut from the record
resampled once, with ``--resample``), then detrended and standardised as chosen.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import SignalFileError, UsageError
from .options import BEAT_SYMBOLS, ClinicalOptions, duration
from .records import Record, open_record, record_paths


class ClinicalRows:
    """A row source over recordings: ``shape`` ``(n, L, C)`` and ``rows[index]``; ``row_arrays`` labels each
    row (record, beat sample and symbol) and ``describe`` is the manifest's account of the reading."""

    def __init__(self, records: list[Record], options: ClinicalOptions, stated_rate: float | None = None) -> None:
        self.records = records
        self.options = options
        self.chosen = [record.channels(options.channels) for record in records]
        first = records[0]
        rates = {first.rates[k] for k in self.chosen[0]}
        if len(rates) > 1 and options.resample is None:
            shown = ", ".join(f"{rate:g}" for rate in sorted(rates))
            raise SignalFileError(
                f"{first.path}: the chosen channels have different rates ({shown} Hz)",
                "choose channels of one rate with --channels, or bring them to one with --resample HZ",
            )
        self.source_rate = max(rates)
        self.rate = float(options.resample or self.source_rate)
        if stated_rate is not None and abs(stated_rate - self.rate) > 1e-9:
            raise UsageError(
                f"--sampling-rate {stated_rate:g} differs from {first.path}'s {self.rate:g} Hz"
                + (" after --resample" if options.resample else ""),
                "drop --sampling-rate (the header gives it), or pass --resample",
            )
        self.channel_names = [first.channel_names[k] for k in self.chosen[0]]
        self.units = [first.units[k] for k in self.chosen[0]]
        self.skipped = 0
        self._whole: tuple[int, np.ndarray] | None = None
        if options.beats:
            self._find_beats()
            self.shape: tuple[int, ...] = (len(self.beat_record), self.before + self.after, len(self.channel_names))
        else:
            lengths = {self._length(i) for i in range(len(records))}
            if len(lengths) > 1:
                raise SignalFileError(
                    f"{first.path.parent}: the records have different lengths ({min(lengths)}..{max(lengths)} samples)",
                    "cut them with --beats, or explain one record at a time",
                )
            self.shape = (len(records), lengths.pop(), len(self.channel_names))

    # ---- rows ----
    def __getitem__(self, index: Any) -> np.ndarray:
        rows = np.atleast_1d(np.arange(self.shape[0])[index])
        windows = [self._beat(int(row)) if self.options.beats else self._signal(int(row)) for row in rows]
        return np.stack([self._transform(window) for window in windows]).astype(np.float32)

    def row_arrays(self) -> dict[str, np.ndarray]:
        """Per row of the file: its record, and with ``--beats`` the beat's sample and symbol."""
        if not self.options.beats:
            return {"record": np.asarray([record.name for record in self.records])}
        names = np.asarray([record.name for record in self.records])
        return {
            "record": names[self.beat_record],
            "beat_sample": self.beat_sample,
            "beat_symbol": np.asarray(self.beat_symbol),
        }

    def describe(self) -> dict[str, Any]:
        options = self.options
        described: dict[str, Any] = {
            "records": [str(record.path) for record in self.records],
            "channels": self.channel_names,
            "units": self.units,
            "sampling_rate": self.rate,
            "source_sampling_rate": self.source_rate,
            "resampled": options.resample is not None,
            "detrend": options.detrend,
            "standardize": options.standardize,
        }
        if options.beats:
            described.update(
                beats=options.beats,
                beat_types=list(options.beat_types) or "every beat symbol",
                before=self.before,
                after=self.after,
                beats_found=int(self.shape[0]),
                skipped_at_edges=self.skipped,
            )
        return described

    # ---- internals ----
    def _length(self, i: int) -> int:
        return len(self._signal(i)) if self.options.resample else self.records[i].length

    def _signal(self, i: int) -> np.ndarray:
        """Record ``i``'s chosen channels, whole, at the target rate (the last one kept)."""
        if self._whole is not None and self._whole[0] == i:
            return self._whole[1]
        record, channels = self.records[i], self.chosen[i]
        if self.options.resample is None:
            signal = record.read(0, record.length, channels)
        else:
            from scipy.signal import resample_poly

            parts = []
            for k in channels:
                step = Fraction(self.rate / record.rates[k]).limit_denominator(1000)
                raw = record.read(0, int(record.length * record.rates[k] / min(record.rates)), [k])[:, 0]
                parts.append(resample_poly(raw, step.numerator, step.denominator))
            signal = np.stack([part[: min(len(p) for p in parts)] for part in parts], axis=1)
        self._whole = (i, signal)
        return signal

    def _beat(self, row: int) -> np.ndarray:
        i, centre = int(self.beat_record[row]), int(self.beat_sample[row])
        start, stop = centre - self.before, centre + self.after
        if self.options.resample is None:
            return self.records[i].read(start, stop, self.chosen[i])
        return self._signal(i)[start:stop]

    def _transform(self, window: np.ndarray) -> np.ndarray:
        if self.options.detrend == "median":
            window = window - np.median(window, axis=0, keepdims=True)
        elif self.options.detrend == "linear":
            from scipy.signal import detrend

            window = detrend(window, axis=0, type="linear")
        if self.options.standardize == "window":
            spread = window.std(axis=0, keepdims=True)
            window = np.divide(
                window - window.mean(axis=0, keepdims=True), spread, out=np.zeros_like(window), where=spread > 0
            )
        return window

    def _find_beats(self) -> None:
        options = self.options
        self.before = duration(options.before or "0", self.rate, "--before")
        self.after = duration(options.after or "0", self.rate, "--after")
        if self.before + self.after < 1:
            raise UsageError("--before plus --after must be at least one sample")
        wanted = set(options.beat_types) or set(BEAT_SYMBOLS)
        record_of, samples, symbols = [], [], []
        for i, record in enumerate(self.records):
            if options.beats == "detect":
                positions, marks = self._detect(i), None
            else:
                positions, marks = record.annotations(options.beats, self.rate)
            length = self._length(i)
            for j, position in enumerate(positions):
                symbol = "?" if marks is None else marks[j]
                if marks is not None and symbol not in wanted:
                    continue
                centre = int(position)
                if centre - self.before < 0 or centre + self.after > length:
                    self.skipped += 1
                    continue
                record_of.append(i)
                samples.append(centre)
                symbols.append(symbol)
        if not samples:
            raise SignalFileError(
                f"{self.records[0].path}: no beat to explain ({self.skipped} too close to an edge)",
                "check --beats, --beat-types, --before and --after",
            )
        self.beat_record = np.asarray(record_of, np.int64)
        self.beat_sample = np.asarray(samples, np.int64)
        self.beat_symbol = symbols

    def _detect(self, i: int) -> np.ndarray:
        """R peaks of the first chosen channel (wfdb's XQRS), in samples at the target rate."""
        from .records import _import

        _import("wfdb")
        from wfdb import processing

        record = self.records[i]
        rate = record.rates[self.chosen[i][0]]
        signal = record.read(0, record.length, self.chosen[i][:1])[:, 0]
        peaks = np.asarray(processing.xqrs_detect(signal, fs=rate, verbose=False))
        return np.round(peaks * self.rate / rate).astype(np.int64)


def open_clinical(path: Path, options: ClinicalOptions, stated_rate: float | None = None) -> ClinicalRows:
    """One record (``.hea``, ``.edf``, ``.bdf``) or the records a ``RECORDS`` file or folder lists;
    ``stated_rate`` (``--sampling-rate``) must match the rate the rows come at."""
    if path.suffix.lower() in (".hea", ".edf", ".bdf"):
        return ClinicalRows([open_record(path)], options, stated_rate)
    if not path.exists():
        raise SignalFileError(f"{path}: no such file")
    return ClinicalRows([open_record(header) for header in record_paths(path)], options, stated_rate)
