"""End to end in a real headless browser: open the review page, dismiss a finding with a comment, check the store.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them when it runs as root)
and the ``selenium`` package (the ``test`` extra); skips, saying which is missing, otherwise.
``COHERENCE_SCREENSHOT=/tmp/page.png`` also saves a screenshot of the page (stub models: the scores are not
the real models'; docs/review-screenshot.png is of ``coherence review`` on the fixtures with the shipped models).
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from coherence.fingerprints import finding_fingerprint
from coherence.review import DEFAULT_STORE_NAME, ReviewStore
from coherence.review.server import ReviewApp, make_server

from .conftest import ROOT

CHROMIUM = os.environ.get("COHERENCE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("COHERENCE_CHROMEDRIVER", "/usr/bin/chromedriver")
# Read at import: conftest clears COHERENCE_* variables for every test (they are config settings there).
SCREENSHOT = os.environ.get("COHERENCE_SCREENSHOT")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1400", "--hide-scrollbars")


def _browser(tmp_path: Path):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            pytest.skip(f"{binary} not found: apt-get install chromium chromium-driver (bash .ci/run does, as root)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


@pytest.fixture
def reports(tmp_path, stub_models, monkeypatch):
    """The Leeds fire fixture and a flood story with a volcano sentence spliced in, checked with stub models."""
    from coherence.checker import ArticleInput, Checker
    from coherence.settings import Settings

    from .test_rules import FLOOD, VOLCANO, NumberNLI, article, spliced

    monkeypatch.chdir(tmp_path)  # relative paths, as an editor would type them
    leeds = Path("leeds-fire.txt")
    shutil.copy(ROOT / "fixtures" / "contradiction-number.txt", leeds)
    flood = Path("riverton-flood.txt")
    flood.write_text(article("Riverton River Floods Homes", spliced(FLOOD, 2, VOLCANO)), encoding="utf-8")
    checker = Checker(Settings())
    checker.__dict__["nli"] = NumberNLI()
    return checker.check([ArticleInput(str(p), p.read_text(encoding="utf-8")) for p in (leeds, flood)])


def test_dismiss_a_finding_in_the_browser(tmp_path, reports):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    store = ReviewStore(tmp_path / DEFAULT_STORE_NAME)
    server = make_server(ReviewApp(reports, store, "Ann Editor"), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    driver = _browser(tmp_path)
    try:
        wait = WebDriverWait(driver, 20)
        driver.get(url)
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == "1")
        assert driver.find_elements(By.CSS_SELECTOR, "nav#index a")  # two articles: an index

        # Pointing at a flagged sentence shows its scores in the side panel.
        sentence = driver.find_element(By.CSS_SELECTOR, "#a1 .s.flag-warning")
        ActionChains(driver).move_to_element(sentence).perform()
        panel = driver.find_element(By.CSS_SELECTOR, "#a1 .panel")
        wait.until(lambda d: panel.find_element(By.CLASS_NAME, "panel-title").text.startswith("Sentence "))
        assert "contradiction" in panel.text and "off-topic" in panel.text

        item = driver.find_element(By.CSS_SELECTOR, "#a1 li.finding.reviewable[data-rule='contradiction']")
        fingerprint = item.get_attribute("data-fingerprint")
        item.find_element(By.CSS_SELECTOR, "input.comment").send_keys("Two counts from the same service: check")
        item.find_element(By.CSS_SELECTOR, "button.dismiss").click()
        wait.until(lambda d: item.get_attribute("data-decision") == "dismiss")
        assert "Dismissed by Ann Editor" in item.text

        [decision] = ReviewStore(store.path).decisions()
        report = reports[0]
        contradiction = next(f for f in report.findings if f.rule == "contradiction")
        assert decision.fingerprint == fingerprint == finding_fingerprint(report, contradiction)
        assert (decision.article, decision.decision, decision.comment, decision.reviewer) == (
            "leeds-fire.txt", "dismiss", "Two counts from the same service: check", "Ann Editor")

        # A reload shows the decision kept; the dismissed sentence is struck through.
        driver.get(url)
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == "1")
        item = driver.find_element(By.CSS_SELECTOR, f"#a1 li.finding[data-fingerprint='{fingerprint}']")
        assert item.get_attribute("data-decision") == "dismiss"
        sentence_id = item.get_attribute("data-sentence-id")
        assert "decided-dismiss" in driver.find_element(By.ID, sentence_id).get_attribute("class")

        if SCREENSHOT:
            driver.find_element(By.CSS_SELECTOR, "#a1 .s.flag-warning").click()
            driver.execute_script("window.scrollTo(0, 0)")
            assert driver.save_screenshot(SCREENSHOT), f"cannot write {SCREENSHOT}"

        # Undo brings it back to "not reviewed", in the page and in the store.
        item.find_element(By.CSS_SELECTOR, "button.undo").click()
        wait.until(lambda d: item.get_attribute("data-decision") is None)
        assert ReviewStore(store.path).decisions() == []
        assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]  # no script or CSP error
    finally:
        driver.quit()
        server.shutdown()
        server.server_close()
