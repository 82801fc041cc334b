"""SignalScreen: attribution maps for 1D-signal Keras models, from the command line or Python.

The Python API runs the same pipeline as the CLI::

    from signalscreen_cli import explain
    result = explain("model.keras", "beats.npy", "out", methods=("saliency", "gradcam"))   # writes out/
    held = explain(keras_model, beats_array, methods=("saliency",))                       # in memory
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import Explainer as ExplainerType
    from .model.adapter import ModelAdapter
    from .pipeline import MemoryResult, RunResult
    from .signals.files import SignalSet

__all__ = ["Explainer", "__version__", "explain", "load_model", "load_signals"]


def explain(model: Any, data: Any, out: str | Path | None = None, **options: Any) -> RunResult | MemoryResult:
    """Attribute ``data`` with ``model`` (paths, or a ``keras.Model`` and an array); see :func:`api.explain`."""
    from .api import explain as run_explain

    return run_explain(model, data, out, **options)


def Explainer(model: Any, methods: Any = None, **options: Any) -> ExplainerType:
    """A model and methods set up once for many calls; see :class:`api.Explainer`."""
    from .api import Explainer as ExplainerClass
    from .methods import DEFAULT_METHODS

    return ExplainerClass(model, methods or DEFAULT_METHODS, **options)


def load_model(path: str | Path, **options: Any) -> ModelAdapter:
    """Load a ``.keras``/``.h5`` model as a :class:`models.ModelAdapter`."""
    from .model.files import load_model as _load

    return _load(path, **options)


def load_signals(path: str | Path, **options: Any) -> SignalSet:
    """Read a signal file as float32 ``(n, L, C)`` (see :func:`signals.read_signals`)."""
    from .signals.files import read_signals

    return read_signals(path, **options)
