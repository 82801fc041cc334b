"""The table of an ``explain`` run's sinks: each row says when its sink is wanted and where its builder lives.

``pipeline.run`` loops over :data:`SINKS`; a new output is one module with a ``for_run(outputs)`` builder
plus one row here. Builders are named by import string, so choosing the sinks imports none of them
(scikit-learn's scorer table, Click's lazy groups). ``evaluate`` and ``compare`` keep tables of the same
rows (``evaluation.sinks``, ``comparison.sinks``), built from outputs of their own.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    import numpy as np

    from ..request import ExplainRequest
    from ..targets import Target
    from . import Sink


class PlannedRun(Protocol):
    """What the sinks read of a run's plan (``pipeline.plan.Plan`` provides it), so they need not import it."""

    rows: np.ndarray
    chunk_rows: int
    target: Target
    segment: int | None
    hop: int | None
    row_info: dict[str, np.ndarray]
    reading: dict[str, Any]


@dataclass(frozen=True)
class RunOutputs:
    """What a sink builds itself from.

    Attributes
    ----------
    folder : pathlib.Path
        The staging folder that becomes the output folder.
    request : ExplainRequest
        The run's request.
    plan : PlannedRun
        The run's plan (rows, chunk size, target, windows, labels, the reader's account).
    class_names : list of str
        A name per model output.
    maps_stay_remote : bool
        The maps are written where they are computed (``--dask --store zarr``) and never all come back.
    """

    folder: Path
    request: ExplainRequest
    plan: PlannedRun
    class_names: list[str]
    maps_stay_remote: bool = False


Outputs = TypeVar("Outputs")
"""What a table's sinks build themselves from: :class:`RunOutputs` for ``explain``."""


@dataclass(frozen=True)
class SinkRow(Generic[Outputs]):
    """One output of a run: its name, when it is wanted, and ``"module:function"`` building its sink (a
    relative module is found from this package)."""

    name: str
    wanted: Callable[[Outputs], bool]
    builder: str

    def build(self, outputs: Outputs) -> Sink:
        module, _, function = self.builder.partition(":")
        return getattr(importlib.import_module(module, __package__), function)(outputs)


def _has_other_inputs(run: RunOutputs) -> bool:
    return run.request.plots and bool(getattr(run.plan, "context", ()))


SINKS: tuple[SinkRow[RunOutputs], ...] = (
    SinkRow("attributions.npz", lambda run: run.request.store == "npz", ".arrays:for_run"),
    SinkRow("attributions.zarr", lambda run: run.request.store == "zarr", ".zarr_store:for_run"),
    SinkRow("csv", lambda run: run.request.write_csv, ".csv:for_run"),
    SinkRow("manifest.json", lambda run: True, ".manifest:for_run"),
    SinkRow("plots", lambda run: run.request.plots, ".plots:for_run"),
    # a multi-input model's other inputs: a bar chart of each METHOD.INPUT array
    SinkRow("feature bars", _has_other_inputs, ".feature_bars:for_run"),
    # class summaries read every row's maps, which --dask --store zarr keeps on the workers
    SinkRow("summary", lambda run: not run.request.segment and not run.maps_stay_remote, ".summary:for_run"),
    SinkRow("report.html", lambda run: run.request.report, ".report:for_run"),  # last: reads what the others wrote
)


def run_sinks(outputs: RunOutputs) -> list[Sink]:
    """The sinks the run wants, in table order."""
    return wanted_sinks(SINKS, outputs)


def wanted_sinks(table: tuple[SinkRow[Outputs], ...], outputs: Outputs) -> list[Sink]:
    """The sinks of ``table`` that ``outputs`` want, in table order."""
    return [row.build(outputs) for row in table if row.wanted(outputs)]
