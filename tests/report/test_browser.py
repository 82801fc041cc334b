"""The report in a real browser: Debian's headless ``chromium``, driven over the Chrome DevTools Protocol by
our own small client (``cdp.py``: no chromedriver, no selenium), with the network blocked and emulated
offline. Skipped, with the reason shown, only where Chromium is not installed."""

from __future__ import annotations

import io
import re
import time

import numpy as np
import pytest
from matplotlib.image import imread

from tests.report.cdp import BROWSER, needs_browser

pytestmark = needs_browser


def open_page(browser, path):
    browser.resize(1280, 900)
    browser.navigate(path.as_uri())
    return browser


def requests_made(browser, page_url: str) -> list[str]:
    """Every URL the browser asked for, other than the page itself and the data: URIs inside it."""
    return [url for url in browser.requests() if url != page_url and not url.startswith("data:")]


@pytest.mark.parametrize("which", ["run", "combined"])
def test_the_report_loads_offline_without_requests_or_console_errors(browser, reports, which):
    page = open_page(browser, reports[which])
    assert page.evaluate("document.title").startswith("SignalScreen report")
    assert page.evaluate("performance.getEntriesByType('resource').length") == 0
    assert requests_made(page, reports[which].as_uri()) == []
    assert page.errors() == []


def test_every_figure_is_drawn_with_a_size(browser, reports):
    page = open_page(browser, reports["combined"])
    images = page.evaluate(
        """[...document.images].map(image => {
            const box = image.getBoundingClientRect();
            return {alt: image.alt, decoded: image.complete && image.naturalWidth, width: box.width,
                    height: box.height};
        })"""
    )
    assert len(images) >= 20
    for image in images:
        assert image["decoded"] and image["decoded"] > 0, image["alt"]
        assert image["width"] > 100 and image["height"] > 40, image["alt"]
        assert image["alt"]


def test_screenshots_are_not_blank_at_desktop_and_phone_width(browser, reports):
    page = open_page(browser, reports["combined"])
    for width in (1280, 390):
        page.resize(width, 900)
        assert page.evaluate("window.innerWidth") == width  # the viewport, scroll bar included
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"the page is {overflow}px wider than a {width}px window"
        page.evaluate("document.getElementsByTagName('figure')[0].scrollIntoView()")
        page.next_frame()
        pixels = imread(io.BytesIO(page.screenshot()))[..., :3]
        assert pixels.shape[1] == width
        assert pixels.std() > 0.05  # drawn, not blank
        assert (np.abs(pixels[..., 0] - pixels[..., 2]) > 0.2).sum() > 500  # the coloured attribution strips


def test_it_prints_to_pdf(browser, reports):
    pdf = open_page(browser, reports["run"]).pdf()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pdf.startswith(b"%PDF") and pages >= 3 and len(pdf) > 50_000


def test_the_checks_see_a_request_and_a_console_error_when_there_is_one(browser, reports, tmp_path):
    broken = tmp_path / "broken.html"
    html = reports["run"].read_text(encoding="utf-8")
    script = "<script>console.error('planted'); undefinedFunction();</script>"
    broken.write_text(html.replace("</main>", f'<img src="https://cdn.example.com/x.png" alt="x">{script}</main>'))
    page = open_page(browser, broken)
    assert requests_made(page, broken.as_uri()) == ["https://cdn.example.com/x.png"]
    errors = page.errors()
    assert any("cdn.example.com/x.png" in error for error in errors), errors  # the failed load, logged
    assert any("planted" in error for error in errors), errors  # console.error
    assert any("undefinedFunction" in error for error in errors), errors  # an uncaught exception


def test_the_client_waits_a_bounded_time_and_leaves_no_browser_behind():
    from tests.report.cdp import Chromium

    chromium = Chromium(BROWSER, timeout=10)
    try:
        assert len(chromium.living_processes()) > 1  # the browser and its helpers, as the check sees them
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            chromium.wait_for("Page.neverSent", timeout=0.5)
        assert time.monotonic() - started < 5
    finally:
        chromium.close()
    assert chromium.process.poll() is not None
    assert chromium.living_processes() == []  # not one renderer or helper of its group is left running
