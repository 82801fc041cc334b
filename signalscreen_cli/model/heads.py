"""A model's output heads by name, and the one-head model an adapter explains.

Imported by ``model.adapter`` after its quiet TensorFlow import. The adapter explains one head: the model
cut to ``keras.Model(model.inputs, model.outputs[k])``, so every compiled call, the logit search and the
CAM cuts work on it unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ModelFileError, UsageError

if TYPE_CHECKING:
    import keras


def head_names(model: keras.Model) -> list[str]:
    """Each output's name: the layer that makes it (what ``model.output_names`` lists)."""
    return [output._keras_history.operation.name for output in model.outputs]


def head_index(names: list[str], output: str | int) -> int:
    """The position of ``output`` (a head name or an index) among ``names``."""
    text = str(output)
    if text in names:
        return names.index(text)
    if text.lstrip("-").isdigit() and -len(names) <= int(text) < len(names):
        return int(text) % len(names)
    raise UsageError(f"--output {text}: the model's outputs are {', '.join(names)}", "give a name, an index or all")


def choose_head(model: keras.Model, output: str | int | None) -> tuple[keras.Model, str | None]:
    """The one-head model explained, and its head's name (``None`` for a model with one output, not chosen)."""
    import keras  # already imported by model.adapter, quietly

    names = head_names(model)
    if output is None:
        if len(names) == 1:
            return model, None
        raise ModelFileError(
            f"model has {len(names)} outputs ({', '.join(names)})",
            "choose the head with --output NAME|INDEX, or --output all to explain each",
        )
    if str(output) == "all":
        raise UsageError("--output all is explain's: one result per head", "choose one head with --output NAME|INDEX")
    index = head_index(names, output)
    if len(names) == 1:
        return model, names[0]
    return keras.Model(model.inputs, model.outputs[index], name=f"{model.name}_{names[index]}"), names[index]
