"""Build ``report.html`` from an explain output folder and/or an evaluate output folder.

The page is one file that works offline: figures are SVG data URIs, styles are inline, there is no script,
no web font and no link that loads anything.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..outputs.provenance import package_versions
from ..records import writing

REPORT_FILE = "report.html"


def report_context(
    run: Path | None, evaluation: Path | None, evaluation_name: Path | None = None, allow_mismatch: bool = False
) -> dict[str, Any]:
    """Everything the template shows (``evaluation_name``: how to name the evaluation folder, when it is
    still being written elsewhere). An evaluation of another model, data file or rows than the run's is
    refused unless ``allow_mismatch``; then ``join_warnings`` says how they differ."""
    from ..results.reader import read_result
    from . import content, figures

    figures.forget_thumbnails()
    context: dict[str, Any] = {
        "version": package_versions().get("signalscreen", "unknown"),
        "generated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "run": None,
        "evaluation": content.evaluation_section(evaluation, evaluation_name) if evaluation else None,
        "join_warnings": [],
    }
    if run is None:
        return context
    if evaluation is not None:
        context["join_warnings"] = _check_evaluation(run, evaluation, evaluation_name, allow_mismatch)
    stored = read_result(run, str(run))
    stored.verify()  # the page describes this run: its arrays must be the ones it wrote
    found = stored.summary()
    context["run"] = content.run_facts(stored)
    context["warnings"] = content.run_warnings(stored, found[1] if found else None)
    if context["evaluation"]:
        context["warnings"] += [
            f"evaluate: {row['map']} fails the weight-randomisation check (its maps barely change when the "
            f"model's weights are randomised: correlation {row['randomization_correlation']:.2f})"
            for row in context["evaluation"]["rows"]
            if row.get("randomization_check") == "fail"
        ]
        context["warnings"] += [
            f"evaluate gate failed: {gate['subject']}: {gate['check']} (measured {gate['value']:.3g})"
            for gate in context["evaluation"]["gates"]
            if not gate.get("passed", True)
        ]
    if found is None:
        return context
    arrays, document = found
    context["summary"] = document
    context["classes"] = content.class_sections(arrays, document, stored.manifest)
    from .feature_sections import feature_sections

    charts = feature_sections(stored)  # a multi-input run's other inputs, per class (none for one input)
    for section in context["classes"]:
        section["features"] = charts.get(str(section["name"]), [])
    context["true_classes"] = content.true_classes(document)
    labels = document.get("labels")
    context["labels"] = labels
    context["misclassified"] = (
        content.examples(arrays, document, arrays["misclassified_shown"], "misclassified") if labels else []
    )
    context["least_sure"] = content.examples(arrays, document, arrays["least_sure"][:6], "least sure")
    context["gallery"] = content.gallery(arrays, document, arrays["predicted"])
    context["gallery_caption"] = content.gallery_caption(context["gallery"], document.get("gallery", 16))
    return context


def _check_evaluation(run: Path, evaluation: Path, name: Path | None, allow: bool) -> list[str]:
    """The run and the evaluation must share model, data and rows (``--allow-mismatch`` shows them anyway)."""
    import json

    from ..results.joins import check_join, evaluation_source, run_source

    document = json.loads((evaluation / "evaluation.json").read_text(encoding="utf-8"))  # read once already
    where = f"--evaluation {name or evaluation}"
    return check_join(run_source(run), evaluation_source(document, where), allow, "--allow-mismatch")


def render(context: dict[str, Any]) -> str:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("signalscreen_cli.report", "."),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["number"] = _number
    return environment.get_template("report.html.j2").render(**context)


def write_report(
    run: Path | None,
    evaluation: Path | None,
    destination: Path,
    evaluation_name: Path | None = None,
    allow_mismatch: bool = False,
) -> Path:
    """Render the report and write it atomically to ``destination``."""
    if run is None and evaluation is None:
        raise UsageError("give an explain output folder, an --evaluation folder, or both")
    from ..plots.quiet_gc import old_objects_frozen

    with old_objects_frozen():  # its figures: the collector looks at their objects only
        html = render(report_context(run, evaluation, evaluation_name, allow_mismatch))
    folder = destination.absolute().parent
    with writing(destination):
        folder.mkdir(parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(prefix=f".{destination.name}.", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(html)
            os.chmod(staging, 0o644)  # mkstemp's 0600 would hide the page from a web server or a colleague
            os.replace(staging, destination)
        except BaseException:
            Path(staging).unlink(missing_ok=True)
            raise
    return destination


def _number(value: Any, digits: int = 3) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1e-3 or abs(value) >= 1e4 else f"{value:.{digits}f}"
    return str(value)
