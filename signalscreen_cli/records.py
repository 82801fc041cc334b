"""The types every floor shares: one chunk's arrays, what sinks learn at the end, and failed writes as ours.

They live here, below the pipeline and the sinks, so that no import runs back up.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import OutputError


@dataclass
class ChunkResult:
    """Arrays for one chunk of signals, first axis the signal.

    Attributes
    ----------
    rows : numpy.ndarray
        Row numbers in the data file ``(k,)``.
    signals : numpy.ndarray
        The signals ``(k, L, C)`` (what the plots draw).
    arrays : dict of str to numpy.ndarray
        Predictions, targets and every method's arrays.
    kinds : dict of str to str
        ``attribution``, ``diagnostic`` or ``index`` for each array.
    parameters : dict of str to dict
        The method and parameters that made each array.
    seconds : dict of str to float
        Each method's wall time on this chunk.
    start : int
        Output row of the chunk's first signal.
    written : frozenset of str
        Arrays already in the run's store (written where they were computed); their rows here are only those
        the plots need.
    """

    rows: np.ndarray
    signals: np.ndarray
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    start: int = 0
    written: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RunRecord:
    """What sinks learn when the run is over.

    Attributes
    ----------
    manifest : dict
        The run's manifest (``arrays`` gives every array's kind and shape).
    extra : dict of str to numpy.ndarray
        Arrays that are not per chunk: ``sample_index``, and ``targets`` with ``--target all``.
    kinds : dict of str to str
        The kind of each per-chunk array.
    class_names : list of str
        A name per model output.
    """

    manifest: dict[str, Any]
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    class_names: list[str] = field(default_factory=list)


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn a failed write (disk full, quota, file-size limit, read-only folder) into an ``OutputError``."""
    try:
        yield
    except OSError as exc:
        cause = exc.strerror or str(exc) or type(exc).__name__
        raise OutputError(f"{path}: cannot write ({cause})", "free space or choose another --out") from exc
