"""Which of a model's inputs takes the signal, and what the others are (name, shape, dtype).

No TensorFlow here: it reads the Keras model's input tensors it is given. The signal input is the one named
by ``--signal-input``, else the one ``(L, C)`` input, else the only input; every other input is a *context*
input whose values come from ``--input NAME=FILE`` (or the API's dict), one row per signal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import MethodNotApplicableError, ModelFileError, UsageError

Context = Sequence[np.ndarray]
"""The context inputs' rows, one array per context input in the model's order, a row per signal row."""


@dataclass(frozen=True)
class ContextInput:
    """One input of the model besides the signal.

    Attributes
    ----------
    name : str
        The input's name (``keras.Input(name=...)``).
    shape : tuple of int
        One row's shape, without the batch axis (``(F,)`` for F features).
    dtype : str
        The input's dtype (context rows are cast to it).
    """

    name: str
    shape: tuple[int, ...]
    dtype: str = "float32"


@dataclass(frozen=True)
class InputRoles:
    """The model's inputs in its own order: which is the signal and which are context.

    Attributes
    ----------
    names : tuple of str
        Every input's name, in ``model.inputs`` order.
    signal : str
        The signal input's name.
    context : tuple of ContextInput
        The other inputs, in ``model.inputs`` order.
    """

    names: tuple[str, ...]
    signal: str
    context: tuple[ContextInput, ...] = ()

    def ordered(self, signal: Any, context: list[Any] | tuple[Any, ...]) -> Any:
        """The model's call argument: the signal alone for a one-input model, else every input in order."""
        if not self.context:
            return signal
        given = {item.name: value for item, value in zip(self.context, context, strict=True)}
        return [signal if name == self.signal else given[name] for name in self.names]


def _shape_of(tensor: Any) -> tuple[int | None, ...]:
    return tuple(tensor.shape[1:])


def _input_name(tensor: Any, position: int) -> str:
    name = getattr(tensor, "name", None) or f"input_{position}"
    return str(name).split(":")[0]


def input_roles(inputs: list[Any], signal_input: str | None = None) -> InputRoles:
    """The roles of the Keras input tensors ``inputs`` (``--signal-input`` names the signal's)."""
    names = tuple(_input_name(tensor, k) for k, tensor in enumerate(inputs))
    shapes = {name: _shape_of(tensor) for name, tensor in zip(names, inputs, strict=True)}
    listed = ", ".join(f"{name} {shapes[name]}" for name in names)
    if signal_input is not None:
        if signal_input not in names:
            raise UsageError(f"--signal-input {signal_input}: the model's inputs are {listed}")
        signal = signal_input
    elif len(names) == 1:
        signal = names[0]
    else:
        sequences = [name for name in names if len(shapes[name]) == 2]
        if len(sequences) != 1:
            found = "none" if not sequences else f"{len(sequences)}"
            raise ModelFileError(
                f"model has {len(names)} inputs ({listed}), {found} of shape (L, C): "
                "which takes the signal is not clear",
                "name the signal's input with --signal-input NAME (the others come from --input NAME=FILE)",
            )
        signal = sequences[0]
    context = []
    for name, tensor in zip(names, inputs, strict=True):
        if name == signal:
            continue
        shape = shapes[name]
        if any(size is None for size in shape):
            raise ModelFileError(f"model input {name} has a free dimension {shape}; other inputs need a fixed shape")
        context.append(ContextInput(name, tuple(int(v) for v in shape), str(getattr(tensor, "dtype", "float32"))))
    return InputRoles(names, signal, tuple(context))


def check_context(inputs: tuple[ContextInput, ...], context: Context, rows: int) -> list[np.ndarray]:
    """``context`` as arrays of each input's dtype, checked against the inputs and the ``rows`` of a call."""
    if len(context) != len(inputs):
        names = ", ".join(item.name for item in inputs)
        raise MethodNotApplicableError(
            f"a model call got {len(context)} of the model's {len(inputs)} other inputs ({names})",
            "a method must call the model through the adapter it is given, with every row's own inputs",
        )
    checked = []
    for item, values in zip(inputs, context, strict=True):
        values = np.asarray(values, dtype=item.dtype)
        if values.shape != (rows, *item.shape):
            raise MethodNotApplicableError(
                f"model input {item.name}: {values.shape[:1]} rows of {values.shape[1:]} for {rows} signals of "
                f"{item.shape}"
            )
        checked.append(values)
    return checked
