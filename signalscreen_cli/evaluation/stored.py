"""``evaluate --from DIR``: the maps of an earlier ``explain`` output, fed to the evaluation as an executor.

The folder must have been made by ``signalscreen explain`` from the very model and data file given to
``evaluate`` (checked by SHA-256); otherwise a ``UsageError`` says which part does not match.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..errors import SignalFileError, UsageError
from ..outputs.provenance import file_sha256
from ..pipeline.executor import Executor, apply_stages
from ..pipeline.plan import Plan, make_plan
from ..records import ChunkResult
from ..request import ExplainRequest
from ..results.reader import StoredResult, read_result
from .request import EvaluateRequest


@dataclass(frozen=True)
class StoredMaps:
    """An executor whose chunks hold stored maps instead of computing them; the plan's stages still run.

    Attributes
    ----------
    arrays : dict of str to numpy.ndarray
        The stored arrays of the plan's rows, in plan order.
    kinds, parameters : dict
        Kind and maker of each array, as ``ChunkResult`` holds them.
    """

    arrays: dict[str, np.ndarray]
    kinds: dict[str, str]
    parameters: dict[str, dict[str, Any]]

    def run(self, plan: Plan) -> Iterator[tuple[int, ChunkResult]]:
        adapter = plan.model.load()
        methods = plan.build_methods()
        source = plan.data.open()
        for number in range(plan.n_chunks):
            rows = plan.chunk(number)
            part = slice(number * plan.chunk_rows, number * plan.chunk_rows + len(rows))
            arrays = {name: values[part] for name, values in self.arrays.items()}
            chunk = ChunkResult(rows, plan.data.read(source, rows), arrays, dict(self.kinds), self.parameters)
            yield number, apply_stages(plan, adapter, methods, chunk)

    def describe(self) -> dict[str, Any]:
        return {"kind": "stored maps"}


@dataclass(frozen=True)
class MapSource:
    """Where ``evaluate``'s maps come from (an explain output read ``--from`` its folder, or a plan computing
    them): its plan, executor and what ``evaluation.json`` says of it."""

    plan: Plan
    executor: Executor
    explain: ExplainRequest
    source: dict[str, Any]
    class_names: list[str]
    seconds_per_sample: dict[str, float]


def stored_run(request: EvaluateRequest) -> MapSource:
    """The maps of ``request.from_dir`` for the rows ``--samples`` picks among its own."""
    given = request.explain
    where = f"--from {request.from_dir}"
    if not given.data_path.is_file():
        from ..signals.files import open_rows

        open_rows(given.data_path)  # the usual "no such file" / "is a directory" error
        raise SignalFileError(f"{given.data_path}: not a file")
    stored = read_result(request.from_dir, where)  # type: ignore[arg-type]
    _check_files(stored, given)
    made = stored.request()
    _check_same(given, made, where)
    arrays = stored.arrays()
    sample_index = _index(arrays, where)
    n = len(sample_index)
    chosen, kinds, parameters = [], {}, {}
    for name, info in stored.manifest["arrays"].items():
        if name not in arrays or info.get("method") is None or len(arrays[name]) != n:
            continue
        kind = info.get("kind")
        if kind in ("attribution", "band") and not name.endswith("_raw"):
            chosen.append(name)
        if kind in ("attribution", "band", "diagnostic"):
            kinds[name], parameters[name] = kind, {"method": info["method"], "parameters": info.get("parameters")}
    maker = {name: parameters[name]["method"] for name in chosen}
    if not chosen:
        raise UsageError(f"{where}: holds no attribution map")
    if given.methods:
        chosen = [name for name in chosen if maker[name] in given.methods]
        if not chosen:
            raise UsageError(
                f"{where} holds no map of {', '.join(given.methods)}",
                "it holds maps of: " + ", ".join(sorted(set(maker.values()))),
            )
    methods = tuple(dict.fromkeys(maker[name] for name in chosen))
    keep = _rows_kept(given, sample_index, made, where)
    rows = sample_index[keep]
    plan = make_plan(
        replace(
            made,
            model_path=given.model_path,
            data_path=given.data_path,
            methods=methods,
            samples=",".join(str(int(row)) for row in rows),
            shard=None,
            nan_policy=request.nan_policy or made.nan_policy,
            batch_size=given.batch_size,
            memory_budget=None,
            chunk_size=given.chunk_size,
            unsafe_load=given.unsafe_load,
            custom_objects=given.custom_objects,
        )
    )
    wanted = [*chosen, *(name for name, kind in kinds.items() if kind == "diagnostic"), "predictions", "targets"]
    timings = stored.manifest.get("timings_s") or {}
    return MapSource(
        plan=plan,
        executor=StoredMaps(
            {name: arrays[name][keep] for name in wanted},
            {**{name: kinds[name] for name in wanted if name in kinds}, "predictions": "index", "targets": "index"},
            {name: parameters[name] for name in chosen},
        ),
        explain=replace(made, methods=methods),
        source={
            "kind": "explain output",
            "folder": str(request.from_dir),
            "created": stored.manifest.get("created"),
            "seconds_per_sample": "the explain run's timings_s divided by its number of signals",
        },
        class_names=[str(name) for name in stored.manifest.get("class_names") or []],
        seconds_per_sample={name: float(seconds) / max(n, 1) for name, seconds in timings.items()},
    )


def _check_files(stored: StoredResult, given: ExplainRequest) -> None:
    for role, path in (("model", given.model_path), ("data", given.data_path)):
        recorded, actual = stored.manifest[role].get("sha256"), file_sha256(path)
        if recorded != actual:
            raise UsageError(
                f"{stored.where} was made from {role} {stored.manifest[role].get('path')!r} "
                f"(sha256 {str(recorded)[:12]}…), not from {path} (sha256 {actual[:12]}…)"
            )
    parameters = stored.manifest["parameters"]
    if parameters.get("target") == "all":
        raise UsageError(f"{stored.where}: made with --target all; evaluate scores one target per signal")
    if parameters.get("segment"):
        raise UsageError(f"{stored.where}: made with --segment; evaluate needs signals of the model's input length")


def _index(arrays: dict[str, np.ndarray], where: str) -> np.ndarray:
    missing = [name for name in ("targets", "sample_index", "predictions") if name not in arrays]
    if missing:
        raise UsageError(f"{where}: attributions.npz has no {missing[0]!r} array")
    n = len(arrays["sample_index"])
    if arrays["targets"].shape != (n,):
        raise UsageError(f"{where}: targets of shape {arrays['targets'].shape} for {n} signals")
    return arrays["sample_index"].astype(np.int64)


def _check_same(given: ExplainRequest, made: ExplainRequest, where: str) -> None:
    """Reading options given with ``--from`` must agree with the explain run's."""
    for option, mine, recorded in (
        ("--key", given.key, made.key),
        ("--label-column", given.label_column, made.label_column),
    ):
        if mine is not None and mine != recorded:
            raise UsageError(f"{option} {mine} differs from the explain run's ({recorded}) in {where}")
    if given.target != "auto" and given.target != made.target:
        raise UsageError(f"--target {given.target}: {where} explained target {made.target}")


def _rows_kept(given: ExplainRequest, sample_index: np.ndarray, made: ExplainRequest, where: str) -> np.ndarray:
    """Positions among the stored signals of the rows ``--samples`` asks for (all without it)."""
    from ..signals.files import open_rows, parse_samples

    if not given.samples:
        return np.arange(len(sample_index))
    reading = {"key": made.key, "label_column": made.label_column, "drop_columns": made.drop_columns}
    rows_in_file = open_rows(given.data_path, **reading).shape[0]
    wanted = parse_samples(given.samples, rows_in_file, given.data_path)
    position = {int(row): i for i, row in enumerate(sample_index)}
    missing = [int(row) for row in wanted if int(row) not in position]
    if missing:
        raise UsageError(f"--samples: row {missing[0]} is not among the signals of {where}")
    return np.asarray([position[int(row)] for row in wanted])
