"""Targets as objects: which model output each signal's map explains, parsed once from ``--target``.

``auto`` (the predicted class), ``all`` (every class), a class index, or a class by its ``--class-names``
name; any of them optionally over the output steps of a per-step model (``V@40:50``, ``1@all``). Nothing
downstream parses a target string again (tf-keras-vis ``utils/scores.py`` is the same idea).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import UsageError

if TYPE_CHECKING:
    import numpy as np

Steps = tuple[int, int | None]
"""Output steps ``[start, stop)`` a per-step model's target sums over; ``stop`` ``None``: to the end."""


@dataclass(frozen=True)
class Target:
    """One ``--target``.

    Attributes
    ----------
    kind : str
        ``auto``, ``all`` or ``class``.
    index : int or None
        The class, for ``class``.
    steps : tuple of int or None
        The output steps summed over (per-step models), or ``None``.
    spec : str
        The text it was parsed from.
    """

    kind: str = "auto"
    index: int | None = None
    steps: Steps | None = None
    spec: str = "auto"

    @classmethod
    def parse(cls, spec: str, class_names: Sequence[str] = ()) -> Target:
        label, at, steps = spec.partition("@")
        if label in ("auto", "all"):
            kind, index = label, None
        elif label.isdigit():
            kind, index = "class", int(label)
        elif label in class_names:
            kind, index = "class", list(class_names).index(label)
        else:
            names = f" or a class name ({', '.join(class_names)})" if class_names else ""
            raise UsageError(
                f"--target must be auto, all, a class index{names}, optionally @START:END or @all, not {spec!r}",
                None if class_names else "give --class-names to choose classes by name",
            )
        return cls(kind, index, parse_steps(spec, steps) if at else None, spec)

    @property
    def every_class(self) -> bool:
        return self.kind == "all"

    def select(self, predictions: np.ndarray) -> np.ndarray:
        """Per-signal targets ``(n,)`` for ``auto`` or a class; the class list ``(K,)`` for ``all``."""
        import numpy as np

        n_outputs = predictions.shape[1]
        if self.kind == "auto":
            if n_outputs == 1:
                return np.zeros(len(predictions), np.int32)
            return predictions.argmax(axis=1).astype(np.int32)
        if self.kind == "all":
            return np.arange(n_outputs, dtype=np.int32)
        index = -1 if self.index is None else self.index
        if not 0 <= index < n_outputs:
            raise UsageError(f"--target {self.spec} is outside the model's outputs 0..{n_outputs - 1}")
        return np.full(len(predictions), index, np.int32)


AUTO = Target()


def parse_steps(spec: str, steps: str) -> Steps:
    """``10:20`` as steps 10 to 19, ``all`` as every step."""
    if steps == "all":
        return (0, None)
    start, colon, stop = steps.partition(":")
    if not (colon and start.isdigit() and stop.isdigit() and int(start) < int(stop)):
        raise UsageError(f"--target {spec}: steps must be START:END with 0 <= START < END, or all")
    return (int(start), int(stop))
