"""Which model input the signals feed, where the others come from, and which output head is explained.

Standard library only (the CLI builds it before anything heavy is imported); each field is declared once,
so the CLI options are generated from it as the methods' are.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import UsageError
from .params import INPUT_PANEL, Parameters, param

EVERY_HEAD = "all"
"""``--output all``: every head explained, each into its own sub-folder (``pipeline/heads.py``)."""


@dataclass(frozen=True)
class InputsSpec(Parameters):
    """The model's inputs and outputs as the user matched them (one ``ExplainRequest`` field, ``io``).

    Attributes
    ----------
    output : str or None
        The output head explained, by layer name or index, or ``all``; ``None``: the model's only output.
    signal_input : str or None
        The input the signal file feeds; ``None``: the one ``(L,)``/``(L, C)`` input.
    inputs : tuple of str
        ``NAME=FILE`` (``FILE:KEY`` for an ``.npz``) for each other input: one row per signal.
    """

    output: str | None = param(
        None,
        "Multi-output model: the head explained, or all.",
        panel=INPUT_PANEL,
        metavar="NAME|K|all",
    )
    signal_input: str | None = param(
        None,
        "Multi-input model: the input DATA feeds.",
        panel=INPUT_PANEL,
        metavar="NAME",
    )
    inputs: tuple[str, ...] = param(
        (),
        "Multi-input model: another input, a row a signal.",
        flags=("--input",),
        panel=INPUT_PANEL,
        metavar="NAME=FILE",
    )

    def check(self) -> None:
        seen: set[str] = set()
        for entry in self.inputs:
            name, equals, path = entry.partition("=")
            if not equals or not name.strip() or not path.strip():
                raise UsageError(f"--input must look like NAME=FILE, not {entry!r}")
            if name.strip() in seen:
                raise UsageError(f"--input {name.strip()} is given twice")
            seen.add(name.strip())

    @property
    def every_head(self) -> bool:
        return self.output == EVERY_HEAD

    def files(self) -> dict[str, str]:
        """The other inputs' files by input name (``FILE`` or ``FILE:KEY``)."""
        return {name.strip(): path.strip() for name, _, path in (entry.partition("=") for entry in self.inputs)}
