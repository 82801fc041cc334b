"""The checks of an ``ExplainRequest`` before any file is read or model loaded, and the window sizes the plan
resolves (``--segment``/``--hop`` in samples or seconds)."""

from __future__ import annotations

from ..errors import UsageError
from ..signals.files import NAN_POLICIES
from .explain import ExplainRequest
from .methods import resolve_methods

NORMALIZATIONS = ("none", "minmax", "maxabs")
PLOT_FORMATS = ("png", "svg")


def check_request(request: ExplainRequest) -> None:
    """Reject bad or contradictory options before any file is read or model loaded."""
    if not request.methods:
        raise UsageError("choose at least one --method")
    if request.model is None:
        from ..model.path import check_model_path

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
    from ..signals.clinical.options import duration

    if value is None or isinstance(value, int):
        return 1 if value is None else value
    duration(value, 1.0, option)  # readable as samples or seconds
    return 1


def window_samples(value: int | str | None, option: str, rate: float | None) -> int | None:
    """``--segment``/``--hop`` in samples: a number of samples, or seconds (``"1.5s"``) at ``rate``."""
    from ..signals.clinical.options import duration

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
