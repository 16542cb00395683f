"""Meeting mode in a real browser: present full screen, move with the keys a presentation
clicker sends, reload on the same slide, and see a project manager's update arrive live."""

from __future__ import annotations

import re
import time

import pytest

from data_access.core.db import read_df
from tests.e2e.harness import ROW_PX, open_app, screenshot, settle, submit_red_override

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-meeting")]


def _counter(page, number: int | None = None):
    shown = rf"^{number} / \d+$" if number else r"^\d+ / \d+$"
    return page.locator(".st-key-slide_status").get_by_text(re.compile(shown))


def _wait_for_slide(page, number: int) -> None:
    """Slide `number` is on screen and in the URL, and the page has finished its run (a key
    pressed before the buttons are drawn has nothing to press)."""
    _counter(page, number).wait_for()
    page.wait_for_function(
        "n => new URL(location.href).searchParams.get('slide') === String(n)", arg=number
    )
    settle(page)


def test_present_move_with_keys_reload_and_see_a_live_update(server, demo_url, page):
    open_app(page, f"{server.url}/meeting?present=1&slide=1")
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
    assert read_df("SELECT id FROM project WHERE code = :c", {"c": code}, demo_url).size

    # A refresh is a new session: the signed cookie and the URL bring back the same slide.
    page.reload()
    _wait_for_slide(page, 3)
    page.get_by_role("heading", name=title).wait_for()
    screenshot(page, "meeting-before-update")

    summary = f"Supplier signed <b>today</b> {int(time.time())}"
    submit_red_override(demo_url, code, summary)
    slide = page.locator(".st-key-slide")
    slide.get_by_text(summary, exact=True).first.wait_for()  # shown as text, not HTML
    page.get_by_text("Updated just now").wait_for()
    assert "slide=3" in page.url
    assert page.locator(".st-key-slide h1").inner_text() == title
    assert slide.locator("b").count() == 0
    screenshot(page, "meeting-after-update")


def test_actions_ticked_in_the_open_actions_table_are_closed(server, demo_url, page):
    open_app(page, f"{server.url}/meeting?tab=Decisions+and+actions")
    page.get_by_role("heading", name="Open actions").wait_for()
    table = page.locator('[class*="st-key-open_actions_"] [data-testid="stDataFrame"]')
    grid = table.locator('[role="grid"]')
    rows = grid.locator('[role="row"]')
    rows.first.wait_for(state="attached")  # the grid's accessible table is visually hidden
    shown = rows.count() - 1
    headers = [h.strip() for h in rows.first.locator('[role="columnheader"]').all_inner_texts()]
    title = rows.nth(1).locator('[role="gridcell"]').nth(headers.index("Action")).inner_text()
    still_open = (
        "SELECT COUNT(*) AS n FROM action WHERE origin = 'review' AND status = 'open' "
        "AND title = :t"
    )
    before = int(read_df(still_open, {"t": title}, demo_url).n.iloc[0])
    done = page.get_by_role("button", name="Mark done")
    assert done.is_disabled()

    # Tick the first row in the grid's row-marker column, then close it.
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + ROW_PX * 1.5)
    page.get_by_role("button", name="Mark 1 done").click()
    settle(page)
    page.get_by_text("1 action closed.").wait_for()
    assert int(read_df(still_open, {"t": title}, demo_url).n.iloc[0]) == before - 1
    assert rows.count() - 1 == shown - 1
    screenshot(page, "meeting-open-actions")
