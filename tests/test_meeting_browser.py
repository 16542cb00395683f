"""Meeting mode in a real browser: keyboard, refresh, and an update arriving live.

A Streamlit server runs on a free port with its own copy of the demo portfolio; Chromium
(Debian's, through Playwright) presents the review. A status report is then written by another
process through the write functions, and must appear on the open slide without a reload.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS, SETTLED_JS, streamlit_server
from data_access.db import read_df

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
LONG = 90_000  # ms: first renders on a busy 2-core machine


@pytest.fixture
def server(demo_db_url):
    """`streamlit run app.py` on a free port with the test's own demo database."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with streamlit_server(demo_db_url) as (base, _pid):
        yield base


@pytest.fixture
def browser_page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": 1920, "height": 1080})
        browser.close()


def _counter(page, number: int | None = None):
    shown = rf"^{number} / \d+$" if number else r"^\d+ / \d+$"
    return page.locator(".st-key-slide_status").get_by_text(re.compile(shown))


def _wait_for_slide(page, number: int) -> None:
    """Slide `number` is on screen and in the URL, and the page has finished its run (a key
    pressed before the buttons are drawn has nothing to press)."""
    _counter(page, number).wait_for(timeout=LONG)
    page.wait_for_function(
        "n => new URL(location.href).searchParams.get('slide') === String(n)",
        arg=number,
        timeout=LONG,
    )
    page.wait_for_function(SETTLED_JS, timeout=LONG)


def _write_report(url: str, code: str, summary: str) -> None:
    """Submit a status report from another process, as a project manager would."""
    script = textwrap.dedent(
        f"""
        import datetime as dt
        from data_access import commands
        from data_access.db import read_df, session_scope
        from data_access.writes import SYSTEM
        p = read_df("SELECT * FROM project WHERE code = :c", {{"c": {code!r}}}, {url!r}).iloc[0]
        with session_scope({url!r}) as session:
            commands.submit_status_report(
                {{"project_id": int(p.id), "report_date": dt.date.today(),
                  "schedule_rag": "R", "override_rag": "R",
                  "override_reason": "Keep on the red list for the test",
                  "summary": {summary!r}, "percent_complete": float(p.percent_complete),
                  "cost_to_date": float(p.actual_cost),
                  "forecast_at_completion": float(p.forecast_at_completion)}},
                session=session, actor=SYSTEM)
        """
    )
    subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        check=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_present_move_with_keys_reload_and_see_a_live_update(
    server, browser_page, demo_db_url, tmp_path
):
    page = browser_page
    page.goto(f"{server}/meeting?present=1&slide=1")
    _wait_for_slide(page, 1)
    total = int(_counter(page).inner_text().split("/")[1])
    assert total >= 6
    # Full screen: no sidebar, large type.
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    body_px = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.st-key-slide p')).fontSize)"
    )
    assert body_px >= 24

    page.locator(".st-key-slide_subtitle").click()  # focus the page, not a field or link
    page.keyboard.press("ArrowRight")
    _wait_for_slide(page, 2)
    page.keyboard.press("PageDown")  # what a presentation clicker sends
    _wait_for_slide(page, 3)
    page.keyboard.press("PageUp")
    _wait_for_slide(page, 2)
    page.keyboard.press("ArrowLeft")
    _wait_for_slide(page, 1)
    for number in (2, 3):
        page.keyboard.press("ArrowRight")
        _wait_for_slide(page, number)
    title = page.locator(".st-key-slide h1").inner_text()
    code = title.split(" · ")[0]
    assert read_df("SELECT id FROM project WHERE code = :c", {"c": code}, demo_db_url).size

    page.reload()
    _wait_for_slide(page, 3)
    page.get_by_role("heading", name=title).wait_for(timeout=LONG)
    page.screenshot(path=str(tmp_path / "before-update.png"))

    summary = f"Supplier signed <b>today</b> {int(time.time())}"
    _write_report(demo_db_url, code, summary)
    slide = page.locator(".st-key-slide")
    slide.get_by_text(summary, exact=True).wait_for(timeout=LONG)  # shown as text, not HTML
    page.get_by_text("Updated just now").wait_for(timeout=LONG)
    assert page.url.endswith("slide=3") or "slide=3" in page.url
    assert page.locator(".st-key-slide h1").inner_text() == title
    assert slide.locator("b").count() == 0
    page.screenshot(path=str(tmp_path / "after-update.png"))
