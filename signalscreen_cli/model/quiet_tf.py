"""TensorFlow and Keras, imported once and quietly: every module of the package that needs them imports them
from here (or from ``model.adapter``, which re-exports them)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


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

__all__ = ["keras", "tf"]
