"""An earlier ``explain`` output read back for ``evaluate --from DIR``: its maps and how they were made.

The folder must hold ``manifest.json`` and ``attributions.npz`` written by ``signalscreen explain`` from
the very model and data file given to ``evaluate`` (checked by SHA-256); otherwise a ``UsageError`` says
which part does not match.
"""

from __future__ import annotations

import dataclasses
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UsageError
from ..request import ExplainRequest

PATH_FIELDS = ("model_path", "data_path", "out_dir", "custom_objects")


@dataclass(frozen=True)
class ExplainOutput:
    """What an ``explain`` folder holds, as the evaluation needs it.

    Attributes
    ----------
    folder : pathlib.Path
        The folder read.
    manifest : dict
        ``manifest.json``.
    request : ExplainRequest
        The explain run's parameters, rebuilt (to recompute maps for the randomisation check).
    maps : dict of str to numpy.ndarray
        The attribution arrays, one per signal (``*_raw`` and diagnostics left out).
    method_of : dict of str to str
        The method that made each map.
    targets, sample_index : numpy.ndarray
        The class explained for each signal and its row in the data file, ``(n,)``.
    diagnostics : dict of str to numpy.ndarray
        Per-signal numbers such as ``integrated_gradients_delta``.
    seconds_per_sample : dict of str to float
        Each method's wall time in the explain run divided by its number of signals.
    """

    folder: Path
    manifest: dict[str, Any]
    request: ExplainRequest
    maps: dict[str, np.ndarray]
    method_of: dict[str, str]
    targets: np.ndarray
    sample_index: np.ndarray
    diagnostics: dict[str, np.ndarray]
    seconds_per_sample: dict[str, float]


def read_explain_output(folder: Path, model_path: Path, data_path: Path) -> ExplainOutput:
    """Read ``folder`` and check it was made from ``model_path`` and ``data_path``."""
    from ..outputs import file_sha256

    where = f"--from {folder}"
    if not folder.is_dir():
        raise UsageError(f"{where}: no such folder")
    for name in ("manifest.json", "attributions.npz"):
        if not (folder / name).is_file():
            raise UsageError(f"{where}: no {name}; give the --out folder of a finished `signalscreen explain` run")
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        tables = {key: manifest[key] for key in ("model", "data", "parameters", "arrays")}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{where}: manifest.json is not an explain manifest ({type(exc).__name__}: {exc})") from None
    for role, path in (("model", model_path), ("data", data_path)):
        recorded, actual = tables[role].get("sha256"), file_sha256(path)
        if recorded != actual:
            raise UsageError(
                f"{where} was made from {role} {tables[role].get('path')!r} (sha256 {str(recorded)[:12]}…), "
                f"not from {path} (sha256 {actual[:12]}…)"
            )
    if tables["parameters"].get("target") == "all":
        raise UsageError(f"{where}: made with --target all; evaluate scores one target per signal")
    if tables["parameters"].get("segment"):
        raise UsageError(f"{where}: made with --segment; evaluate needs signals of the model's input length")
    arrays = _read_arrays(folder / "attributions.npz", where)
    n = len(arrays["sample_index"])
    if arrays["targets"].shape != (n,):
        raise UsageError(f"{where}: targets of shape {arrays['targets'].shape} for {n} signals")
    maps, method_of, diagnostics = {}, {}, {}
    for name, info in tables["arrays"].items():
        if name not in arrays or info.get("method") is None or len(arrays[name]) != n:
            continue
        if info.get("kind") == "diagnostic":
            diagnostics[name] = arrays[name]
        elif info.get("kind") == "attribution" and not name.endswith("_raw"):
            maps[name], method_of[name] = arrays[name].astype(np.float32), str(info["method"])
    if not maps:
        raise UsageError(f"{where}: holds no attribution map")
    timings = manifest.get("timings_s") or {}
    return ExplainOutput(
        folder=folder,
        manifest=manifest,
        request=_rebuild_request(tables["parameters"], where),
        maps=maps,
        method_of=method_of,
        targets=arrays["targets"].astype(np.int32),
        sample_index=arrays["sample_index"].astype(np.int64),
        diagnostics=diagnostics,
        seconds_per_sample={name: float(seconds) / max(n, 1) for name, seconds in timings.items()},
    )


def _read_arrays(path: Path, where: str) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise UsageError(f"{where}: cannot read attributions.npz ({exc})") from None
    missing = [name for name in ("targets", "sample_index") if name not in arrays]
    if missing:
        raise UsageError(f"{where}: attributions.npz has no {missing[0]!r} array")
    return arrays


def _rebuild_request(parameters: dict[str, Any], where: str) -> ExplainRequest:
    """The explain run's request from the manifest's ``parameters`` (fields this version knows)."""
    known = {field.name for field in dataclasses.fields(ExplainRequest)}
    values: dict[str, Any] = {}
    for name, value in parameters.items():
        if name not in known:
            continue
        if isinstance(value, list):
            value = tuple(value)
        if name in PATH_FIELDS and value is not None:
            value = Path(value)
        values[name] = value
    try:
        return ExplainRequest(**values)
    except TypeError as exc:
        raise UsageError(f"{where}: manifest parameters are incomplete ({exc})") from None
