"""Progress reporters for the pipeline's ``progress(method, done, total)`` callback."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn


@contextmanager
def rich_bars(console: Console, enabled: bool) -> Iterator[Any]:
    """One Rich bar per method (signals done, rate, ETA) on ``console``; silent when not ``enabled``."""
    with Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=console,
        disable=not enabled,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(method: str, done: int, total: int) -> None:
            if method not in tasks:
                tasks[method] = bar.add_task(method, total=total, rate="")
            speed = bar.tasks[tasks[method]].speed
            bar.update(tasks[method], completed=done, rate=f"{speed:.0f} signals/s" if speed else "")

        yield progress


class JsonProgress:
    """One JSON line per update on stderr, for CI logs: method, done, total, rate and ETA."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, method: str, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        line = {
            "event": "progress",
            "method": method,
            "done": done,
            "total": total,
            "elapsed_s": round(elapsed, 3),
            "signals_per_s": round(rate, 2),
            "eta_s": round((total - done) / rate, 1) if rate > 0 else None,
        }
        print(json.dumps(line), file=sys.stderr, flush=True)
