"""What ``evaluate`` writes, as a table of sinks: each row says when its file is wanted and builds its sink.

Every file describes the whole evaluation, so each sink writes at close (``sinks.finished``), from the
:class:`EvaluationOutputs` it is built from and the record carrying ``evaluation.json``'s document. A new
output is one builder plus one row; ``report.html`` stays last, as it reads what the others wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..records import RunRecord, writing
from ..sinks.finished import FinishedFile, FinishedOutputs
from ..sinks.table import SinkRow

if TYPE_CHECKING:
    from ..gates.checks import Gate
    from .curves import Curves
    from .extra_scores import ExtraResults
    from .randomization import Randomization
    from .request import EvaluateRequest


@dataclass(frozen=True)
class EvaluationOutputs(FinishedOutputs):
    """What ``evaluate``'s sinks build themselves from, besides the folder and the request.

    Attributes
    ----------
    rows : list of dict
        The summary, one row per map then the random references.
    gates : list of Gate
        The gates of ``--fail-on``, passed or not.
    curves : dict of str to Curves
        Deletion and insertion curves per map.
    randomization : Randomization or None
        The randomisation check, unless skipped.
    extra : ExtraResults
        The optional scores' CSV tables and Markdown.
    signals : int
        How many signals were scored.
    output_activation : str
        The model's output activation (the curves' axis says probability or output).
    """

    request: EvaluateRequest
    rows: list[dict[str, Any]]
    gates: list[Gate]
    curves: dict[str, Curves]
    randomization: Randomization | None
    extra: ExtraResults
    signals: int
    output_activation: str


def document(run: EvaluationOutputs) -> FinishedFile:
    from .report import write_json

    return FinishedFile(run.folder / "evaluation.json", lambda path, record: write_json(path, record.manifest))


def summary_table(run: EvaluationOutputs) -> FinishedFile:
    from .report import write_csv

    return FinishedFile(run.folder / "evaluation.csv", lambda path, record: write_csv(path, run.rows))


def summary(run: EvaluationOutputs) -> FinishedFile:
    def produce(path: Path, record: RunRecord) -> None:
        from .report import summary_markdown

        path.write_text(summary_markdown(run.rows, run.gates, run.signals, run.request) + run.extra.markdown)

    return FinishedFile(run.folder / "summary.md", produce)


def score_tables(run: EvaluationOutputs) -> FinishedFile:
    """The optional scores' CSV files (``truth.csv``, ``robustness.csv``…), each named if it fails."""

    def produce(folder: Path, record: RunRecord) -> None:
        for name, write, rows in run.extra.files:
            with writing(folder / name):
                write(folder / name, rows)

    return FinishedFile(run.folder, produce)


def figures(run: EvaluationOutputs) -> FinishedFile:
    def produce(folder: Path, record: RunRecord) -> None:
        from .plots import write_figures

        squashed = run.output_activation in ("softmax", "sigmoid")
        label = "target probability" if squashed else "target output"
        write_figures(folder, run.curves, run.randomization, run.request.formats, label)

    return FinishedFile(run.folder, produce)


def report(run: EvaluationOutputs) -> FinishedFile:
    def produce(path: Path, record: RunRecord) -> None:
        from ..report.build import write_report

        # --from already checked model and data; a --samples subset is shown, with the banner saying so
        write_report(run.request.from_dir, run.folder, path, run.request.explain.out_dir, True)

    from ..report.build import REPORT_FILE

    return FinishedFile(run.folder / REPORT_FILE, produce)


EVALUATE_SINKS: tuple[SinkRow[EvaluationOutputs], ...] = (
    SinkRow("evaluation.json", lambda run: True, "..evaluation.sinks:document"),
    SinkRow("evaluation.csv", lambda run: True, "..evaluation.sinks:summary_table"),
    SinkRow("summary.md", lambda run: True, "..evaluation.sinks:summary"),
    SinkRow("score tables", lambda run: bool(run.extra.files), "..evaluation.sinks:score_tables"),
    SinkRow("figures", lambda run: run.request.plots, "..evaluation.sinks:figures"),
    SinkRow("report.html", lambda run: run.request.report, "..evaluation.sinks:report"),  # last: reads the others
)
