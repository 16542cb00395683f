"""A gate in a real browser (issue 16): the project manager submits it with evidence, a PMO
admin in another browser decides Go, and the project's phase moves on."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from data_access.core.db import read_scalar
from tests.e2e.harness import screenshot, settle, settle_after_action, sign_in_as

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-gates")]

PROJECT = "PRJ-0001"  # Petra Projects' project: the demo keeps its gate open


def _phase_index(url: str) -> int:
    return read_scalar(
        "SELECT l.phase_index FROM project_lifecycle l JOIN project p ON p.id = l.project_id "
        "WHERE p.code = :code",
        {"code": PROJECT},
        url=url,
    )


def test_submit_then_decide_moves_the_phase(server, demo_url, new_page):
    before = _phase_index(demo_url)
    pm = new_page()
    sign_in_as(pm, server.url, "Project manager")
    pm.goto(f"{server.url}/project?project={PROJECT}&tab=Lifecycle%20and%20gates")
    settle(pm)
    form = pm.get_by_test_id("stForm").filter(
        has=pm.get_by_role("button", name="Submit for decision")
    )
    form.get_by_role("textbox", name="Link").first.fill("https://docs.example.org/vision")
    form.get_by_role("textbox", name="Comment").first.fill("Signed by the product owner")
    form.get_by_role("button", name="Submit for decision").click()
    settle_after_action(pm)
    expect(pm.get_by_test_id("stAlertContentSuccess")).to_contain_text("Gate submitted")
    expect(pm.get_by_text("Awaiting a decision", exact=False)).not_to_have_count(0)
    screenshot(pm, "gate-submitted")

    pmo = new_page()
    sign_in_as(pmo, server.url, "PMO admin")
    pmo.goto(f"{server.url}/project?project={PROJECT}&tab=Lifecycle%20and%20gates")
    settle(pmo)
    decide = pmo.get_by_test_id("stForm").filter(
        has=pmo.get_by_role("button", name="Record the decision")
    )
    decide.get_by_text("Go", exact=True).click()
    decide.get_by_role("textbox", name="Reason").fill("Vision agreed; budget envelope fine")
    decide.get_by_role("button", name="Record the decision").click()
    settle_after_action(pmo)
    expect(pmo.get_by_test_id("stAlertContentSuccess")).to_contain_text("Decision recorded: Go")
    assert _phase_index(demo_url) == before + 1
    expect(pmo.get_by_text("Next gate:", exact=False)).not_to_have_count(0)
    screenshot(pmo, "gate-decided")
