"""What the user chose for clinical recordings (standard library only, so the CLI can build it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

CLINICAL_SUFFIXES = (".hea", ".edf", ".bdf")
DETRENDS = ("none", "median", "linear")
STANDARDIZE = ("none", "window")
BEAT_SYMBOLS = tuple("NLRBAaJSVrFejnE/fQ?")
"""WFDB's beat annotation codes (the other codes mark rhythm changes, noise and the like)."""


@dataclass(frozen=True)
class ClinicalOptions:
    """How recordings become rows.

    Attributes
    ----------
    channels : tuple of str
        Channels by name or index (default: all).
    resample : float or None
        Bring every chosen channel to this rate (Hz) before windowing.
    beats : str or None
        One row per beat: a WFDB annotator (``atr``), ``annotations`` for EDF+ annotations, or ``detect``.
    beat_types : tuple of str
        Annotation symbols kept (default: every beat symbol).
    before, after : str or None
        The window around each beat: samples (``90``) or seconds (``0.25s``).
    detrend : str
        ``none``, ``median`` (subtract each window's median) or ``linear`` (remove its least-squares line).
    standardize : str
        ``none`` or ``window`` (each window and channel to zero mean and unit standard deviation).
    sampling_rate : float or None
        The rate the user stated; it must match the header's (after ``resample``).
    """

    channels: tuple[str, ...] = ()
    resample: float | None = None
    beats: str | None = None
    beat_types: tuple[str, ...] = ()
    before: str | None = None
    after: str | None = None
    detrend: str = "none"
    standardize: str = "none"
    sampling_rate: float | None = None

    def check(self) -> None:
        if self.detrend not in DETRENDS:
            raise UsageError(f"--detrend must be one of {', '.join(DETRENDS)}, not {self.detrend!r}")
        if self.standardize not in STANDARDIZE:
            raise UsageError(f"--standardize must be one of {', '.join(STANDARDIZE)}, not {self.standardize!r}")
        if self.resample is not None and self.resample <= 0:
            raise UsageError(f"--resample must be positive, not {self.resample}")
        if self.beats and (self.before is None or self.after is None):
            raise UsageError("--beats needs --before and --after (samples, or seconds like 0.25s)")
        if not self.beats and (self.before or self.after or self.beat_types):
            raise UsageError("--before, --after and --beat-types need --beats")
        for text in (self.before, self.after):
            if text is not None:
                duration(text, 1.0, "--before/--after")

    @property
    def used(self) -> bool:
        return self != ClinicalOptions(sampling_rate=self.sampling_rate)


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
