"""The portfolio overview in a real browser (Playwright + Debian chromium) on a real server.

A filtered link opened in a fresh browser shows the same projects, survives a reload and a
switch to another page and back; choosing a filter puts it in the URL; clicking a heatmap cell
opens the project's page with the filter kept.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from data_access.portfolio import project_facts
from data_access.settings import get_settings
from domain.filters import PortfolioFilter, apply_filter
from domain.health import compute_health

ROOT = Path(__file__).resolve().parent.parent
playwright = pytest.importorskip("playwright.sync_api")
from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (needs playwright)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(demo_db_url, tmp_path):
    """`streamlit run app.py` on the demo portfolio, on a free port; stopped afterwards."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (./pmo.sh test installs it)")
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
            "--server.port", str(port), "--server.headless", "true",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": demo_db_url, "PMO_DEMO_DATA": "off"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"server did not start: {(tmp_path / 'server.log').read_text()}")
            time.sleep(0.5)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def settle(page) -> None:
    """Wait until the app has finished running and the charts are drawn."""
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=90_000)
    for _ in range(2):
        page.wait_for_timeout(1_000)
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=90_000)
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=stSkeleton]').length == 0", timeout=60_000
    )


def heatmap_codes(page) -> list[str]:
    """Project codes on the rows of the health-by-dimension heatmap, top to bottom."""
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.locator("svg .role-axis-label text").first.wait_for(timeout=60_000)
    labels = chart.locator("svg .role-axis-label text").evaluate_all(
        "texts => texts.map(t => t.textContent)"
    )
    codes = [label.split(" ")[0] for label in labels]
    return [c for c in codes if re.fullmatch(r"PRJ-\d{4}", c)]


def expected_codes(url: str, f: PortfolioFilter) -> set[str]:
    today = dt.date.today()  # the server computes health as of today as well
    settings = get_settings(url)
    facts = project_facts(today, high_from=settings["band_high_from"], url=url)
    return set(apply_filter(compute_health(facts, settings, today), f).code)


def new_page(browser, scheme: str = "light"):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, color_scheme=scheme)
    return context.new_page()


def test_a_filtered_link_shows_the_same_projects_anywhere(server, browser, demo_db_url, tmp_path):
    query = "?dept=Finance&health=Green&health=Amber&health=Red"
    f = PortfolioFilter(department=("Finance",), health=("Green", "Amber", "Red"))
    expected = expected_codes(demo_db_url, f)
    assert 2 < len(expected) < 50

    first = new_page(browser)
    first.goto(server + "/" + query)
    settle(first)
    assert set(heatmap_codes(first)) == expected
    first.screenshot(path=tmp_path / "filtered.png")

    # A fresh browser context (no cookies, no session) given the same link.
    second = new_page(browser, "dark")
    second.goto(server + "/" + query)
    settle(second)
    shown = heatmap_codes(second)
    assert set(shown) == expected

    second.reload()
    settle(second)
    assert heatmap_codes(second) == shown
    assert second.url.endswith(query)

    # Switching pages keeps the filter in the URL and in the sidebar.
    second.get_by_role("link", name="Milestones").click()
    second.wait_for_url(re.compile(r"/milestones\?"))
    settle(second)
    assert "dept=Finance" in second.url and second.url.count("health=") == 3
    second.get_by_role("link", name="Overview").click()
    second.wait_for_url(re.compile(r"/\?dept=Finance"))
    settle(second)
    assert heatmap_codes(second) == shown


def test_choosing_a_filter_puts_it_in_the_url(server, browser, demo_db_url):
    page = new_page(browser)
    page.goto(server + "/")
    settle(page)
    department = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Department")
    department.locator("input").fill("Finance")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"dept=Finance"))
    page.keyboard.press("Escape")
    settle(page)
    expected = expected_codes(demo_db_url, PortfolioFilter(department=("Finance",)))
    assert set(heatmap_codes(page)) == expected


@pytest.mark.parametrize("where", ["cell corner", "letter"])
def test_clicking_a_heatmap_cell_opens_the_project(server, browser, where):
    page = new_page(browser)
    page.goto(server + "/?dept=Finance")
    settle(page)
    top = heatmap_codes(page)[0]
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    if where == "letter":
        chart.locator('svg text[aria-roledescription="text mark"]').first.click()
    else:  # away from the letter, which sits on top of the cell's middle
        chart.locator("svg .mark-rect path").first.click(position={"x": 5, "y": 5})
    page.wait_for_url(re.compile(r"/project\?"), timeout=60_000)
    settle(page)
    assert f"project={top}" in page.url and "dept=Finance" in page.url
    assert page.get_by_role("heading", name=re.compile(top)).is_visible()


@pytest.fixture(autouse=True)
def _keep_screenshots(tmp_path):
    yield
    # Leave the pictures of the last run where a person can look at them.
    target = Path(os.environ.get("PMO_SCREENSHOTS", "/tmp/pmo-screenshots"))
    for picture in tmp_path.glob("*.png"):
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(picture, target / f"portfolio-{picture.name}")
