"""Model files in, a :class:`models.ModelAdapter` out: ``.keras``, legacy ``.h5`` and SavedModel folders."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

from ..errors import ModelFileError
from .adapter import DEFAULT_BATCH_SIZE, ModelAdapter, keras, tf
from .path import check_model_path
from .safety import check_no_code


def load_model(
    path: str | Path,
    *,
    batch_size: int | None = DEFAULT_BATCH_SIZE,
    memory_budget: int | None = None,
    jit: bool = False,
    unsafe: bool = False,
    custom_objects: str | Path | None = None,
    output_steps: tuple[int, int | None] | None = None,
    output: str | int | None = None,
    signal_input: str | None = None,
) -> ModelAdapter:
    """Load a ``.keras``/``.h5`` model (or a SavedModel folder) for inference.

    Serialised code (``Lambda`` layers) is refused in both formats unless ``unsafe``; ``custom_objects`` is
    a Python file whose classes and functions are handed to Keras (the user chose to run it);
    ``output_steps`` are the steps a per-step model's target sums over; ``output`` the head explained,
    ``signal_input`` the input the signals feed (multi-input models). A
    ``batch_size`` of ``None`` is chosen to fit ``memory_budget`` bytes (see ``models.auto_batch_size``).
    """
    path = Path(path)
    check_model_path(path)
    if path.is_dir():
        return ModelAdapter(
            _saved_model(path), batch_size=batch_size, memory_budget=memory_budget, jit=jit, has_layers=False
        )
    check_no_code(path, unsafe)
    objects = _import_custom_objects(Path(custom_objects)) if custom_objects else None
    try:
        with keras.saving.custom_object_scope(objects or {}):
            model = keras.saving.load_model(path, compile=False, safe_mode=not unsafe)
    except Exception as exc:  # Keras raises many unrelated types for bad files
        message = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        missing = re.search(r"(?:Could not locate (?:class|function)|Unknown (?:layer|object)):? '([^']+)'", str(exc))
        if missing:
            raise ModelFileError(
                f"{path}: the model uses {missing.group(1)!r}, whose code is not part of Keras",
                "pass --custom-objects FILE.py defining it",
            ) from exc
        raise ModelFileError(f"{path}: cannot load model: {message}") from exc
    return ModelAdapter(
        model,
        batch_size=batch_size,
        memory_budget=memory_budget,
        jit=jit,
        output_steps=output_steps,
        output=output,
        signal_input=signal_input,
    )


def _import_custom_objects(path: Path) -> dict[str, Any]:
    """Public classes and functions of a user's Python file, by name."""
    if not path.is_file() or path.suffix != ".py":
        raise ModelFileError(f"{path}: --custom-objects needs a .py file")
    spec = importlib.util.spec_from_file_location(f"signalscreen_custom_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ModelFileError(f"{path}: cannot import")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # user code: any failure is reported as a load problem
        raise ModelFileError(f"{path}: importing custom objects failed: {type(exc).__name__}: {exc}") from exc
    return {name: value for name, value in vars(module).items() if not name.startswith("_") and callable(value)}


def _saved_model(path: Path) -> keras.Model:
    """A TensorFlow SavedModel (``model.export()``) wrapped for inference through ``TFSMLayer``."""
    try:
        loaded = tf.saved_model.load(str(path))
        endpoint = "serve" if "serve" in loaded.signatures else "serving_default"
        specs = loaded.signatures[endpoint].structured_input_signature[1]
        if len(specs) != 1:
            raise ModelFileError(f"{path}: SavedModel has {len(specs)} inputs; one signal input is supported")
        spec = next(iter(specs.values()))
        inputs = keras.Input(tuple(spec.shape[1:]), dtype=spec.dtype)
        outputs = keras.layers.TFSMLayer(str(path), call_endpoint=endpoint)(inputs)
        if isinstance(outputs, dict):
            if len(outputs) != 1:
                raise ModelFileError(f"{path}: SavedModel has {len(outputs)} outputs; one is supported")
            outputs = next(iter(outputs.values()))
        return keras.Model(inputs, outputs, name=path.name)
    except ModelFileError:
        raise
    except Exception as exc:
        raise ModelFileError(f"{path}: cannot load SavedModel: {str(exc).splitlines()[0][:300]}") from exc
