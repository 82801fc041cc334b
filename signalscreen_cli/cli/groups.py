"""Option groups ``explain`` and ``evaluate`` share, each declared once as a ``Parameters`` dataclass: a
command takes one parameter of the group's type and ``options.with_declared_options`` gives it the group's
options in its place (flags, help, ``--help`` panel and defaults as declared here).

Typer-free and standard library only, so ``--help`` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..params import INPUT_PANEL, Parameters, param

CLUSTER_PANEL = "Cluster"
SAFETY_PANEL = "Safety"


@dataclass(frozen=True)
class ColumnOptions(Parameters):
    """Which array of the file, and its label and id columns, as given (``cli.common`` parses the columns)."""

    key: str | None = param(None, "Array name inside .npz / dataset inside .h5.", panel=INPUT_PANEL, metavar="NAME")
    label_column: str | None = param(
        None,
        "Label column (index or header name; .npz/.h5: labels array), kept as labels.",
        panel=INPUT_PANEL,
        metavar="K|NAME",
    )
    drop_columns: str | None = param(
        None,
        "Id columns of a CSV to leave out of the signal (kept as row ids), e.g. id.",
        panel=INPUT_PANEL,
        metavar="COLUMNS",
    )


@dataclass(frozen=True)
class ClusterOptions(Parameters):
    """Where the chunks run: a Dask cluster (``request.specs.ExecutionSpec``'s ``dask`` fields)."""

    dask: str | None = param(
        None,
        "Run on a Dask cluster: tcp://host:port, or local:N worker processes (extra: dask).",
        panel=CLUSTER_PANEL,
        metavar="ADDRESS",
    )
    dask_ship: bool = param(
        False,
        "Send the model and signals to the workers (no shared filesystem).",
        flags=("--dask-ship",),
        panel=CLUSTER_PANEL,
    )
    dask_timeout: float = param(30.0, "Seconds to wait for the Dask scheduler.", panel=CLUSTER_PANEL, metavar="SECONDS")


@dataclass(frozen=True)
class SafetyOptions(Parameters):
    """Whether code stored in the model file may run, and custom layers (``LoadingSpec``'s fields)."""

    unsafe_load: bool = param(
        False,
        "Let code stored in the model file (Lambda layers) run. Trusted files only.",
        flags=("--unsafe-load",),
        panel=SAFETY_PANEL,
    )
    custom_objects: Path | None = param(  # noqa: RUF009 (param is dataclasses.field with a declaration)
        None, "A .py file defining the model's custom layers.", panel=SAFETY_PANEL, metavar="FILE.py"
    )


COLUMNS, CLUSTER, SAFETY = ColumnOptions(), ClusterOptions(), SafetyOptions()
"""The declared defaults, as the commands' parameter defaults."""
