"""Gates as JUnit XML, the test-report format GitLab, Jenkins and GitHub reporters read natively.

One ``testsuite`` per command; one ``testcase`` per gate (``classname`` the command and subject, ``name``
the rule), with a ``failure`` carrying the measured value and the threshold when it failed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree

from ..records import writing
from .checks import Gate


def junit_document(suite: str, gates: Sequence[Gate], seconds: float) -> ElementTree.ElementTree:
    failures = sum(not gate.passed for gate in gates)
    counts = {"tests": str(len(gates)), "failures": str(failures), "errors": "0", "time": f"{seconds:.3f}"}
    root = ElementTree.Element("testsuites", {"name": "signalscreen", **counts})
    testsuite = ElementTree.SubElement(root, "testsuite", {"name": suite, **counts, "skipped": "0"})
    for gate in gates:
        case = ElementTree.SubElement(
            testsuite, "testcase", {"classname": f"{suite}.{gate.subject}", "name": gate.check, "time": "0"}
        )
        if not gate.passed:
            failure = ElementTree.SubElement(case, "failure", {"type": "gate", "message": gate.describe()})
            failure.text = f"measured {gate.value!r}, threshold {gate.threshold!r}"
    ElementTree.indent(root)
    return ElementTree.ElementTree(root)


def write_junit(path: Path, suite: str, gates: Sequence[Gate], seconds: float) -> None:
    """Write the report to ``path`` whole or not at all."""
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(handle)
        try:
            junit_document(suite, gates, seconds).write(temporary, encoding="utf-8", xml_declaration=True)
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
