"""The report in a real browser: headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by
selenium, with the network blocked. Skipped, with the reason shown, only where Chromium is not installed."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil

import numpy as np
import pytest
from matplotlib.image import imread

BROWSER = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    BROWSER is None or DRIVER is None,
    reason="Chromium and chromedriver are not installed (apt-get install chromium chromium-driver; .ci/run does)",
)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = BROWSER
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        # every name resolves nowhere and every connection goes to a closed port: nothing can be fetched
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    yield driver
    driver.quit()


def open_page(driver, path):
    driver.get_log("performance")  # drop what earlier pages logged
    driver.get_log("browser")
    driver.get(path.as_uri())
    driver.execute_script("return document.readyState")
    return driver


def requests_made(driver, page_url: str) -> list[str]:
    """Every URL the browser asked for, other than the page itself and the data: URIs inside it."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return [url for url in urls if url != page_url and not url.startswith("data:")]


@pytest.mark.parametrize("which", ["run", "combined"])
def test_the_report_loads_offline_without_requests_or_console_errors(browser, reports, which):
    driver = open_page(browser, reports[which])
    assert driver.title.startswith("SignalScreen report")
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert requests_made(driver, reports[which].as_uri()) == []
    errors = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    assert errors == []


def test_every_figure_is_drawn_with_a_size(browser, reports):
    from selenium.webdriver.common.by import By

    driver = open_page(browser, reports["combined"])
    images = driver.find_elements(By.TAG_NAME, "img")
    assert len(images) >= 20
    for image in images:
        decoded = driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image)
        assert decoded and decoded > 0, image.get_attribute("alt")
        assert image.size["width"] > 100 and image.size["height"] > 40, image.get_attribute("alt")
        assert image.get_attribute("alt")


def test_screenshots_are_not_blank_at_desktop_and_phone_width(browser, reports):
    from selenium.webdriver.common.by import By

    driver = open_page(browser, reports["combined"])
    for width in (1280, 390):
        driver.set_window_size(width, 900)
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"the page is {overflow}px wider than a {width}px window"
        first_figure = driver.find_elements(By.TAG_NAME, "figure")[0]
        driver.execute_script("arguments[0].scrollIntoView()", first_figure)
        pixels = imread(io.BytesIO(driver.get_screenshot_as_png()))[..., :3]
        assert pixels.std() > 0.05  # drawn, not blank
        assert (np.abs(pixels[..., 0] - pixels[..., 2]) > 0.2).sum() > 500  # the coloured attribution strips
    driver.set_window_size(1280, 900)


def test_it_prints_to_pdf(browser, reports):
    from selenium.webdriver.common.print_page_options import PrintOptions

    driver = open_page(browser, reports["run"])
    pdf = base64.b64decode(driver.print_page(PrintOptions()))
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pdf.startswith(b"%PDF") and pages >= 3 and len(pdf) > 50_000


def test_the_checks_see_a_request_and_a_console_error_when_there_is_one(browser, reports, tmp_path):
    broken = tmp_path / "broken.html"
    html = reports["run"].read_text(encoding="utf-8")
    broken.write_text(html.replace("</main>", '<img src="https://cdn.example.com/x.png" alt="x"></main>'))
    driver = open_page(browser, broken)
    assert requests_made(driver, broken.as_uri()) == ["https://cdn.example.com/x.png"]
    assert [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
