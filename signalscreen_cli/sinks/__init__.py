"""Sinks: each receives every chunk's arrays in input order, then is closed once with the run's record.

A sink never calls the model and owns its failures: a write that fails is an ``OutputError`` naming the
path and the cause.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import OutputError

if TYPE_CHECKING:
    import numpy as np

    from ..pipeline.chunks import ChunkResult


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


class Sink(Protocol):
    """Optional attributes: ``needs_all_rows`` (every row of every array must come back to this process),
    ``rows_needed`` (how many first rows it uses), ``remote_stage(keep_rows)`` (a pipeline stage that writes
    the arrays where they are computed, for an executor whose ``remote`` is true)."""

    def write(self, start: int, chunk: ChunkResult) -> None:
        """Take the chunk whose first signal is output row ``start``."""

    def close(self, record: RunRecord) -> None:
        """Finish: every chunk has been written."""


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn a failed write (disk full, quota, file-size limit, read-only folder) into an ``OutputError``."""
    try:
        yield
    except OSError as exc:
        cause = exc.strerror or str(exc) or type(exc).__name__
        raise OutputError(f"{path}: cannot write ({cause})", "free space or choose another --out") from exc
