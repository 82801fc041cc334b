"""The report's figures stay legible in a real browser: never shrunk below the size they were drawn at (their
9 pt text would shrink with them: at 390 px it fell to about 5 pt), and the class figure's words under its
colour strip keep clear of the strip. Driven in headless Chromium over the DevTools protocol (``cdp.py``)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.image import imread

from tests.report.cdp import needs_browser

pytestmark = needs_browser
WIDTHS = (1280, 390)


def shown_sizes(browser, path, width: int) -> list[dict]:
    """Every image of the page at ``path`` in a ``width`` px window: its shown and its own (natural) width."""
    browser.resize(width, 900)
    browser.navigate(path.as_uri())
    browser.next_frame()
    return browser.evaluate(
        """[...document.images].map(image => ({alt: image.alt, shown: image.getBoundingClientRect().width,
                                               natural: image.naturalWidth}))"""
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_no_figure_is_shrunk_below_its_own_size(browser, reports, width):
    """Text drawn at 9 pt stays 9 pt: a figure wider than the window scrolls sideways inside its frame."""
    images = shown_sizes(browser, reports["combined"], width)
    assert len(images) >= 20
    shrunk = [(image["alt"][:50], round(image["shown"]), image["natural"]) for image in images
              if image["shown"] < image["natural"] - 1]  # fmt: skip
    assert shrunk == [], f"{len(shrunk)} figures shown smaller than drawn at {width} px: {shrunk[:3]}"
    overflow = browser.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than a {width}px window"


def strip_and_words_gap(pixels: np.ndarray) -> int:
    """Pixel rows between the bottom of a class figure's colour strip and the first row of the words under it.

    The strip is the tallest band of rows that are filled (not white) across the middle of the figure; the words
    are the first row below it, in the strip's left 40 %, with more dark pixels than the strip's tick marks."""
    width = pixels.shape[1]
    grey = pixels.mean(axis=-1)
    middle = grey[:, int(0.3 * width) : int(0.7 * width)]
    filled = np.median(middle, axis=1) < 0.85
    runs, start = [], None
    for row, full in enumerate([*filled, False]):
        if full and start is None:
            start = row
        elif not full and start is not None:
            runs.append((row - start, start, row))
            start = None
    _, top, bottom = max(runs)
    columns = np.flatnonzero(grey[(top + bottom) // 2] < 0.85)
    left, right = columns[0], columns[-1]
    span = grey[bottom:, left : left + int(0.4 * (right - left))]
    words = np.flatnonzero((span < 0.5).sum(axis=1) > 12)
    assert words.size, "no words found under the strip"
    return int(words[0])


def test_the_words_under_a_class_figures_strip_keep_clear_of_it(browser, reports, tmp_path):
    browser.resize(1280, 900)
    browser.navigate(reports["run"].as_uri())
    source = browser.evaluate("[...document.images].find(image => image.alt.startsWith('Class ')).src")
    page = tmp_path / "class_figure.html"
    page.write_text(f'<html><body style="margin:0;background:#fff"><img src="{source}"></body></html>')
    browser.navigate(page.as_uri())
    browser.next_frame()
    width, height = browser.evaluate("[document.images[0].naturalWidth, document.images[0].naturalHeight]")
    pixels = imread(io.BytesIO(browser.screenshot()))[:height, :width, :3]  # the figure, at its own size
    gap = strip_and_words_gap(pixels)
    assert gap >= 8, f"the words under the strip are {gap} px below it: they touch it"
