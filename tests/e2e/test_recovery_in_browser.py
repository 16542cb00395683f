"""Path to green in a real browser, as a new user would: turn a project Red in its weekly
update, be asked for the path to green, save it, escalate, see both on the recovery view and
on the meeting slide, answer the escalation there, and see the decision on the project page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from data_access.core import clock
from data_access.core.db import read_df
from deck.sources import load_meeting
from tests.e2e.harness import (
    fill_path_to_green,
    grid_column,
    open_app,
    open_expander,
    portfolio_health,
    screenshot,
    settle_after_action,
    still,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-recovery")]

SUBMIT = "Submit status update"
ASK = "Approve a second supplier for the integration"
ANSWER = "Second supplier approved up to 60 k"


def test_red_update_path_to_green_escalation_answered_in_the_review(server, demo_url, page):
    today = clock.today()
    health = portfolio_health(demo_url)
    green = (health.status == "active") & (health.overall_rag == "G")
    for dim in ("schedule", "cost", "risk"):
        green &= health[f"{dim}_rag"] == "G"
    code = health.code[green].iloc[-1]

    # The weekly update: Red is refused until the path to green is given.
    open_app(page, f"{server.url}/updates?project={code}")
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=SUBMIT))
    form.get_by_test_id("stRadio").filter(has_text="Schedule").get_by_text("R · Red").click()
    form.get_by_role("textbox", name="Reason for differing from the computed health").fill(
        "Supplier slipped: red until the new date holds"
    )
    form.get_by_role("button", name=SUBMIT).click()
    settle_after_action(page)
    errors = page.get_by_test_id("stAlertContentError")
    expect(errors.filter(has_text="a Red update needs a path to green")).not_to_have_count(0)
    expect(errors.filter(has_text="Recovery actions")).not_to_have_count(0)
    screenshot(page, "recovery-update-refused")
    green_by = today + dt.timedelta(weeks=8)
    fill_path_to_green(
        page,
        form,
        green_by,
        "Second supplier on board",
        "Petra Projects",
        today + dt.timedelta(weeks=2),
    )
    form.get_by_role("button", name=SUBMIT).click()
    settle_after_action(page)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(code)
    plan = read_df(
        "SELECT rp.cause, rp.expected_green_date FROM recovery_plan rp "
        "JOIN project p ON p.id = rp.project_id WHERE p.code = :c",
        {"c": code},
        demo_url,
    )
    assert plan.cause.tolist() == ["supplier"]
    assert str(plan.expected_green_date[0])[:10] == green_by.isoformat()

    # Escalate to the steering group.
    page.get_by_role("tab", name="Escalate").click()
    settle_after_action(page)
    page.get_by_role("textbox", name="What you ask for").fill(ASK)
    page.get_by_text("Steering group", exact=True).click()
    page.get_by_role("textbox", name="Reason").fill(
        "The first supplier cannot deliver before March"
    )
    page.get_by_role("button", name="Escalate").click()
    settle_after_action(page)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Escalated")

    # On the portfolio's recovery view.
    open_app(page, f"{server.url}/recovery")
    assert any(c.endswith(code) or code in c for c in grid_column(page, "Project"))
    screenshot(page, "recovery-view")

    # In the review: start one, present the project's path-to-green slide, answer there.
    open_app(page, f"{server.url}/meeting")
    open_expander(page, "Start a review")
    page.get_by_role("button", name="Start the review").click()
    settle_after_action(page)
    # The started review's id reaches the address on the rerun after the start.
    page.wait_for_url(re.compile(r"[?&]review=\d+"))
    review_id = int(page.evaluate("new URL(location.href).searchParams.get('review')"))
    slides = load_meeting(today, review_id=review_id, url=demo_url).slides
    number = next(
        i for i, s in enumerate(slides, start=1) if s.kind == "path" and s.title.startswith(code)
    )
    open_app(page, f"{server.url}/meeting?review={review_id}&present=1&slide={number}")
    slide = page.locator(".st-key-slide")
    expect(slide.get_by_text(ASK, exact=False)).to_be_visible()
    screenshot(page, "recovery-slide")
    page.get_by_role("button", name="Answer escalation").click()
    dialog = still(page.get_by_role("dialog"))
    dialog.get_by_role("textbox", name="Decision").fill(ANSWER)
    dialog.get_by_role("button", name="Record the answer").click()
    settle_after_action(page)
    screenshot(page, "recovery-answered")
    expect(slide.get_by_text(f"Answered: {ANSWER}")).to_be_visible()

    # The decision is on the project page, with the escalation it answered.
    open_app(page, f"{server.url}/project?project={code}")
    page.get_by_role("heading", name="Path to green").wait_for()
    section = page.get_by_test_id("stDataFrame").filter(has_text="Decision").last
    expect(section).to_contain_text(ANSWER)
    screenshot(page, "recovery-project")
