"""Quality gates: checks a CI job can fail on, with the measured value and the threshold of each.

Commands compute their gates after writing every output; ``enforce`` then raises ``GateFailed`` (its own
exit code) naming each gate that failed and by how much.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import GateFailed


@dataclass(frozen=True)
class Gate:
    """One check of one subject.

    Attributes
    ----------
    subject : str
        What is checked: a map, a method, or ``predictions``.
    check : str
        The rule, e.g. ``median Pearson (magnitude) >= 0.8``.
    value : float
        What was measured.
    threshold : float
        The limit the rule compares it with.
    passed : bool
        Whether the rule holds.
    """

    subject: str
    check: str
    value: float
    threshold: float
    passed: bool

    def describe(self) -> str:
        return f"{self.subject}: {self.check} (measured {self.value:.4g}, threshold {self.threshold:.4g})"


def enforce(gates: Sequence[Gate]) -> None:
    """Raise ``GateFailed`` listing every failed gate; do nothing when all pass."""
    failed = [gate for gate in gates if not gate.passed]
    if failed:
        listed = "; ".join(gate.describe() for gate in failed)
        raise GateFailed(f"{len(failed)} of {len(gates)} gates failed: {listed}", "every output was written")


def gate_lines(gates: Sequence[Gate]) -> list[str]:
    """Markdown lines for a job summary: a heading and one line per gate (none without gates)."""
    if not gates:
        return []
    failed = sum(not gate.passed for gate in gates)
    return ["", f"**Gates: {len(gates) - failed} passed, {failed} failed**", ""] + [
        f"- {'PASS' if gate.passed else 'FAIL'} {gate.describe()}" for gate in gates
    ]
