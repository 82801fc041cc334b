"""The maps to evaluate and what the evaluation needs about them: computed here, or read ``--from`` an
``explain`` output folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SignalFileError, UsageError
from ..request import ExplainRequest
from .maps import is_input_map
from .request import EvaluateRequest

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class MapSet:
    """Maps of a set of signals, and how to make them again.

    Attributes
    ----------
    signals : signals.SignalSet
        The signals the maps explain.
    maps : dict of str to numpy.ndarray
        Attribution maps at the signals' resolution, ``(n, L)`` or ``(n, L, C)``, by array name.
    method_of : dict of str to str
        The method that made each map.
    targets : numpy.ndarray
        The class each signal's maps explain, ``(n,)``.
    diagnostics : dict of str to numpy.ndarray
        Per-signal numbers of the methods, e.g. ``integrated_gradients_delta``.
    seconds_per_sample : dict of str to float
        Each method's wall time per signal.
    explain : ExplainRequest
        The request that made (or would make) the maps; its ``methods`` are the evaluated ones.
    context : dict
        Data-derived inputs of the methods (``dataset_mean``).
    source : dict
        Where the maps came from, for ``evaluation.json``.
    class_names : list of str
        Class names recorded with the maps, if any.
    """

    signals: Any
    maps: dict[str, np.ndarray]
    method_of: dict[str, str]
    targets: np.ndarray
    diagnostics: dict[str, np.ndarray]
    seconds_per_sample: dict[str, float]
    explain: ExplainRequest
    context: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    class_names: list[str] = field(default_factory=list)

    def methods(self) -> list[Any]:
        """Fresh method objects, as they made the maps (for the randomisation check)."""
        from ..pipeline import build_methods

        return build_methods(self.explain, self.context)


def explain_request(request: EvaluateRequest) -> ExplainRequest:
    """The ``explain`` request that computes the maps to evaluate (no normalisation, no plots)."""
    from ..methods import DEFAULT_METHODS

    return ExplainRequest(
        model_path=request.model_path,
        data_path=request.data_path,
        out_dir=request.out_dir,
        methods=request.methods or DEFAULT_METHODS,
        windows=request.windows,
        target=request.target,
        class_names=request.class_names,
        layer=request.layer,
        relu=request.relu,
        baseline=request.baseline,
        blur_sigma=request.blur_sigma,
        stride=request.stride,
        occlude_channels=request.occlude_channels,
        steps=request.ig_steps,
        ig_tolerance=request.ig_tolerance,
        noise_samples=request.noise_samples,
        noise=request.noise,
        key=request.key,
        label_column=request.label_column,
        samples=request.samples,
        nan_policy=request.nan_policy or "error",
        plots=False,
        formats=request.formats,
        batch_size=request.batch_size,
        seed=request.seed,
        unsafe_load=request.unsafe_load,
        custom_objects=request.custom_objects,
    )


def computed_maps(request: EvaluateRequest, adapter: Any, progress: Progress | None = None) -> MapSet:
    """Run the requested methods on the selected signals, with ``explain``'s methods and options."""
    from ..pipeline import build_methods, resolve_targets
    from ..signals import dataset_mean, fit_to_model, read_signals
    from .maps import compute_maps

    explain = explain_request(request)
    signals = read_signals(
        request.data_path,
        key=request.key,
        label_column=request.label_column,
        samples=request.samples,
        nan_policy=explain.nan_policy,
    )
    x = fit_to_model(signals.data, adapter.input_shape, signals.path)
    targets = resolve_targets(explain.target, adapter.predict(x))
    context = {}
    if explain.baseline == "dataset-mean":
        context["dataset_mean"] = dataset_mean(request.data_path, key=request.key, label_column=request.label_column)
    methods = build_methods(explain, context)
    for method in methods:  # one signal first, so compiling the model's calls is not counted as cost
        method.attribute(adapter, x[:1], targets[:1])
    result = compute_maps(methods, adapter, x, targets, request.batch_size, progress)
    return _checked(
        MapSet(
            signals=signals,
            maps=result.maps,
            method_of=result.method_of,
            targets=targets,
            diagnostics=result.diagnostics,
            seconds_per_sample={name: seconds / len(x) for name, seconds in result.seconds.items()},
            explain=explain,
            context=context,
            source={"kind": "computed", "seconds_per_sample": "measured in this run, after a one-signal warm-up"},
        )
    )


def stored_maps(request: EvaluateRequest) -> MapSet:
    """The maps of the ``explain`` folder ``request.from_dir``, for the rows ``--samples`` picks among its own."""
    from ..signals import dataset_mean, open_rows, read_signals
    from .source import read_explain_output

    folder = Path(request.from_dir or ".")
    if not request.data_path.is_file():
        open_rows(request.data_path)  # the usual "no such file" / "is a directory" error
        raise SignalFileError(f"{request.data_path}: not a file")
    stored = read_explain_output(folder, request.model_path, request.data_path)
    made = stored.request
    _check_same(request, made, folder)
    keep = _rows_kept(request, stored.sample_index, made, folder)
    chosen = [name for name in stored.maps if not request.methods or stored.method_of[name] in request.methods]
    if not chosen:
        raise UsageError(
            f"--from {folder} holds no map of {', '.join(request.methods)}",
            "it holds maps of: " + ", ".join(sorted(set(stored.method_of.values()))),
        )
    signals = read_signals(
        request.data_path,
        key=made.key,
        label_column=made.label_column,
        samples=",".join(str(int(row)) for row in stored.sample_index[keep]),
        nan_policy=request.nan_policy or made.nan_policy,
    )
    context = {}
    if made.baseline == "dataset-mean":
        context["dataset_mean"] = dataset_mean(request.data_path, key=made.key, label_column=made.label_column)
    methods = tuple(dict.fromkeys(stored.method_of[name] for name in chosen))
    return _checked(
        MapSet(
            signals=signals,
            maps={name: stored.maps[name][keep] for name in chosen},
            method_of={name: stored.method_of[name] for name in chosen},
            targets=stored.targets[keep],
            diagnostics={name: values[keep] for name, values in stored.diagnostics.items()},
            seconds_per_sample=stored.seconds_per_sample,
            explain=replace(made, methods=methods),
            context=context,
            source={
                "kind": "explain output",
                "folder": str(folder),
                "created": stored.manifest.get("created"),
                "seconds_per_sample": "the explain run's timings_s divided by its number of signals",
            },
            class_names=[str(name) for name in stored.manifest.get("class_names") or []],
        )
    )


def _check_same(request: EvaluateRequest, made: ExplainRequest, folder: Path) -> None:
    """Reading options given with ``--from`` must agree with the explain run's."""
    for option, given, recorded in (
        ("--key", request.key, made.key),
        ("--label-column", request.label_column, made.label_column),
    ):
        if given is not None and given != recorded:
            raise UsageError(f"{option} {given} differs from the explain run's ({recorded}) in --from {folder}")
    if request.target != "auto" and request.target != made.target:
        raise UsageError(f"--target {request.target}: --from {folder} explained target {made.target}")


def _rows_kept(request: EvaluateRequest, sample_index: np.ndarray, made: ExplainRequest, folder: Path) -> np.ndarray:
    """Positions among the stored signals of the rows ``--samples`` asks for (all without it)."""
    from ..signals import open_rows, parse_samples

    if not request.samples:
        return np.arange(len(sample_index))
    rows_in_file = open_rows(request.data_path, key=made.key, label_column=made.label_column).shape[0]
    wanted = parse_samples(request.samples, rows_in_file, request.data_path)
    position = {int(row): i for i, row in enumerate(sample_index)}
    missing = [int(row) for row in wanted if int(row) not in position]
    if missing:
        raise UsageError(f"--samples: row {missing[0]} is not among the signals of --from {folder}")
    return np.asarray([position[int(row)] for row in wanted])


def _checked(maps: MapSet) -> MapSet:
    """Keep the maps at the signals' resolution; at least one must remain."""
    x = maps.signals.data
    kept = {name: values for name, values in maps.maps.items() if is_input_map(name, values, x)}
    if not kept:
        raise UsageError("none of the chosen methods gives a map at the signals' resolution")
    return replace(maps, maps=kept, method_of={name: maps.method_of[name] for name in kept})
