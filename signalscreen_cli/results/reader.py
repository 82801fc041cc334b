"""The one reader of results: an ``explain`` output folder's manifest and arrays, as ``merge``,
``evaluate --from`` and the Python API see them.
"""

from __future__ import annotations

import dataclasses
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..inputs_spec import InputsSpec
from ..signals.clinical.options import ClinicalOptions
from ..errors import UsageError
from .integrity import DamagedResultError, check_names, verify_array, verify_npz, verify_zarr
from .manifest_check import manifest_problem
from ..request import ExplainRequest
from ..layout import ARRAYS_FILE, MANIFEST_FILE, ZARR_FILE

PATH_FIELDS = ("model_path", "data_path", "out_dir", "custom_objects", "labels")
VERSION_1_OPTIONS = {
    "windows": "sliding_window",
    "baseline": "baselines",
    "steps": "n_steps",
    "ig_tolerance": "tolerance",
    **{name: name for name in ("layer", "relu", "blur_sigma", "stride", "occlude_channels", "noise_samples", "noise")},
    "seed": "seed",
}
"""Manifest version 1 kept method options among the request's fields, under these names."""


@dataclass(frozen=True)
class StoredResult:
    """An ``explain`` output folder, checked to hold a readable manifest and array file.

    Attributes
    ----------
    folder : pathlib.Path
        The folder.
    manifest : dict
        ``manifest.json``.
    where : str
        How errors name the folder (``--from DIR``, ``DIR``).
    """

    folder: Path
    manifest: dict[str, Any]
    where: str

    @property
    def store(self) -> str:
        """``npz`` or ``zarr``: how the arrays are stored."""
        return "zarr" if (self.folder / ZARR_FILE).is_dir() else "npz"

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array, in memory, each checked against the manifest's SHA-256 (``integrity``) as it is read:
        a missing, changed or reshaped array is a ``DamagedResultError`` naming it."""
        store = ZARR_FILE if self.store == "zarr" else ARRAYS_FILE
        where = f"{self.where}/{store}"
        member = None
        try:
            if self.store == "zarr":
                arrays = read_zarr(self.folder / ZARR_FILE)
            else:
                arrays = {}
                with np.load(self.folder / ARRAYS_FILE, allow_pickle=False) as archive:
                    for member in archive.files:
                        arrays[member] = archive[member]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            if member is not None and "CRC" in str(exc):
                raise DamagedResultError(f"{where}: array {member!r} is damaged ({exc})") from None
            raise UsageError(f"{self.where}: cannot read {store} ({exc})") from None
        recorded = check_names(set(arrays), self.manifest, where)
        for name, values in arrays.items():
            if name in recorded:
                verify_array(name, values, recorded[name], where)
        if self.store == "zarr" and recorded:
            _check_chunk_grid(self.folder / ZARR_FILE, recorded, where)
        return arrays

    def verify(self) -> None:
        """Check every stored array against the manifest without holding them: one streamed read."""
        if self.store == "zarr":
            verify_zarr(self.folder / ZARR_FILE, self.manifest, f"{self.where}/{ZARR_FILE}")
        else:
            verify_npz(self.folder / ARRAYS_FILE, self.manifest, f"{self.where}/{ARRAYS_FILE}")

    def array(self, name: str) -> np.ndarray:
        """One array, read alone (a per-row index such as ``sample_index``)."""
        try:
            if self.store == "zarr":
                from ..layout import import_zarr

                return np.asarray(import_zarr().open_group(self.folder / ZARR_FILE, mode="r")[name][...])
            with np.load(self.folder / ARRAYS_FILE, allow_pickle=False) as archive:
                return archive[name]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise UsageError(f"{self.where}: cannot read {name!r} ({type(exc).__name__}: {exc})") from None

    def summary(self) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
        """``summary.npz`` and ``summary.json`` (the class summaries), or ``None`` where the run has none."""
        from ..layout import SUMMARY_JSON, SUMMARY_NPZ

        if not (self.folder / SUMMARY_NPZ).is_file() or not (self.folder / SUMMARY_JSON).is_file():
            return None
        try:
            with np.load(self.folder / SUMMARY_NPZ, allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in archive.files}
            return arrays, json.loads((self.folder / SUMMARY_JSON).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise UsageError(f"{self.where}: cannot read the class summaries ({exc})") from None

    def request(self) -> ExplainRequest:
        """The explain run's request, rebuilt from the manifest's ``parameters`` (fields this version knows)."""
        parameters = dict(self.manifest.get("parameters") or {})
        for spec in ExplainRequest.SPECS:  # a manifest that records the specs nested reads as a flat one
            if isinstance(parameters.get(spec), dict):
                parameters.update(parameters.pop(spec))
        known = set(ExplainRequest.flat_names())
        options = dict(parameters.get("options") or {})
        if self.manifest.get("manifest_version", 1) < 2:
            options = {VERSION_1_OPTIONS[k]: v for k, v in parameters.items() if k in VERSION_1_OPTIONS}
        values: dict[str, Any] = {}
        for name, value in parameters.items():
            if name not in known or name == "options":
                continue
            if isinstance(value, list):
                value = tuple(value)
            if name in PATH_FIELDS and value is not None:
                value = Path(value)
            values[name] = value
        if isinstance(values.get("clinical"), dict):
            values["clinical"] = ClinicalOptions(
                **{k: tuple(v) if isinstance(v, list) else v for k, v in values["clinical"].items()}
            )
        if isinstance(values.get("io"), dict):
            values["io"] = InputsSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in values["io"].items()})
        try:
            return ExplainRequest(**{**values, "options": options})
        except TypeError as exc:
            raise UsageError(f"{self.where}: manifest parameters are incomplete ({exc})") from None


def _check_chunk_grid(path: Path, recorded: dict[str, dict[str, Any]], where: str) -> None:
    """Each Zarr array's storage chunks must be the grid the run wrote (recorded beside its SHA-256)."""
    from ..layout import import_zarr

    group = import_zarr().open_group(path, mode="r")
    for name, entry in recorded.items():
        chunks = list(group[name].chunks)
        if "chunks" in entry and chunks != entry["chunks"]:
            raise DamagedResultError(
                f"{where}: array {name!r} is stored in chunks {tuple(chunks)}, "
                f"but the run wrote {tuple(entry['chunks'])}"
            )


def read_result(folder: Path, where: str | None = None) -> StoredResult:
    """Open an ``explain`` output folder; a missing or unreadable part is a ``UsageError``."""
    where = where or str(folder)
    if not folder.is_dir():
        raise UsageError(f"{where}: no such folder")
    if (folder / "heads.json").is_file():  # --output all (pipeline/heads.py)
        heads = sorted(path.name for path in folder.iterdir() if (path / MANIFEST_FILE).is_file())
        raise UsageError(
            f"{where}: holds one result per output head, not one result",
            "give one head's folder: " + ", ".join(str(folder / name) for name in heads),
        )
    missing = [
        name
        for name, present in (
            (MANIFEST_FILE, (folder / MANIFEST_FILE).is_file()),
            (ARRAYS_FILE, (folder / ARRAYS_FILE).is_file() or (folder / ZARR_FILE).is_dir()),
        )
        if not present
    ]
    if missing:
        raise UsageError(f"{where}: no {missing[0]}; give the --out folder of a finished `signalscreen explain` run")
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        problem = manifest_problem(manifest)
        if problem:
            raise TypeError(problem)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise UsageError(f"{where}: {MANIFEST_FILE} is not an explain manifest ({type(exc).__name__}: {exc})") from None
    return StoredResult(folder, manifest, where)


def read_zarr(path: Path) -> dict[str, np.ndarray]:
    """Every array of an ``attributions.zarr`` store, in memory."""
    from ..layout import import_zarr

    group = import_zarr().open_group(path, mode="r")
    return {name: np.asarray(group[name][...]) for name in sorted(group.array_keys())}
