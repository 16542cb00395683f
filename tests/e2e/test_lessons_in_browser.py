"""Lessons in a real browser (issue 25): a PMO admin records a lesson under a gate awaiting a
decision; a project manager of another project in the same phase finds it among the lessons
from similar projects, marks it useful, and anyone finds it by full-text search."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from data_access.core.db import read_df, read_scalar
from data_access.lessons import reads
from domain import lessons as rule
from tests.conftest import DEMO_TODAY
from tests.e2e.harness import screenshot, settle, settle_after_action

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-lessons")]

TITLE = "Freeze the cut-over weekend with operations"


def _sign_in(page, base: str, role_label: str) -> None:
    page.goto(base)
    settle(page)
    page.get_by_role("button", name=re.compile(rf"^Demo · {role_label}")).first.click()
    settle_after_action(page)


def _reader_of(url: str, lesson_id: int) -> str:
    """A project of the demo PM (other than the lesson's) that the relevance rule shows it to."""
    projects = read_df(
        "SELECT p.id, p.code FROM project p JOIN person m ON m.id = p.manager_id "
        "WHERE m.role = 'project_manager' AND p.id <> "
        "(SELECT project_id FROM lesson WHERE id = :id) ORDER BY p.id",
        {"id": lesson_id},
        url=url,
    )
    for project in projects.itertuples():
        context = reads.project_context(project.id, url=url)
        shown = rule.rank(reads.candidates(project.id, url=url), context, DEMO_TODAY)
        if lesson_id in shown.id.tolist():
            return project.code
    raise AssertionError("no project of a project manager is offered the new lesson")


@pytest.mark.known_day_bug(
    reason="as on 2027-01-01 no project of a project manager is offered the new lesson (the "
    "relevance rule against that day's demo phases); passes today"
)
def test_a_lesson_recorded_at_a_gate_finds_its_reader(server, demo_url, new_page):
    pmo = new_page()
    _sign_in(pmo, server.url, "PMO admin")
    pmo.goto(f"{server.url}/gates?tab=Gates")
    settle(pmo)
    pmo.get_by_text("What did this phase teach?", exact=False).click()
    settle(pmo)
    form = pmo.get_by_test_id("stForm").filter(
        has=pmo.get_by_role("button", name="Record the lesson")
    )
    form.get_by_role("button", name="Record the lesson").click()
    settle_after_action(pmo)
    expect(pmo.get_by_text("is required", exact=False)).not_to_have_count(0)
    form.get_by_role("textbox", name="Lesson in one line").fill(TITLE)
    form.get_by_role("textbox", name="What happened").fill(
        "Operations scheduled a data-centre patch on our cut-over weekend; we lost a day."
    )
    form.get_by_role("textbox", name="Recommendation").fill(
        "Agree a change freeze for the cut-over weekend with operations at the planning gate."
    )
    form.get_by_role("combobox", name=re.compile("Category")).click()
    pmo.get_by_role("option", name="schedule", exact=True).click()
    form.get_by_role("button", name="Record the lesson").click()
    settle_after_action(pmo)
    expect(pmo.get_by_test_id("stAlertContentSuccess")).to_contain_text("Lesson recorded")
    lesson = read_df(
        "SELECT id, source, gate_review_id FROM lesson WHERE title = :t", {"t": TITLE}, url=demo_url
    ).iloc[0]
    assert lesson.source == "gate" and lesson.gate_review_id is not None
    screenshot(pmo, "lesson-at-gate")

    code = _reader_of(demo_url, int(lesson.id))
    pm = new_page()
    _sign_in(pm, server.url, "Project manager")
    pm.goto(f"{server.url}/project?project={code}")
    settle(pm)
    expect(pm.get_by_text("lessons from similar projects", exact=False)).not_to_have_count(0)
    # The innermost block holding the lesson's title and a Useful button: its card.
    card = (
        pm.get_by_test_id("stVerticalBlock")
        .filter(has_text=TITLE)
        .filter(has=pm.get_by_role("button", name="Useful"))
        .last
    )
    expect(card.get_by_text("Why:", exact=False)).not_to_have_count(0)
    card.get_by_role("button", name="Useful").click()
    settle_after_action(pm)
    marks = "SELECT COUNT(*) FROM lesson_mark WHERE lesson_id = :id AND kind = 'useful'"
    assert read_scalar(marks, {"id": int(lesson.id)}, url=demo_url) == 1
    screenshot(pm, "lessons-on-project")

    pm.goto(f"{server.url}/lessons?lesson_q=%22cut-over+weekend%22")
    settle(pm)
    expect(pm.get_by_text("lesson(s) match", exact=False)).not_to_have_count(0)
    screenshot(pm, "lessons-search")
