"""The five specs an ``ExplainRequest`` is made of: what is read, what model, which methods, what is written
and how the run is executed. Each field lives in exactly one of them.

Standard library only, so the CLI can build them before anything heavy is imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..inputs_spec import InputsSpec
from ..methods import DEFAULT_METHODS
from ..signals.clinical.options import ClinicalOptions
from ..targets import Target


@dataclass(frozen=True)
class ReadingSpec:
    """Which signals, and how they are read and cut (``pipeline.specs.DataSpec`` is built from it).

    Attributes
    ----------
    data_path : pathlib.Path
        The signal file (or the name of the in-memory ``signals``).
    key, label_column, samples, nan_policy
        How the signal file is read (see ``signals.read_signals``); the label column by index or header name.
    drop_columns : tuple of int or str
        Id columns of a table, taken out of the signal and kept as ``row_id`` arrays.
    labels : pathlib.Path or None
        A ``.npy`` of one class index per row of the file (``--label-column`` values are labels too).
    sampling_rate : float or None
        Samples per second when the file states none (plots then show seconds; ``--segment 1.5s`` needs it).
    clinical : ClinicalOptions
        How WFDB/EDF recordings become rows: channels, resampling, beats, detrending.
    segment, hop : int, str or None
        Cut each long recording into windows of ``segment`` samples every ``hop`` and stitch the maps; in
        seconds as ``"1.5s"``, at the rate the windows are cut at, which the plan resolves.
    signals : numpy.ndarray, dict or None
        In-memory signals (the Python API): an array, or every input's arrays by name.
    """

    data_path: Path
    key: str | None = None
    label_column: int | str | None = None
    drop_columns: tuple[int | str, ...] = ()
    labels: Path | None = None
    samples: str | None = None
    nan_policy: str = "error"
    sampling_rate: float | None = None
    clinical: ClinicalOptions = field(default_factory=ClinicalOptions)
    segment: int | str | None = None
    hop: int | str | None = None
    signals: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_path", Path(self.data_path))  # given as text from Python too


@dataclass(frozen=True)
class LoadingSpec:
    """Which model, and how it is loaded and called (``pipeline.specs.ModelSpec`` is built from it).

    Attributes
    ----------
    model_path : pathlib.Path
        The saved Keras model (or the name of the in-memory ``model``).
    batch_size : int or None
        Inputs per compiled model call; ``None`` picks one that fits ``memory_budget``.
    memory_budget : int or None
        Bytes the model calls may use with automatic batch size (default: a quarter of available memory).
    jit : bool
        Compile the model calls with XLA.
    unsafe_load, custom_objects
        Allow code stored in the model file to run; a ``.py`` file of custom layers for the model.
    io : InputsSpec
        The model's inputs and output head as matched to the data (``--output``, ``--signal-input``,
        ``--input``).
    model : keras.Model or None
        An in-memory model (the Python API).
    """

    model_path: Path
    batch_size: int | None = None
    memory_budget: int | None = None
    jit: bool = False
    unsafe_load: bool = False
    custom_objects: Path | None = None
    io: InputsSpec = field(default_factory=InputsSpec)
    model: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "model_path", Path(self.model_path))  # given as text from Python too


@dataclass(frozen=True)
class AttributionSpec:
    """Which methods, with which options, explaining which target.

    Attributes
    ----------
    methods : tuple of str
        Method names (built-in or plugin), in order; ``all`` for every built-in one.
    options : mapping of str to value
        Method parameters by declared field name, for every chosen method that declares the field.
    method_params : tuple of str
        ``name.key=value`` settings of one method's parameter (``--param``); they win over ``options``.
    target : str
        ``"auto"`` (predicted class), ``"all"``, a class index or a ``class_names`` name, optionally over
        output steps (``V@40:50``): see :class:`targets.Target`.
    class_names : tuple of str
        Optional names for the model's outputs.
    """

    methods: tuple[str, ...] = DEFAULT_METHODS
    options: Mapping[str, Any] = field(default_factory=dict)
    method_params: tuple[str, ...] = ()
    target: str = "auto"
    class_names: tuple[str, ...] = ()

    @property
    def parsed_target(self) -> Target:
        """``target`` as an object (classes by name through ``class_names``)."""
        return Target.parse(self.target, self.class_names)


@dataclass(frozen=True)
class WritingSpec:
    """What is written, and where.

    Attributes
    ----------
    out_dir : pathlib.Path
        The output folder.
    normalize : str
        ``none``, ``minmax`` or ``maxabs``, applied per sample to the stored arrays.
    write_csv, plots, formats, max_plots, unit, report
        What is written besides ``attributions.npz``, ``manifest.json`` and the class summaries; ``unit`` is
        the plots' amplitude unit (``None``: the file header's, if any).
    store : str
        ``npz`` (``attributions.npz``) or ``zarr`` (``attributions.zarr``, chunked on the run's chunks).
    overwrite : bool
        Replace an existing output folder.
    """

    out_dir: Path
    normalize: str = "none"
    write_csv: bool = False
    plots: bool = True
    formats: tuple[str, ...] = ("png",)
    max_plots: int = 16
    unit: str | None = None
    report: bool = False
    store: str = "npz"
    overwrite: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "out_dir", Path(self.out_dir))  # given as text from Python too


@dataclass(frozen=True)
class ExecutionSpec:
    """How the run is executed: chunking, sharding, resuming, a Dask cluster.

    Attributes
    ----------
    chunk_size : int or None
        Signals read, attributed and written per step (``None``: about 64 MiB of input); memory grows with
        it, not with the file.
    shard : tuple of int or None
        ``(K, N)``: process the K-th of N contiguous row ranges (``signalscreen merge`` joins them).
    resume : bool
        Finish the killed run into ``out_dir`` from its journal (``pipeline/resume.py``).
    dask, dask_ship, dask_timeout
        Run the chunks on a Dask cluster (``tcp://host:port`` or ``local:N``); send the model and signals to
        its workers instead of letting them read the files; seconds to wait for the scheduler.
    """

    chunk_size: int | None = None
    shard: tuple[int, int] | None = None
    resume: bool = False
    dask: str | None = None
    dask_ship: bool = False
    dask_timeout: float = 30.0
