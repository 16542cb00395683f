"""Read-only links and the report e-mail in a real browser: a link opened in a fresh context
shows that report and nothing else of the app; a revoked one shows only a message; the e-mail
HTML reads well at 600 px with every image present."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import expect

from data_access.core import clock
from data_access.core.db import read_scalar, session_scope
from data_access.core.writes import Actor
from data_access.stakeholders import commands
from deck.report import View, email_html, load_report
from tests.e2e.harness import NAV_LINK, open_app, screenshot, settle, shown_errors

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-stakeholders")]
ADMIN = Actor(person_id=1, name="Ada Admin", role="admin")


def _link(url: str, **kwargs) -> tuple[int, str]:
    with session_scope(url) as session:
        token = commands.create_share_link(
            recipient="Steering group",
            days=7,
            now=clock.now(),
            session=session,
            actor=ADMIN,
            url=url,
            **kwargs,
        )
    return int(token.split(".")[0]), token


def test_a_read_only_link_shows_that_report_and_nothing_else(server, demo_url, new_page):
    link_id, token = _link(demo_url, scope="project", project_id=5, filters=None)
    code = read_scalar("SELECT code FROM project WHERE id = 5", url=demo_url)
    page = new_page()
    page.goto(f"{server.url}/?token={token}")
    settle(page)
    main = page.get_by_test_id("stMain")
    expect(main.locator("h1").first).to_contain_text(code)
    expect(main.get_by_text("Read-only report", exact=False).first).to_be_visible()
    assert page.locator(NAV_LINK).count() == 0  # no menu
    assert page.get_by_label("E-mail").count() == 0  # no sign-in form either
    assert shown_errors(page) == []
    screenshot(page, "read-only-link")
    # Another page's address with the same token still shows only the report.
    page.goto(f"{server.url}/admin?token={token}")
    settle(page)
    expect(main.locator("h1").first).to_contain_text(code)
    assert page.get_by_text("People and roles").count() == 0
    # Without a token the app asks for a sign-in, as for anyone.
    page.goto(f"{server.url}/admin")
    settle(page)
    expect(page.get_by_label("E-mail")).to_be_visible()
    openings = read_scalar(
        "SELECT COUNT(*) FROM share_link_opening WHERE link_id = :l AND outcome = 'opened'",
        {"l": link_id},
        url=demo_url,
    )
    assert openings == 2


def test_a_revoked_link_shows_a_clear_message_only(server, demo_url, new_page):
    link_id, token = _link(
        demo_url, scope="portfolio", project_id=None, filters={"health": ["Red"]}
    )
    with session_scope(demo_url) as session:
        commands.revoke_share_link(link_id, now=clock.now(), session=session, actor=ADMIN)
    page = new_page()
    page.goto(f"{server.url}/?token={token}")
    settle(page)
    expect(page.get_by_text("This link was withdrawn by the PMO.")).to_be_visible()
    assert page.locator("table, [data-testid='stDataFrame'], canvas").count() == 0
    screenshot(page, "read-only-link-revoked")


def test_the_report_email_reads_at_600_px_with_its_images(demo_url, new_page, tmp_path):
    report = load_report(
        View("portfolio", filters={"health": ["Red", "Amber"]}), clock.today(), demo_url
    )
    html, images = email_html(report, unsubscribe="https://pmo.example.org/?unsubscribe=x")
    # A mail client shows cid: images from the message's parts; here they become data URIs.
    for cid, _, png in images:
        html = html.replace(f"cid:{cid}", "data:image/png;base64," + base64.b64encode(png).decode())
    path = tmp_path / "report.html"
    path.write_text(html)
    page = new_page()
    page.set_viewport_size({"width": 600, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    sizes = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.naturalWidth, i.width])")
    assert len(sizes) == len(images) >= 2
    assert all(natural > 0 and 0 < shown <= 600 for natural, shown in sizes)
    assert page.evaluate("document.documentElement.scrollWidth") <= 600  # no sideways scroll
    text = page.inner_text("body")
    for heading in (
        "Health",
        "What changed",
        "Overdue milestones",
        "Top risks",
        "Decisions and actions",
    ):
        assert re.search(rf"^{heading}$", text, re.M), heading
    screenshot(page, "report-email-600px")


def test_inbox_and_stakeholders_pages(server, new_page):
    page = new_page()
    open_app(page, f"{server.url}/inbox")
    expect(page.get_by_test_id("stMain").locator("h1").first).to_have_text("Inbox")
    assert shown_errors(page) == []
    screenshot(page, "inbox")
    open_app(page, f"{server.url}/stakeholders")
    expect(page.get_by_test_id("stMain").locator("h1").first).to_have_text("Stakeholders")
    assert shown_errors(page) == []
    screenshot(page, "stakeholders")
