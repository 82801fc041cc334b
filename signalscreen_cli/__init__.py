"""SignalScreen: attribution maps for 1D-signal Keras models, from the command line or Python.

The Python API runs the same pipeline as the CLI::

    from signalscreen_cli import explain
    result = explain("model.keras", "beats.npy", out_dir="out", methods=("saliency", "gradcam"))
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .models import ModelAdapter
    from .pipeline import RunResult
    from .signals import SignalSet

__all__ = ["__version__", "explain", "load_model", "load_signals"]


def explain(model: str | Path, data: str | Path, out_dir: str | Path, **options: Any) -> RunResult:
    """Run ``signalscreen explain``.

    ``options`` are fields of :class:`request.ExplainRequest` or method options, by declared name
    (``sliding_window=(15,)``) or by option name (``window=15``, ``steps=32``).
    """
    from .pipeline import run
    from .request import explain_request

    return run(explain_request(Path(model), Path(data), Path(out_dir), **options))


def load_model(path: str | Path, **options: Any) -> ModelAdapter:
    """Load a ``.keras``/``.h5`` model as a :class:`models.ModelAdapter`."""
    from .model_files import load_model as _load

    return _load(path, **options)


def load_signals(path: str | Path, **options: Any) -> SignalSet:
    """Read a signal file as float32 ``(n, L, C)`` (see :func:`signals.read_signals`)."""
    from .signals import read_signals

    return read_signals(path, **options)
