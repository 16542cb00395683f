"""Intake and selection in a real browser, as a PMO admin new to the page would go: submit a
draft proposal, score it, run a selection with it forced in, save two scenarios, compare
them, approve one, and find its new projects on the portfolio."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from data_access.core.db import read_df, read_scalar
from tests.e2e.harness import (
    metric_value,
    open_app,
    screenshot,
    settle_after_action,
    shown_errors,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-intake")]


def _status(url: str, code: str) -> str:
    return read_scalar("SELECT status FROM proposal WHERE code = :c", {"c": code}, url=url)


def _force_in(page, code: str) -> None:
    """Type into the multiselect to find the proposal (a long list draws only its first)."""
    box = page.get_by_role("combobox", name="Force in")
    box.focus()
    box.press_sequentially(code)
    page.get_by_role("option", name=code, exact=True).click()
    page.keyboard.press("Escape")
    settle_after_action(page)


def _save_scenario(page, name: str) -> None:
    form = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name="Save scenario")
    )
    form.get_by_role("textbox", name="Name", exact=True).fill(name)
    form.get_by_role("button", name="Save scenario").click()
    settle_after_action(page)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Scenario saved")


def test_from_draft_to_projects_on_the_portfolio(server, demo_url, page):
    code = read_scalar(
        "SELECT code FROM proposal WHERE status = 'draft' ORDER BY code LIMIT 1", url=demo_url
    )
    pid = read_scalar("SELECT id FROM proposal WHERE code = :c", {"c": code}, url=demo_url)

    # Submit the draft.
    open_app(page, f"{server.url}/intake?view=Proposals&proposal_status=draft&proposal={pid}")
    expect(page.get_by_role("heading", name=code)).to_be_visible()
    page.get_by_role("button", name="Submit", exact=True).click()
    settle_after_action(page)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(f"{code} is now submitted")
    assert _status(demo_url, code) == "submitted"

    # Score it: "4 extreme" on the first driver, then save.
    form = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name="Save my scores")
    )
    slider = form.get_by_role("slider").first
    slider.focus()
    slider.press("End")
    form.get_by_role("button", name="Save my scores").click()
    settle_after_action(page)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Scores saved")
    assert (
        read_scalar(
            "SELECT MAX(score) FROM proposal_score s JOIN person p ON p.id = s.reviewer_id "
            "WHERE s.proposal_id = :p AND p.name = 'Ada Admin'",
            {"p": pid},
            url=demo_url,
        )
        == 4
    )
    screenshot(page, "intake-proposal-scored")

    # Run a selection with the proposal forced in; save it, then one without forcing.
    page.goto(f"{server.url}/intake?view=Selection")
    settle_after_action(page)
    _force_in(page, code)
    expect(page.get_by_text("Forcing costs")).to_be_visible()
    assert not shown_errors(page)
    chosen = int(metric_value(page, "Proposals chosen").inner_text().split(" of ")[0])
    _save_scenario(page, "With the forced one")
    page.goto(f"{server.url}/intake?view=Selection")
    settle_after_action(page)
    _save_scenario(page, "Free choice")
    screenshot(page, "intake-selection")

    # Compare the two and approve the first.
    page.goto(f"{server.url}/intake?view=Scenarios")
    settle_after_action(page)
    # The two saved last are the ones compared at first.
    for name in ("With the forced one", "Free choice"):
        expect(page.get_by_text(f"{name} (saved)")).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(1)
    screenshot(page, "intake-scenarios")
    page.get_by_role("button", name="Approve: create the projects").first.click()
    settle_after_action(page)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        f"With the forced one approved: {chosen} new projects"
    )
    assert _status(demo_url, code) == "approved"
    new = read_df(
        "SELECT pr.code FROM proposal p JOIN project pr ON pr.id = p.project_id "
        "JOIN scenario_item i ON i.proposal_id = p.id JOIN selection_scenario s "
        "ON s.id = i.scenario_id WHERE s.name = 'With the forced one' AND i.included",
        url=demo_url,
    )
    assert len(new) == chosen and code in set(new.code)

    # The new project is on the portfolio.
    page.goto(f"{server.url}/?q={code}")
    settle_after_action(page)
    expect(metric_value(page, "Active projects")).to_have_text("1")
    screenshot(page, "intake-new-project-on-portfolio")
