"""The report's content and its promises that need no browser: sections, alt text, nothing external, size."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from typer.testing import CliRunner

from signalscreen_cli.cli import app
from signalscreen_cli.errors import ExitCode


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


class Page(HTMLParser):
    """Tags and attributes of a page, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def test_the_run_report_shows_both_classes_with_every_method(reports):
    html = reports["run"].read_text(encoding="utf-8")
    page = Page(html)
    text = " ".join(page.text)
    for heading in ("Predictions", "Confusion matrix", "Class N", "Class V", "Agreement between methods", "The run"):
        assert heading in text, heading
    assert text.count("Prototype: signal") == 2
    assert re.search(r"occlusion_w15\s*: top segments \(s\)", text) and re.search(r"gradcam\s*: top segments", text)
    assert "Accuracy 1.000 on 32 labelled signals" in text and "No signal is misclassified." in text
    assert len(re.findall(r"SHA-256 \s*[0-9a-f]{64}", text)) == 2


def test_every_figure_is_inline_svg_with_alt_text(reports):
    page = Page(reports["combined"].read_text(encoding="utf-8"))
    images = page.all("img")
    assert len(images) >= 20
    for image in images:
        assert image["src"].startswith("data:image/svg+xml;base64,")
        assert image["alt"] and len(image["alt"]) > 20


def test_nothing_is_fetched_and_no_script_is_needed(reports):
    html = reports["combined"].read_text(encoding="utf-8")
    page = Page(html)
    assert not page.all("script") and not page.all("link") and not page.all("iframe")
    for name, attrs in page.tags:
        for key in ("src", "href", "srcset", "poster", "data"):
            value = attrs.get(key) or ""
            assert not value or value.startswith(("data:", "#")), (name, key, value[:80])
    assert "@import" not in html and "url(" not in html and "@font-face" not in html


def test_the_evaluation_is_in_the_evaluate_and_combined_reports(reports):
    for key in ("evaluation", "combined"):
        text = " ".join(Page(reports[key].read_text(encoding="utf-8")).text)
        assert "Deletion AUC: lower is better" in text and "random" in text
    assert "Class V" in " ".join(Page(reports["evaluation"].read_text(encoding="utf-8")).text)  # --from's summaries


def test_the_sample_report_is_well_under_5_mb(reports):
    assert reports["combined"].stat().st_size < 2_000_000


def test_a_folder_that_is_not_a_run_is_a_usage_error(tmp_path):
    result = invoke("report", tmp_path)
    assert result.exit_code == ExitCode.USAGE
    assert f"Error: {tmp_path}: no manifest.json; give the --out folder of a finished `signalscreen explain` run" in (
        result.output
    )
    missing = invoke("report", tmp_path / "nowhere")
    assert missing.exit_code == ExitCode.USAGE and "no such folder" in missing.output
