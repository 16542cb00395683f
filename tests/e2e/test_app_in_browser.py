"""The app in a real browser on the demo portfolio: every page, the shared filters, an update.

One Streamlit server per module on a private copy of the tier-S demo database; each test is a
new visitor (fresh browser context). Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import (
    choose,
    eventually,
    health_shown,
    metric_value,
    open_app,
    portfolio_health,
    projects_shown,
    rerun,
    screenshot,
    shown_errors,
    submit_red_override,
    wait_for_count,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-app")]

# Page name -> URL path (st.navigation derives it from the file name; the default page is /).
PAGES = {
    "portfolio": "",
    "project": "project",
    "milestones": "milestones",
    "risks": "risks",
    "resources": "resources",
    "updates": "updates",
    "meeting": "meeting",
    "gates": "gates",
    "compliance": "gates?tab=Compliance",
    "lessons": "lessons",
    "templates": "lessons?tab=Templates",
    "competence": "lessons?tab=Competence",
    "admin": "admin",
}


# Every page in the light theme, the pages with colour-coded content in the dark one too.
@pytest.mark.parametrize(
    ("name", "scheme"),
    [(name, "light") for name in PAGES] + [("portfolio", "dark"), ("project", "dark")],
)
def test_every_page_opens_without_error(server, new_page, name, scheme):
    page = new_page(scheme)
    open_app(page, f"{server.url}/{PAGES[name]}")
    expect(page.get_by_test_id("stMain").locator("h1, h2").first).to_be_visible()
    screenshot(page, f"{name}-{scheme}")
    assert shown_errors(page) == []
    assert "Traceback" not in server.log(tail=100_000)


def test_filter_changes_url_and_portfolio_view(server, demo_url, page, new_page):
    health = portfolio_health(demo_url)
    red = sorted(health.code[health.overall_rag == "R"])
    red_active = int(((health.overall_rag == "R") & (health.status == "active")).sum())
    assert 0 < len(red) < len(health)
    open_app(page, server.url)
    wait_for_count(page, len(health))

    choose(page, "Health", "Red")

    assert "health=Red" in page.url
    shown = projects_shown(page, len(red))
    assert sorted(shown) == red
    assert {rag for rag, _ in shown.values()} == {"R"}
    expect(metric_value(page, "Active projects")).to_have_text(str(red_active))
    expect(metric_value(page, "Red")).to_have_text(str(red_active))
    screenshot(page, "portfolio-filtered-red")

    # The URL is the view: pasted into a new browser it shows the same projects.
    other = new_page()
    open_app(other, page.url)
    assert sorted(projects_shown(other, len(red))) == red


def test_status_update_shows_on_the_portfolio(server, demo_url, page):
    health = portfolio_health(demo_url)
    code = health.code[(health.overall_rag == "G") & (health.status == "active")].iloc[0]
    open_app(page, f"{server.url}/?q={code}")
    assert projects_shown(page, 1)[code][0] == "G"
    expect(metric_value(page, "Red")).to_have_text("0")

    # Issue 6 brings the status-update form (tested in test_forms_in_browser.py); this is the
    # same write function it calls, from another process than the server's.
    submit_red_override(demo_url, code, "Supplier insolvent: e2e check")
    rerun(page)

    expect(metric_value(page, "Red")).to_have_text("1")
    expect(metric_value(page, "Green")).to_have_text("0")
    eventually(lambda: health_shown(page)[code][0] == "R")
    assert "Supplier insolvent: e2e check" in health_shown(page)[code][1]
    screenshot(page, "portfolio-after-status-update")
    assert shown_errors(page) == []
