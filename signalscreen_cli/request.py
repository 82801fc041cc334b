"""The frozen description of one ``explain`` run: built by the CLI or the Python API, read by the pipeline.

Standard library only, so the CLI can build it before anything heavy is imported. Method parameters are
not fields here: ``options`` holds the values given, by the declared field name (``sliding_window``,
``n_steps``…), shared by every chosen method that declares that field; ``method_params`` holds
``--param name.key=value`` settings for one method. :func:`resolve_methods` turns both into each method's
validated ``Parameters``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import UsageError
from .inputs_spec import InputsSpec
from .methods import DEFAULT_METHODS
from .params import Parameters
from .signals.clinical.options import ClinicalOptions
from .signals.files import NAN_POLICIES
from .targets import Target

NORMALIZATIONS = ("none", "minmax", "maxabs")
PLOT_FORMATS = ("png", "svg")
EVERY_METHOD = "all"


@dataclass(frozen=True)
class ExplainRequest:
    """Everything ``pipeline.run`` needs; every field is recorded in the manifest.

    Attributes
    ----------
    model_path, data_path, out_dir : pathlib.Path
        Saved Keras model, signal file, output folder.
    methods : tuple of str
        Method names (built-in or plugin), in order.
    options : mapping of str to value
        Method parameters by declared field name, for every chosen method that declares the field.
    method_params : tuple of str
        ``name.key=value`` settings of one method's parameter (``--param``); they win over ``options``.
    target : str
        ``"auto"`` (predicted class), ``"all"``, a class index or a ``class_names`` name, optionally over
        output steps (``V@40:50``): see :class:`targets.Target`.
    class_names : tuple of str
        Optional names for the model's outputs.
    normalize : str
        ``none``, ``minmax`` or ``maxabs``, applied per sample to the stored arrays.
    key, label_column, samples, nan_policy
        How the signal file is read (see ``signals.read_signals``); the label column by index or header name.
    drop_columns : tuple of int or str
        Id columns of a table, taken out of the signal and kept as ``row_id`` arrays.
    labels : pathlib.Path or None
        A ``.npy`` of one class index per row of the file (``--label-column`` values are labels too).
    write_csv, plots, formats, max_plots, sampling_rate, report
        What is written besides ``attributions.npz``, ``manifest.json`` and the class summaries.
    batch_size : int or None
        Inputs per compiled model call; ``None`` picks one that fits ``memory_budget``.
    memory_budget : int or None
        Bytes the model calls may use with automatic batch size (default: a quarter of available memory).
    chunk_size : int or None
        Signals read, attributed and written per step (``None``: about 64 MiB of input); memory grows with
        it, not with the file.
    jit : bool
        Compile the model calls with XLA.
    segment, hop : int, str or None
        Cut each long recording into windows of ``segment`` samples every ``hop`` and stitch the maps; in
        seconds as ``"1.5s"``, at the rate the windows are cut at (the record's, ``--resample``'s or
        ``sampling_rate``), which the plan resolves.
    shard : tuple of int or None
        ``(K, N)``: process the K-th of N contiguous row ranges (``signalscreen merge`` joins them).
    overwrite : bool
        Replace an existing output folder.
    resume : bool
        Finish the killed run into ``out_dir`` from its journal (``pipeline/resume.py``).
    unsafe_load, custom_objects
        Allow code stored in the model file to run; a ``.py`` file of custom layers for the model.
    clinical : ClinicalOptions
        How WFDB/EDF recordings become rows: channels, resampling, beats, detrending.
    store : str
        ``npz`` (``attributions.npz``) or ``zarr`` (``attributions.zarr``, chunked on the run's chunks).
    model, signals : keras.Model, numpy.ndarray or None
        In-memory model and signals (the Python API); ``model_path``/``data_path`` then only name them.
    io : InputsSpec
        The model's inputs and output head as matched to the data (``--output``, ``--signal-input``,
        ``--input``); from the Python API, ``signals`` may be a dict of every input's arrays by name.
    dask, dask_ship, dask_timeout
        Run the chunks on a Dask cluster (``tcp://host:port`` or ``local:N``); send the model and signals to
        its workers instead of letting them read the files; seconds to wait for the scheduler.
    """

    model_path: Path
    data_path: Path
    out_dir: Path
    methods: tuple[str, ...] = DEFAULT_METHODS
    options: Mapping[str, Any] = field(default_factory=dict)
    method_params: tuple[str, ...] = ()
    target: str = "auto"
    class_names: tuple[str, ...] = ()
    normalize: str = "none"
    key: str | None = None
    label_column: int | str | None = None
    drop_columns: tuple[int | str, ...] = ()
    labels: Path | None = None
    samples: str | None = None
    nan_policy: str = "error"
    write_csv: bool = False
    plots: bool = True
    formats: tuple[str, ...] = ("png",)
    max_plots: int = 16
    sampling_rate: float | None = None
    unit: str | None = None  # the plots' amplitude unit (--unit); None: the file header's, if any
    report: bool = False
    batch_size: int | None = None
    memory_budget: int | None = None
    chunk_size: int | None = None
    jit: bool = False
    segment: int | str | None = None
    hop: int | str | None = None
    shard: tuple[int, int] | None = None
    overwrite: bool = False
    resume: bool = False
    unsafe_load: bool = False
    custom_objects: Path | None = None
    clinical: ClinicalOptions = field(default_factory=ClinicalOptions)
    store: str = "npz"
    model: Any = field(default=None, repr=False, compare=False)
    signals: Any = field(default=None, repr=False, compare=False)
    dask: str | None = None
    dask_ship: bool = False
    dask_timeout: float = 30.0
    io: InputsSpec = field(default_factory=InputsSpec)

    @property
    def parsed_target(self) -> Target:
        """``target`` as an object (classes by name through ``class_names``)."""
        return Target.parse(self.target, self.class_names)


def check_request(request: ExplainRequest) -> None:
    """Reject bad or contradictory options before any file is read or model loaded."""
    if not request.methods:
        raise UsageError("choose at least one --method")
    if request.model is None:
        from .model.path import check_model_path

        check_model_path(request.model_path, request.data_path)
    resolve_methods(request)
    choices = {
        "--normalize": (request.normalize, NORMALIZATIONS),
        "--nan-policy": (request.nan_policy, NAN_POLICIES),
        "--store": (request.store, ("npz", "zarr")),
    }
    for option, (value, allowed) in choices.items():
        if value not in allowed:
            raise UsageError(f"{option} must be one of {', '.join(allowed)}, not {value!r}")
    unknown = [fmt for fmt in request.formats if fmt not in PLOT_FORMATS]
    if unknown or not request.formats:
        raise UsageError(f"--format: unknown plot format {unknown[0] if unknown else '(none)'!r}", "use png and/or svg")
    target = request.parsed_target
    minimums = {
        "--batch-size": (request.batch_size or 1, 1),
        "--chunk-size": (1 if request.chunk_size is None else request.chunk_size, 1),
        "--segment": (window_syntax(request.segment, "--segment"), 1),
        "--hop": (window_syntax(request.hop, "--hop"), 1),
        "--max-plots": (request.max_plots, 0),
    }
    for option, (value, lowest) in minimums.items():
        if value < lowest:
            raise UsageError(f"{option} must be at least {lowest}, not {value}")
    if request.hop and not request.segment:
        raise UsageError("--hop needs --segment")
    if request.segment and target.every_class:
        raise UsageError("--segment and --target all contradict each other", "explain one target per window")
    if request.shard and not 1 <= request.shard[0] <= request.shard[1]:
        raise UsageError(f"--shard must be K/N with 1 <= K <= N, not {request.shard[0]}/{request.shard[1]}")
    if request.memory_budget is not None and request.memory_budget <= 0:
        raise UsageError("--memory-budget must be positive")
    if request.dask:
        check_address(request.dask)
        if request.model is not None or request.signals is not None:
            raise UsageError("--dask needs the model and signals as files, not Python objects")
        if request.shard:
            raise UsageError("--dask and --shard contradict each other", "a cluster runs every row; drop --shard")
    elif request.dask_ship:
        raise UsageError("--dask-ship needs --dask")
    if request.dask_timeout <= 0:
        raise UsageError(f"--dask-timeout must be positive, not {request.dask_timeout}")
    if request.sampling_rate is not None and request.sampling_rate <= 0:
        raise UsageError(f"--sampling-rate must be positive, not {request.sampling_rate}")


def window_syntax(value: int | str | None, option: str) -> int:
    """A number of samples to check against the minimum (1 for seconds, which the plan checks once resolved)."""
    from .signals.clinical.options import duration

    if value is None or isinstance(value, int):
        return 1 if value is None else value
    duration(value, 1.0, option)  # readable as samples or seconds
    return 1


def window_samples(value: int | str | None, option: str, rate: float | None) -> int | None:
    """``--segment``/``--hop`` in samples: a number of samples, or seconds (``"1.5s"``) at ``rate``."""
    from .signals.clinical.options import duration

    if value is None or isinstance(value, int):
        return value
    if value.endswith("s") and not rate:
        raise UsageError(
            f"{option} {value}: seconds need the sampling rate",
            "the file states none: give --sampling-rate (or --resample for WFDB/EDF)",
        )
    samples = duration(value, rate or 1.0, option)
    if samples < 1:
        raise UsageError(f"{option} {value} is less than one sample at {rate:g} Hz")
    return samples


def check_address(address: str) -> None:
    """``tcp://…``/``tls://…`` or ``local:N``; anything else is a usage error."""
    if address.startswith("local:"):
        count = address.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise UsageError(f"--dask {address}: local:N needs a positive number of workers")
    elif "://" not in address:
        raise UsageError(f"--dask must be tcp://host:port or local:N, not {address!r}")


def resolve_methods(request: ExplainRequest) -> list[tuple[str, Parameters]]:
    """Each chosen method's name and validated parameters: declared defaults, then ``options``, then
    ``method_params``."""
    from .methods import declared_parameters
    from .params import check_value, coerce

    declared = declared_parameters()
    for key, value in request.options.items():
        if key not in declared:
            raise UsageError(f"unknown method option {key!r}", "use --param METHOD.KEY=VALUE for a plugin's parameters")
        if value is not None:
            check_value(declared[key], coerce(declared[key], value))
    chosen = chosen_methods(request.methods)
    overrides = parse_method_params(request.method_params, chosen)
    resolved = [(name, method_parameters(name, request.options, overrides.get(name, {}))) for name in chosen]
    for _, params in resolved:
        wrapped_method(params, request)
    return resolved


def chosen_methods(methods: tuple[str, ...]) -> tuple[str, ...]:
    """The method names, ``all`` standing for every built-in method (the plan skips those that do not apply)."""
    from .methods import builtin_methods

    expanded = [name for given in methods for name in (builtin_methods() if given == EVERY_METHOD else (given,))]
    return tuple(dict.fromkeys(expanded))


def method_parameters(name: str, options: Mapping[str, Any], overrides: Mapping[str, str]) -> Parameters:
    """The parameters of method ``name``: declared defaults, then the ``options`` it declares, then ``overrides``."""
    from .methods import get_method
    from .params import fields_of

    declared = get_method(name).Parameters
    known = {spec.name for spec in fields_of(declared)}
    for key in overrides:
        if key not in known:
            raise UsageError(
                f"--param {name}.{key}: {name} has no parameter {key!r}",
                "its parameters: " + (", ".join(sorted(known)) or "(none)"),
            )
    values = {key: value for key, value in options.items() if key in known and value is not None}
    return declared(**{**values, **overrides})


def wrapped_method(params: Parameters, request: ExplainRequest) -> tuple[str, Parameters] | None:
    """The method a wrapper's parameters name (``--smooth``), with the request's options for it."""
    inner = params.wrapped()
    return None if inner is None else (inner, method_parameters(inner, request.options, {}))


def parse_method_params(entries: tuple[str, ...], methods: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """``("occlusion.stride=4", …)`` as ``{"occlusion": {"stride": "4"}}``; the method must be chosen."""
    parsed: dict[str, dict[str, str]] = {}
    for entry in entries:
        target, equals, value = entry.partition("=")
        name, dot, key = target.strip().rpartition(".")
        if not equals or not dot or not name or not key:
            raise UsageError(f"--param must look like METHOD.KEY=VALUE, not {entry!r}")
        if name not in methods:
            raise UsageError(f"--param {entry}: {name!r} is not among the chosen methods ({', '.join(methods)})")
        parsed.setdefault(name, {})[key] = value
    return parsed


def option_names() -> dict[str, str]:
    """Every name a method option goes by in Python (field name, or a flag with ``_`` for ``-``) → field name."""
    from .methods import declared_parameters

    names: dict[str, str] = {}
    for spec in declared_parameters().values():
        names[spec.name] = spec.name
        for flag in spec.declaration.flags:
            if flag.startswith("--"):
                names.setdefault(flag[2:].replace("-", "_"), spec.name)
    return names


def explain_request(model_path: Path, data_path: Path, out_dir: Path, /, **keywords: Any) -> ExplainRequest:
    """An ``ExplainRequest`` from Python keywords: request fields as they are, method options by field name
    (``sliding_window=(15,)``) or by option name (``window=15``, ``steps=32``)."""
    own = {item.name for item in fields(ExplainRequest)}
    aliases = option_names()
    options = dict(keywords.pop("options", {}) or {})
    io_fields = {item.name for item in fields(InputsSpec)}
    io_given = {key: keywords.pop(key) for key in list(keywords) if key in io_fields}
    if io_given:  # output=, signal_input=, inputs= as keywords of their own
        keywords["io"] = InputsSpec(**{**vars(keywords.get("io") or InputsSpec()), **io_given})
    for key, value in keywords.items():
        if key in own:
            continue
        if key not in aliases:
            raise UsageError(f"unknown option {key!r}", "request fields: " + ", ".join(sorted(own)))
        options[aliases[key]] = tuple(value) if isinstance(value, list) else value
    if isinstance(options.get("sliding_window"), int):
        options["sliding_window"] = (options["sliding_window"],)
    given = {key: value for key, value in keywords.items() if key in own}
    return ExplainRequest(Path(model_path), Path(data_path), Path(out_dir), options=options, **given)
