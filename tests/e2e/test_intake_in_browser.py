"""Intake and selection in a real browser, as a PMO admin new to the page would go: type a new
proposal (its costs, people and benefits in the form's tables), submit it, score it, run a
selection with it forced in, save two scenarios, compare them, approve one, and find its new
projects on the portfolio."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from data_access.core import clock
from data_access.core.db import read_df, read_scalar
from tests.e2e.harness import (
    add_row,
    edit_cell,
    metric_value,
    open_app,
    pick,
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


def _type_proposal(page, url: str, title: str) -> str:
    """Fill the new-proposal form as a user does and save it as a draft; returns its code."""
    today = clock.today()
    first = "SELECT name FROM {} ORDER BY id LIMIT 1"
    sponsor, department, program, driver = (
        read_scalar(first.format(t), url=url)
        for t in ("person", "department", "program", "strategic_driver")
    )
    form = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name="Save as draft")
    )
    form.get_by_role("textbox", name="Title", exact=True).fill(title)
    pick(page, form, "Sponsor", sponsor)
    pick(page, form, "Department", department)
    pick(page, form, "Program (of the project, once approved)", program)
    form.get_by_role("textbox", name="Problem it solves").fill("Invoices are keyed twice.")
    pick(page, form, "Strategic drivers it serves", driver)
    page.keyboard.press("Escape")
    costs, needs, benefits = form.get_by_test_id("stDataFrame").all()
    edit_cell(costs, 0, 1, "150000")
    edit_cell(costs, 1, 1, "50000")
    add_row(needs)
    edit_cell(needs, 0, 1, "Business analysis")
    edit_cell(needs, 0, 2, f"{today.year + 1}-Q1")
    edit_cell(needs, 0, 3, "120")
    add_row(benefits)
    edit_cell(benefits, 0, 1, "Invoices keyed twice a month")
    edit_cell(benefits, 0, 2, "400")
    edit_cell(benefits, 0, 3, "0")
    edit_cell(benefits, 0, 4, (today + dt.timedelta(days=400)).isoformat())
    edit_cell(benefits, 0, 5, driver)
    screenshot(page, "intake-proposal-typed")
    form.get_by_role("button", name="Save as draft").click()
    settle_after_action(page)
    assert not shown_errors(page)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("saved as a draft")
    return read_scalar("SELECT code FROM proposal WHERE title = :t", {"t": title}, url=url)


def test_from_a_typed_proposal_to_projects_on_the_portfolio(server, demo_url, page):
    open_app(page, f"{server.url}/intake?view=Proposals&proposal=new")
    code = _type_proposal(page, demo_url, "Scan supplier invoices")
    pid = read_scalar("SELECT id FROM proposal WHERE code = :c", {"c": code}, url=demo_url)
    assert _status(demo_url, code) == "draft"
    year = dt.date(clock.today().year + (clock.today().month > 9), 1, 1).year
    costs = read_df(
        "SELECT year, amount FROM proposal_cost WHERE proposal_id = :p ORDER BY year",
        {"p": pid},
        url=demo_url,
    )
    assert costs.values.tolist() == [[year, 150000], [year + 1, 50000]]
    need = read_df("SELECT * FROM proposal_need WHERE proposal_id = :p", {"p": pid}, url=demo_url)
    assert need[["pool_kind", "pool", "period", "hours"]].values.tolist() == [
        ["skill", "Business analysis", f"{clock.today().year + 1}-Q1", 120]
    ]
    benefit = read_df(
        "SELECT kind, measure, baseline, target FROM benefit WHERE proposal_id = :p",
        {"p": pid},
        url=demo_url,
    )
    assert benefit.values.tolist() == [["financial", "Invoices keyed twice a month", 400, 0]]

    # Submit it.
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
