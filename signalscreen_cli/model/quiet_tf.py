"""TensorFlow and Keras, imported once and quietly: every module of the package that needs them imports them
from here (or from ``model.adapter``, which re-exports them)."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

TRACED_PER_SIGNATURE: set[str] = set()
"""Qualified names of the package's functions compiled once per signature on purpose (one ``tf.function``
each, traced once): TensorFlow's warning that they "triggered tf.function retracing" is noise for them."""


def traced_per_signature(function: Callable[..., Any]) -> Callable[..., Any]:
    """Mark ``function`` as compiled into one ``tf.function`` per signature (see ``TRACED_PER_SIGNATURE``)."""
    TRACED_PER_SIGNATURE.add(function.__qualname__)
    return function


class _OwnRetracing(logging.Filter):
    """Drops TensorFlow's frequent-retracing warning for the functions in ``TRACED_PER_SIGNATURE``: it counts
    traces by code object, so several compiled calls of one function (an occlusion run of three window widths
    compiles six) read as retracing. Any other function's warning still shows."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "triggered tf.function retracing" not in message or not any(
            f"<function {name} at" in message for name in TRACED_PER_SIGNATURE
        )


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Hide the C++ start-up chatter TensorFlow writes to fd 2 before its log level applies.

    Only when ``TF_CPP_MIN_LOG_LEVEL`` is 3 (the CLI sets it unless ``--debug``).
    """
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL") != "3":
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as sink:
            os.dup2(sink.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


with _native_stderr_silenced():
    import keras
    import tensorflow as tf

    tf.config.list_physical_devices()
    tf.get_logger().addFilter(_OwnRetracing())

__all__ = ["keras", "tf"]
