"""Errors that reach the user: each kind carries its exit code and a hint.

Library code raises these; only ``cli.py`` turns them into a message and an exit code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented process exit codes (see README)."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    SIGNAL_FILE = 3
    MODEL_FILE = 4
    SHAPE_MISMATCH = 5
    METHOD_NOT_APPLICABLE = 6
    OUTPUT = 7
    PLUGIN = 8
    GATE = 9
    CLUSTER = 10
    INTERRUPTED = 130


class SignalScreenError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"

    def __reduce__(self) -> tuple[type, tuple[str, str | None]]:
        # raised inside a Dask task, it must arrive as itself: same class, message and hint
        return type(self), (self.message, self.hint)


class UsageError(SignalScreenError):
    """An option or argument is invalid or contradicts another."""

    exit_code = ExitCode.USAGE


class SignalFileError(SignalScreenError):
    """The signal file is missing, unreadable or holds invalid values."""

    exit_code = ExitCode.SIGNAL_FILE


class ModelFileError(SignalScreenError):
    """The model file is missing, unreadable, unsafe or unsupported."""

    exit_code = ExitCode.MODEL_FILE


class ShapeMismatchError(SignalScreenError):
    """The signals do not fit the model's input."""

    exit_code = ExitCode.SHAPE_MISMATCH


class MethodNotApplicableError(SignalScreenError):
    """The chosen method cannot run on this model (e.g. Grad-CAM without a conv layer)."""

    exit_code = ExitCode.METHOD_NOT_APPLICABLE


class OutputError(SignalScreenError):
    """The output folder cannot be written or already exists."""

    exit_code = ExitCode.OUTPUT


class RunInterrupted(SignalScreenError):
    """The run was stopped by Ctrl-C or SIGTERM; nothing was written."""

    exit_code = ExitCode.INTERRUPTED


class PluginError(SignalScreenError):
    """A plugin method cannot be imported or breaks the method contract."""

    exit_code = ExitCode.PLUGIN


class GateFailed(SignalScreenError):
    """A quality gate (``--fail-below``, ``--fail-on-flips``, ``--fail-on``) failed; every output was written."""

    exit_code = ExitCode.GATE


class ClusterError(SignalScreenError):
    """The Dask cluster cannot be reached, lacks the extra, or its workers cannot run the plan."""

    exit_code = ExitCode.CLUSTER
