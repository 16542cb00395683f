"""Competence in a real browser (issue 25): a PMO admin sees a project manager's missing
certification in the competence matrix, then chooses that manager for a large project and is
warned of the same gap; the save goes through (a warning, not a block)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from data_access.core.db import read_df, read_scalar
from data_access.core.lesson_models import LARGE_FROM
from tests.e2e.harness import pick, screenshot, settle, settle_after_action, sign_in_as

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-training")]


def _gap(url: str) -> tuple[int, str, str]:
    """The demo project manager (PRJ-0001's) and a course the rule asks of a large project's
    manager that they never completed: (id, name, course)."""
    pm = read_df(
        "SELECT m.id, m.name FROM project p JOIN person m ON m.id = p.manager_id "
        "WHERE p.code = 'PRJ-0001'",
        url=url,
    ).iloc[0]
    course = read_scalar(
        "SELECT MIN(c.name) FROM competence_rule r JOIN course c ON c.id = r.course_id "
        "WHERE r.applies_to = 'large' AND c.id NOT IN "
        "(SELECT course_id FROM training_record WHERE person_id = :pm)",
        {"pm": int(pm.id)},
        url=url,
    )
    assert course, "the demo project manager holds every course a large project asks for"
    return int(pm.id), pm["name"], course


def test_a_missing_certification_in_the_matrix_and_when_assigning(server, demo_url, new_page):
    pm_id, pm, course = _gap(demo_url)
    page = new_page()
    sign_in_as(page, server.url, "PMO admin")
    page.goto(f"{server.url}/lessons?tab=Competence")
    settle(page)
    # Each cell of the heatmap (and the mark printed on it) names its person, course and state
    # to assistive technology.
    cell = page.get_by_test_id("stVegaLiteChart").locator(
        f'[aria-label*="person: {pm};"][aria-label*="Course: {course}; State: Missing"]'
    )
    expect(cell.first).to_be_attached()
    screenshot(page, "competence-matrix")

    code = read_scalar(
        "SELECT MIN(code) FROM project WHERE approved_budget >= :large AND status = 'active' "
        "AND manager_id <> :pm",
        {"large": LARGE_FROM, "pm": pm_id},
        url=demo_url,
    )
    page.goto(f"{server.url}/updates?project={code}")
    settle(page)
    page.get_by_role("tab", name="Project", exact=True).click()
    settle_after_action(page)
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Save project"))
    pick(page, form, "Manager", pm)
    form.get_by_role("button", name="Save project").click()
    settle_after_action(page)
    warning = page.get_by_test_id("stAlert").filter(has_text="This manager lacks for a large")
    expect(warning).to_contain_text(f"{course} (missing)")
    assert (
        read_scalar("SELECT manager_id FROM project WHERE code = :c", {"c": code}, url=demo_url)
        == pm_id
    )
    screenshot(page, "competence-warning")
