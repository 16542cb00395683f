"""In a real browser: clicking a matrix cell lists exactly the risks the test data puts there.

A Streamlit server runs on a free port over a small hand-made database; Chromium clicks the
cell (the matrix is drawn as SVG, each cell described by its probability and impact).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.risk_samples import CELL_4_5, make_risk_portfolio

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SAMPLE_TITLES = {
    "a45",
    "b45",
    "closed45",
    "low14",
    "med15",
    "med33",
    "high25",
    "crit35",
    "other45",
    "opp34",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def risk_server(tmp_path_factory, sqlite_template):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    path = tmp_path_factory.mktemp("browser") / "risks.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    make_risk_portfolio(url)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "PMO_DEMO_DATA": "off"}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py")]
        + ["--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the Streamlit server did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture
def page(risk_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        tab = browser.new_page(viewport={"width": 1920, "height": 1080})
        tab.set_default_timeout(60_000)
        yield tab
        browser.close()


def _cell(page, chart: int, probability: int, impact: int):
    """The SVG rectangle of a cell in the n-th matrix (0 threats, 1 opportunities)."""
    return (
        page.get_by_test_id("stVegaLiteChart")
        .nth(chart)
        .locator(
            f'path[aria-roledescription="rect mark"][aria-label*="Probability: {probability};"]'
            f'[aria-label*="Impact: {impact};"]'
        )
    )


def _listed_titles(page, expected: set[str]) -> set[str]:
    """Sample titles in the list's table, once they equal `expected` or after 30 s.

    The table is drawn on a canvas; its cells are also in a hidden accessibility grid.
    """
    cells = page.get_by_test_id("stDataFrame").first.locator("[role=gridcell]")
    titles: set[str] = set()
    for _ in range(60):
        titles = set(cells.all_text_contents()) & SAMPLE_TITLES
        if titles == expected:
            break
        time.sleep(0.5)
    return titles


def test_clicking_a_cell_lists_exactly_its_risks(page, risk_server):
    page.goto(f"{risk_server}/risks")
    cell = _cell(page, 0, 4, 5)
    cell.wait_for()
    assert "Open: 3" in cell.get_attribute("aria-label")
    # The count printed over the cell takes the click, as it would for a person.
    cell.click(force=True)
    page.get_by_text(
        "Open threats with probability 4 and impact 5 (score 20, Critical): 3"
    ).wait_for()
    assert _listed_titles(page, CELL_4_5) == CELL_4_5

    _cell(page, 1, 3, 4).click(force=True)
    page.get_by_text("Open opportunities with probability 3 and impact 4").wait_for()
    assert _listed_titles(page, {"opp34"}) == {"opp34"}
