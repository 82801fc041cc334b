"""Ctrl-C and SIGTERM: remembered as well as raised, so a signal that lands where Python swallows exceptions
(a finaliser, a callback) still stops the run at its next check instead of letting it finish."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import RunInterrupted

_stop = threading.Event()


def _on_signal(signum: int, frame: Any) -> None:
    _stop.set()
    raise KeyboardInterrupt


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Route SIGINT and SIGTERM to an interruption for the duration of a command."""
    _stop.clear()
    previous = {signum: signal.signal(signum, _on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}
    unraisable = sys.unraisablehook

    def quiet_when_stopped(details: Any) -> None:
        # the signal landed in a finaliser, which Python reports as "Exception ignored in …" with a traceback:
        # it is remembered in _stop and stops the run at its next check, so there is nothing to show
        if not isinstance(details.exc_value, KeyboardInterrupt):
            unraisable(details)

    sys.unraisablehook = quiet_when_stopped
    try:
        yield
    finally:
        sys.unraisablehook = unraisable
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def check() -> None:
    """Raise :class:`RunInterrupted` if a stop signal has arrived."""
    if _stop.is_set():
        raise RunInterrupted(RunInterrupted.__doc__ or "interrupted")
