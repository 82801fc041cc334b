"""One recording: its channels, units and sampling rate; any sample range of it; its annotations.

WFDB records are read with ``wfdb`` a sample range at a time (a 24-hour Holter never sits in memory);
EDF/EDF+/BDF files with ``edfio`` (pure Python, lazily loaded signals). Both are in the ``clinical`` extra.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import SignalFileError, SignalScreenError, UsageError
from .edf_header import check_edf_size

EXTRA_HINT = 'install the extra: pip install "signalscreen[clinical]"'


@contextlib.contextmanager
def foreign(failure: str) -> Iterator[None]:
    """A call into ``wfdb`` or ``edfio`` on bytes from the user: whatever it raises, and any warning it gives
    about the data, becomes one ``SignalFileError`` (``failure``, then the cause); its deprecation notices
    are dropped. Every message the user sees is ours."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    except SignalScreenError:
        raise
    except Exception as exc:  # parsers of untrusted bytes raise any type: all are "this file is bad"
        raise SignalFileError(f"{failure} ({type(exc).__name__}: {str(exc)[:200]})") from exc
    about_data = [w for w in caught if not issubclass(w.category, (DeprecationWarning, FutureWarning))]
    if about_data:
        raise SignalFileError(f"{failure} ({str(about_data[0].message)[:200]})")


def _import(name: str) -> Any:
    try:
        return __import__(name)
    except ImportError:
        raise SignalFileError(f"reading clinical recordings needs the {name} package", EXTRA_HINT) from None


@dataclass
class Record:
    """A recording's layout and how to read it (``read`` and ``annotations`` by format)."""

    path: Path
    name: str
    rates: list[float]
    length: int
    channel_names: list[str]
    units: list[str]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def channels(self, chosen: tuple[str, ...]) -> list[int]:
        """Indices of ``chosen`` (names or indices; all when empty); an unknown one lists the channels."""
        if not chosen:
            return list(range(len(self.channel_names)))
        found = []
        for item in chosen:
            if item in self.channel_names:
                found.append(self.channel_names.index(item))
            elif item.lstrip("-").isdigit() and -len(self.channel_names) <= int(item) < len(self.channel_names):
                found.append(int(item) % len(self.channel_names))
            else:
                raise UsageError(
                    f"--channels: {self.path} has no channel {item!r}",
                    "its channels: " + ", ".join(self.channel_names),
                )
        return found

    def read(self, start: int, stop: int, channels: list[int]) -> np.ndarray:
        raise NotImplementedError

    def annotations(self, annotator: str, rate: float) -> tuple[np.ndarray, list[str]]:
        """Annotated positions in samples at ``rate``, and their symbols."""
        raise NotImplementedError


class WfdbRecord(Record):
    def read(self, start: int, stop: int, channels: list[int]) -> np.ndarray:
        wfdb = _import("wfdb")
        with foreign(f"{self.path}: cannot read samples {start}..{stop}"):
            record = wfdb.rdrecord(str(self.path.with_suffix("")), sampfrom=start, sampto=stop, channels=channels)
            return np.asarray(record.p_signal, np.float64)

    def annotations(self, annotator: str, rate: float) -> tuple[np.ndarray, list[str]]:
        wfdb = _import("wfdb")
        stem = self.path.with_suffix("")
        if not stem.with_suffix(f".{annotator}").is_file():
            raise SignalFileError(
                f"{self.path}: no annotation file {stem.name}.{annotator}", "name the annotator, e.g. atr"
            )
        with foreign(f"{stem}.{annotator}: cannot read annotations"):
            annotation = wfdb.rdann(str(stem), annotator)
            samples = np.asarray(annotation.sample, np.float64)
            return np.round(samples * rate / self.rates[0]).astype(np.int64), [str(s) for s in annotation.symbol]


class EdfRecord(Record):
    def _signals(self) -> list[Any]:
        if "edf" not in self._cache:
            edfio = _import("edfio")
            reader = edfio.read_bdf if self.path.suffix.lower() == ".bdf" else edfio.read_edf
            with foreign(f"{self.path}: not a readable EDF/BDF file"):
                self._cache["edf"] = reader(self.path)
        return list(self._cache["edf"].signals)

    def read(self, start: int, stop: int, channels: list[int]) -> np.ndarray:
        signals = self._signals()
        with foreign(f"{self.path}: cannot read samples {start}..{stop}"):
            return np.stack([np.asarray(signals[k].data[start:stop], np.float64) for k in channels], axis=1)

    def annotations(self, annotator: str, rate: float) -> tuple[np.ndarray, list[str]]:
        self._signals()
        with foreign(f"{self.path}: cannot read its EDF+ annotations"):
            notes = list(self._cache["edf"].annotations)
            return np.asarray([round(note.onset * rate) for note in notes], np.int64), [note.text for note in notes]


def open_record(path: Path) -> Record:
    """A ``.hea`` WFDB header or an ``.edf``/``.bdf`` file; a missing or short data file is found here."""
    if not path.is_file():
        raise SignalFileError(f"{path}: no such file")
    if path.suffix.lower() == ".hea":
        wfdb = _import("wfdb")
        with foreign(f"{path}: not a readable WFDB header"):
            header = wfdb.rdheader(str(path.with_suffix("")))
        if not header.sig_len:
            raise SignalFileError(f"{path}: the header gives no signal length")
        if not header.n_sig or not header.sig_name or not header.fs or header.fs <= 0:
            raise SignalFileError(f"{path}: the header describes no signal (a signal line and a positive rate)")
        record = WfdbRecord(
            path,
            path.stem,
            [float(header.fs)] * header.n_sig,
            int(header.sig_len),
            list(header.sig_name),
            list(header.units),
        )
        record.read(record.length - 1, record.length, list(range(header.n_sig)))  # a missing or short .dat fails now
        return record
    edfio = _import("edfio")
    check_edf_size(path)
    with foreign(f"{path}: not a readable EDF/BDF file"):
        edf = (edfio.read_bdf if path.suffix.lower() == ".bdf" else edfio.read_edf)(path)
        signals = list(edf.signals)
        rates = [float(signal.sampling_frequency) for signal in signals]
        labels, units = [s.label for s in signals], [s.physical_dimension for s in signals]
    if not signals:
        raise SignalFileError(f"{path}: holds no signal")
    with foreign(f"{path}: not a readable EDF/BDF file"):
        length = min(len(signal.data) for signal in signals)  # of the slowest channel; rows check the chosen ones
    record = EdfRecord(path, path.stem, rates, length, labels, units)
    record._cache["edf"] = edf
    return record


def record_paths(path: Path) -> list[Path]:
    """The headers a ``RECORDS`` file (or a folder holding one) lists, one per line, relative to it."""
    listing = path / "RECORDS" if path.is_dir() else path
    names = [line.strip() for line in listing.read_text().splitlines() if line.strip()]
    if not names:
        raise SignalFileError(f"{listing}: lists no record")
    for name in names:
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or parts[0][1:2] == ":":
            raise SignalFileError(
                f"{listing}: record {name!r} lies outside the folder that lists it",
                "a RECORDS file names records by paths inside its own folder",
            )
    return [listing.parent / f"{name}.hea" for name in names]
