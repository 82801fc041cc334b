"""The Dask executor: each chunk of the plan is a task on a Dask cluster (``--dask ADDRESS``).

``tcp://host:port`` connects to a running scheduler; ``local:N`` starts a ``LocalCluster`` of N worker
processes with one thread each for the run. A worker process loads the model once (``ModelSpec.load``
caches it) and limits TensorFlow to its share of the machine's cores. Workers read the model and signal
files by path (checked up front: each worker hashes them and must find the client's SHA-256), or, with
``ship``, get the model's bytes once per worker and each chunk's signals as task data. At most
``in_flight`` tasks are submitted at a time, so the client's memory stays flat; results come back in any
order. Needs the ``dask`` extra (dask + distributed).
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ClusterError
from ..records import ChunkResult
from ..signals.files import RowSource
from .plan import Plan
from .specs import DataSpec

EXTRA_HINT = 'install the extra: pip install "signalscreen[dask]"'


def import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ClusterError("--dask needs the dask and distributed packages", EXTRA_HINT) from None
    return distributed


@dataclass
class DaskExecutor:
    """Runs a plan's chunks as Dask tasks.

    Attributes
    ----------
    address : str
        ``tcp://host:port`` of a scheduler, or ``local:N``.
    timeout : float
        Seconds to wait for the scheduler (and for ``local:N`` workers to start).
    ship : bool
        Send the model and the signals to the workers instead of letting them read the files.
    client : distributed.Client or None
        An existing client to use instead of ``address`` (the caller closes it).
    in_flight : int or None
        Most tasks submitted at once (default: two per worker thread, at least 2).
    """

    remote = True  # chunks are computed in other processes, maybe other machines

    address: str = ""
    timeout: float = 30.0
    ship: bool = False
    client: Any = None
    in_flight: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def run(self, plan: Plan) -> Iterator[tuple[int, ChunkResult]]:
        distributed = import_distributed()
        client, cluster = (self.client, None) if self.client is not None else self._connect(distributed)
        futures: list[Any] = []
        plan = replace(  # workers may start elsewhere: name the files absolutely
            plan,
            model=replace(plan.model, path=plan.model.path.absolute()),
            data=replace(plan.data, path=plan.data.path.absolute()),
        )
        try:
            threads = client.nthreads()
            if not threads:
                raise ClusterError(f"the Dask cluster at {self.address or client.scheduler.address} has no workers")
            per_host: dict[str, int] = {}
            for worker, count in threads.items():
                host = worker.split("://")[-1].rsplit(":", 1)[0]
                per_host[host] = per_host.get(host, 0) + count
            cores = max(1, (os.cpu_count() or 1) // max(per_host.values()))
            shipped = self._ship_model(client, plan) if self.ship else None
            if not self.ship:
                self._probe(client, plan)
            limit = self.in_flight or max(2, 2 * sum(threads.values()))
            source = plan.data.open() if self.ship else None
            pending = iter(range(plan.n_chunks))
            waiting = distributed.as_completed()
            busy: dict[str, float] = {}

            def submit() -> bool:
                number = next(pending, None)
                if number is None:
                    return False
                signals = plan.data.read(source, plan.chunk(number)) if source is not None else None
                future = client.submit(
                    run_chunk,
                    plan,
                    number,
                    signals,
                    shipped,
                    cores,
                    key=f"signalscreen-chunk-{number}-{id(plan)}",
                    pure=False,
                )
                futures.append(future)
                waiting.add(future)
                return True

            for _ in range(limit):
                if not submit():
                    break
            for future in waiting:
                number, chunk, seconds, worker = future.result()
                busy[worker] = busy.get(worker, 0.0) + seconds
                futures.remove(future)
                future.release()
                submit()
                yield number, chunk
            self.facts = {
                "workers": len(threads),
                "threads": sum(threads.values()),
                "tasks": plan.n_chunks,
                "busy_s": {worker: round(seconds, 4) for worker, seconds in sorted(busy.items())},
            }
        finally:
            if futures:
                client.cancel(futures)
            if cluster is not None:
                client.close()
                cluster.close()

    def describe(self) -> dict[str, Any]:
        return {"kind": "dask", "address": self.address or "(client given)", "ship": self.ship, **self.facts}

    def _connect(self, distributed: Any) -> tuple[Any, Any]:
        cluster = None
        try:
            if self.address.startswith("local:"):
                workers = int(self.address.removeprefix("local:"))
                cluster = distributed.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    timeout=self.timeout,
                    silence_logs=40,
                )
                return distributed.Client(cluster, timeout=self.timeout), cluster
            return distributed.Client(self.address, timeout=self.timeout), None
        except (OSError, TimeoutError) as exc:
            if cluster is not None:
                cluster.close()
            raise ClusterError(
                f"--dask {self.address}: cannot reach the scheduler within {self.timeout:g} s ({exc})",
                "check the address, or start one: dask scheduler",
            ) from None

    def _probe(self, client: Any, plan: Plan) -> None:
        """Every worker must see the client's model and data files, byte for byte."""
        from ..outputs.provenance import file_sha256

        files = [path for path in (plan.model.path, plan.data.path, plan.model.custom_objects) if path is not None]
        expected = {str(Path(path).absolute()): file_sha256(Path(path)) for path in files if Path(path).is_file()}
        answers = client.run(probe_files, expected)
        for worker, problems in answers.items():
            if problems:
                raise ClusterError(
                    f"Dask worker {worker} does not see the client's files: {problems[0]}",
                    "give every worker the same filesystem, or pass --dask-ship",
                )

    def _ship_model(self, client: Any, plan: Plan) -> Any:
        files = {"model": plan.model.path, "custom_objects": plan.model.custom_objects}
        payload = {role: (Path(path).suffix, Path(path).read_bytes()) for role, path in files.items() if path}
        return client.scatter(payload, broadcast=True, hash=True)


# ---- what runs on a worker ----

_threads_set = False


def limit_threads(cores: int) -> None:
    """Give this worker process's TensorFlow its share of the cores (before TensorFlow starts its pools)."""
    global _threads_set
    if _threads_set:
        return
    _threads_set = True
    from ..model.adapter import tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(cores)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # TensorFlow already running in this process: keep its pools
        pass


def probe_files(expected: dict[str, str]) -> list[str]:
    """On a worker: which of the client's files are missing or differ here."""
    from ..outputs.provenance import file_sha256

    problems = []
    for path, digest in expected.items():
        if not Path(path).is_file():
            problems.append(f"{path}: no such file")
        elif file_sha256(Path(path)) != digest:
            problems.append(f"{path}: differs from the client's copy (SHA-256)")
    return problems


@functools.lru_cache(maxsize=2)
def _opened(data: DataSpec) -> RowSource:
    """The signal file, opened once per worker process."""
    return data.open()


_shipped_folder: Path | None = None


def _unpacked(plan: Plan, shipped: dict[str, tuple[str, bytes]]) -> Plan:
    """The plan with the shipped model (and custom objects) written once into this worker's temp folder."""
    global _shipped_folder
    if _shipped_folder is None:
        _shipped_folder = Path(tempfile.mkdtemp(prefix="signalscreen-worker-"))
    paths = {}
    for role, (suffix, content) in shipped.items():
        path = _shipped_folder / f"{hashlib.sha256(content).hexdigest()}{suffix}"
        if not path.exists():
            path.write_bytes(content)
        paths[role] = path
    return replace(
        plan, model=replace(plan.model, **{"path": paths["model"], "custom_objects": paths.get("custom_objects")})
    )


def run_chunk(
    plan: Plan, number: int, signals: np.ndarray | None, shipped: dict[str, tuple[str, bytes]] | None, cores: int
) -> tuple[int, ChunkResult, float, str]:
    """One task: chunk ``number`` of the plan attributed on this worker; also its busy time and name."""
    from distributed import get_worker

    from .executor import attribute_rows

    started = time.perf_counter()
    limit_threads(cores)
    if shipped is not None:
        plan = _unpacked(plan, shipped)
    adapter = plan.model.load()
    rows = plan.chunk(number)
    x = signals if signals is not None else plan.data.read(_opened(plan.data), rows)
    chunk = attribute_rows(plan, number, adapter, plan.build_methods(), x)
    return number, chunk, time.perf_counter() - started, get_worker().address
