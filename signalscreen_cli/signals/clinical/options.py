"""What the user chose for clinical recordings (standard library only, so the CLI can build it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...errors import UsageError
from ...params import INPUT_PANEL, Parameters, param

CLINICAL_SUFFIXES = (".hea", ".edf", ".bdf")
DETRENDS = ("none", "median", "linear")
STANDARDIZE = ("none", "window")
BEAT_SYMBOLS = tuple("NLRBAaJSVrFejnE/fQ?")
"""WFDB's beat annotation codes (the other codes mark rhythm changes, noise and the like)."""


@dataclass(frozen=True)
class ClinicalOptions(Parameters):
    """How recordings become rows (each field declared once: its option, help and checks)."""

    channels: tuple[str, ...] = param(
        (), "WFDB/EDF: channels by name or index, e.g. MLII,V5 (default: all).", panel=INPUT_PANEL, metavar="NAMES"
    )
    resample: float | None = param(
        None, "WFDB/EDF: bring the signal to this rate before windowing.", panel=INPUT_PANEL, metavar="HZ"
    )
    beats: str | None = param(
        None,
        "WFDB/EDF: one row per beat, from an annotator (atr), EDF+ annotations, or detect.",
        panel=INPUT_PANEL,
        metavar="SOURCE",
    )
    beat_types: tuple[str, ...] = param(
        (),
        "With --beats: the annotation symbols kept, e.g. N,V,A (default: every beat).",
        panel=INPUT_PANEL,
        metavar="SYMBOLS",
    )
    before: str | None = param(
        None,
        "With --beats: window start before the beat, samples or seconds (0.25s).",
        panel=INPUT_PANEL,
        metavar="N|Xs",
    )
    after: str | None = param(
        None, "With --beats: window end after the beat, samples or seconds.", panel=INPUT_PANEL, metavar="N|Xs"
    )
    detrend: str = param("none", "WFDB/EDF windows: detrending.", panel=INPUT_PANEL, choices=DETRENDS)
    standardize: str = param(
        "none",
        "WFDB/EDF windows: none, or window (zero mean, unit std per channel).",
        panel=INPUT_PANEL,
        choices=STANDARDIZE,
    )

    def check(self) -> None:
        if self.resample is not None and self.resample <= 0:
            raise UsageError(f"--resample must be positive, not {self.resample}")
        if self.beats and (self.before is None or self.after is None):
            raise UsageError("--beats needs --before and --after (samples, or seconds like 0.25s)")
        if not self.beats and (self.before or self.after or self.beat_types):
            raise UsageError("--before, --after and --beat-types need --beats")
        for text in (self.before, self.after):
            if text is not None:
                duration(text, 1.0, "--before/--after")
        if self.beats and self.beats not in ("annotations", "detect") and not self.beats.replace("_", "").isalnum():
            # the annotator is the suffix of a file beside the record: a path would leave the record's folder
            raise UsageError(f"--beats {self.beats!r}: an annotator is a file suffix like atr, not a path")

    @property
    def used(self) -> bool:
        return self != ClinicalOptions()


def duration(text: str, rate: float, option: str) -> int:
    """``90`` samples or ``0.25s`` seconds as a whole number of samples at ``rate``."""
    try:
        samples = float(text[:-1]) * rate if text.endswith("s") else float(text)
    except ValueError:
        raise UsageError(f"{option}: cannot read {text!r}", "write samples (90) or seconds (0.25s)") from None
    if samples < 0 or (samples != round(samples) and not text.endswith("s")):
        raise UsageError(f"{option}: {text!r} is not a whole, non-negative number of samples")
    return round(samples)


def is_clinical(path: Path) -> bool:
    """A WFDB header, an EDF/BDF file, a ``RECORDS`` list, or a folder holding one."""
    return (
        path.suffix.lower() in CLINICAL_SUFFIXES
        or path.name == "RECORDS"
        or (path.is_dir() and (path / "RECORDS").is_file())
    )
