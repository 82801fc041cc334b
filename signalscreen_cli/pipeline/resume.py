"""Resumable runs: a journal of finished chunks in the staging folder, and an executor that replays it.

Every ``explain`` run to disk journals each chunk its executor finishes, in ``journal/`` inside the staging
folder: the chunk's arrays and facts as one ``.npz`` written to a temporary name, flushed to disk and renamed
to ``chunk-<number>-<sha256>.npz``, so a file with that name is complete and its bytes are checked against
the name before use. ``journal/run.json`` holds the run's fingerprint (options, model and data SHA-256, the
rows and their chunking) and its owner (host and process).

A killed run (SIGKILL: out of memory, a preempted job) leaves its staging folder. ``explain --resume`` moves
that journal into the new staging folder, replays the journaled chunks in order (the signals read again
from the data file), computes only the missing ones, and the sinks see exactly the chunks an uninterrupted
run gives them: the result is byte for byte the same. Without ``--resume`` such a folder is reported.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import OutputError, UsageError
from ..outputs.owners import alive, staging_prefix, this_owner
from ..outputs.provenance import json_default, request_parameters
from ..records import ChunkResult
from ..sinks.arrays import write_npz
from .executor import Executor
from .plan import Plan

JOURNAL = "journal"
RUN_FILE = "run.json"
NOT_FINGERPRINTED = ("out_dir", "overwrite", "resume", "dask", "dask_ship", "dask_timeout")
"""Options a resumed run may change: where it writes, and what runs the chunks (results are the same)."""


def stale_folders(out_dir: Path) -> list[Path]:
    """Staging folders of runs into ``out_dir`` whose process is gone (same host), newest first."""
    parent = out_dir.absolute().parent
    found = []
    for folder in parent.glob(f".{out_dir.name}.partial-*"):
        owner = _read_run(folder).get("owner") or {}
        if owner and not alive(owner):
            found.append(folder)
    return sorted(found, key=lambda folder: folder.stat().st_mtime, reverse=True)


def check_stale(out_dir: Path, resume: bool) -> None:
    """Without ``--resume``, a killed run's staging folder stops the run with how to resume or remove it."""
    if resume:
        return
    folders = stale_folders(out_dir)
    if folders:
        done = len(list((folders[0] / JOURNAL).glob("chunk-*.npz")))
        raise OutputError(
            f"{out_dir}: a killed run left {folders[0]} ({done} chunk(s) finished)",
            "pass --resume with the same options to finish it, or delete that folder to start again",
        )


@contextlib.contextmanager
def journal_beside(out_dir: Path) -> Iterator[Path]:
    """A folder beside ``out_dir`` named as its staging folders are, for a command whose own staging folder
    comes only at its end (``evaluate``): it holds the journal while the chunks are computed, and is removed
    when the command ends, however it ends; only a kill leaves it, for ``--resume``."""
    parent = out_dir.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=staging_prefix(out_dir), dir=parent))
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create output folder ({exc.strerror or exc})") from exc
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def journaled(
    executor: Executor, staging: Path, plan: Plan, request: Any, settings: dict[str, Any] | None = None
) -> JournalExecutor:
    """``executor`` wrapped so that each finished chunk is journaled in ``staging``; with ``request.resume``
    the journal of a killed run into the same folder is taken over first (a mismatch is a ``UsageError``).
    ``settings``: more of what a resumed run must share (``evaluate``'s own options)."""
    fingerprint = run_fingerprint(plan, request, settings)
    journal = staging / JOURNAL
    done: dict[int, Path] = {}
    if getattr(request, "resume", False):
        for folder in stale_folders(request.out_dir):
            recorded = _read_run(folder).get("fingerprint")
            if recorded != fingerprint:
                recorded = recorded or {}
                changed = sorted(k for k in {**fingerprint, **recorded} if fingerprint.get(k) != recorded.get(k))
                raise UsageError(
                    f"--resume: the killed run in {folder} differs in {', '.join(changed)}",
                    "resume with the same options and files, or delete that folder to start again",
                )
            os.replace(folder / JOURNAL, journal)
            shutil.rmtree(folder, ignore_errors=True)
            break
    journal.mkdir(exist_ok=True)
    run = {"fingerprint": fingerprint, "owner": this_owner()}
    _atomic_write(journal / RUN_FILE, json.dumps(run, default=json_default).encode())
    for path in journal.glob("chunk-*.npz"):
        number, digest = _parse(path)
        if number is not None and number < plan.n_chunks and _sha256(path) == digest:
            done[number] = path
        else:  # cut short or changed: computed again
            path.unlink()
    for leftover in journal.glob("*.tmp"):
        leftover.unlink()
    return JournalExecutor(executor, journal, done)


@dataclass
class JournalExecutor:
    """Journaled chunks first (read back, checked), then the inner executor on the missing ones only."""

    inner: Executor
    journal: Path
    done: dict[int, Path]

    @property
    def remote(self) -> bool:
        return bool(getattr(self.inner, "remote", False))

    def run(self, plan: Plan) -> Iterator[tuple[int, ChunkResult]]:
        if any(type(stage).__name__ == "WriteMaps" for stage in plan.stages):
            # the maps go into the store on the workers and never come back here: nothing to journal or replay
            if self.done:
                raise UsageError("--resume does not apply to --dask --store zarr (the maps stay on the workers)")
            yield from self.inner.run(plan)
            return
        missing = tuple(number for number in range(plan.n_chunks) if number not in self.done)
        if len(missing) < plan.n_chunks:
            source = plan.data.open()
            for number in sorted(self.done):
                chunk = _read_chunk(self.done[number], plan.data.read(source, plan.chunk(number)))
                chunk.start = number * plan.chunk_rows
                yield number, chunk
        if not missing:
            return
        subset = plan if len(missing) == plan.n_chunks else ChunkSubset(**_fields(plan), numbers=missing)
        for position, chunk in self.inner.run(subset):
            number = missing[position] if subset is not plan else position
            chunk.start = number * plan.chunk_rows
            _write_chunk(self.journal, number, chunk)
            yield number, chunk

    def describe(self) -> dict[str, Any]:
        described = dict(self.inner.describe())
        if self.done:
            described["resumed_chunks"] = len(self.done)
        return described


@dataclass(frozen=True)
class ChunkSubset(Plan):
    """A plan whose chunk ``i`` is the full plan's chunk ``numbers[i]``: what an executor computes on resume."""

    numbers: tuple[int, ...] = ()

    @property
    def n_chunks(self) -> int:
        return len(self.numbers)

    def chunk(self, number: int) -> np.ndarray:
        full = self.numbers[number]
        return self.rows[full * self.chunk_rows : (full + 1) * self.chunk_rows]


def run_fingerprint(plan: Plan, request: Any, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a resumed run must share with the killed one: options, model and data, rows and chunking."""
    parameters = {k: v for k, v in request_parameters(request).items() if k not in NOT_FINGERPRINTED}
    parameters.update(settings or {})
    rows = np.ascontiguousarray(plan.rows, np.int64)
    return json.loads(
        json.dumps(
            {
                **{f"option {k}": v for k, v in parameters.items()},
                "model": plan.model.describe().get("sha256"),
                "data": plan.data.describe().get("sha256"),
                "rows": hashlib.sha256(rows.tobytes()).hexdigest(),
                "chunk rows": plan.chunk_rows,
            },
            default=json_default,
        )
    )


def _fields(plan: Plan) -> dict[str, Any]:
    return {name: getattr(plan, name) for name in plan.__dataclass_fields__ if name != "numbers"}


def _write_chunk(journal: Path, number: int, chunk: ChunkResult) -> None:
    facts = {"kinds": chunk.kinds, "parameters": chunk.parameters, "seconds": chunk.seconds}
    arrays = {f"array.{name}": values for name, values in chunk.arrays.items()}
    arrays["rows"] = chunk.rows
    arrays["facts"] = np.frombuffer(json.dumps(facts, default=json_default).encode(), np.uint8)
    temporary = journal / f"chunk-{number:06d}.tmp"
    write_npz(temporary, arrays)
    _flush(temporary)
    os.replace(temporary, journal / f"chunk-{number:06d}-{_sha256(temporary)}.npz")


def _read_chunk(path: Path, signals: np.ndarray) -> ChunkResult:
    with np.load(path, allow_pickle=False) as archive:
        facts = json.loads(archive["facts"].tobytes().decode())
        arrays = {name[6:]: archive[name] for name in archive.files if name.startswith("array.")}
        rows = archive["rows"]
    return ChunkResult(rows, signals, arrays, facts["kinds"], facts["parameters"], facts["seconds"], 0)


def _parse(path: Path) -> tuple[int | None, str]:
    parts = path.stem.split("-")
    if len(parts) != 3 or not parts[1].isdigit():
        return None, ""
    return int(parts[1]), parts[2]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(data)
    _flush(temporary)
    os.replace(temporary, path)


def _flush(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _read_run(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / JOURNAL / RUN_FILE).read_text())
    except (OSError, ValueError):
        return {}
