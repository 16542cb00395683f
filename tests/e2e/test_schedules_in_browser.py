"""Schedule files in a real browser, as a new user would: upload an .mpp, read the preview,
import; upload a schedule, then its slipped version, and see the slip in the milestone trend."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from data_access.core.db import read_df
from tests.e2e.harness import open_app, screenshot, settle_after_action
from tests.schedule_samples import fixture_folder, generated_schedule, write_schedule

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-schedules")]


def _open_schedule_tab(page, url: str, mode: str) -> None:
    open_app(page, url)
    page.get_by_role("tab", name="Schedule file").click()
    settle_after_action(page)
    page.get_by_text(mode, exact=True).first.click()
    settle_after_action(page)


def _upload(page, path) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(path))
    settle_after_action(page)
    expect(page.get_by_text("Preview:")).to_be_visible()


def _milestones(url: str, code: str):
    return read_df(
        "SELECT m.name, m.baseline_date, m.forecast_date FROM milestone m "
        "JOIN project p ON p.id = m.project_id WHERE p.code = :c ORDER BY m.id",
        {"c": code},
        url=url,
    )


def test_upload_preview_import_then_reimport_a_slip(server, demo_url, page, tmp_path):
    # An .mpp written by MS Project 2003 becomes a new project.
    _open_schedule_tab(page, f"{server.url}/updates", "New project")
    _upload(page, fixture_folder() / "mpp9baseline.mpp")
    page.get_by_role("textbox", name="Code").fill("MPP-9")
    screenshot(page, "schedule-preview-new")
    page.get_by_role("button", name="Create the project").click()
    settle_after_action(page)
    screenshot(page, "schedule-debug")
    expect(page.get_by_text("into the new project MPP-9")).to_be_visible()
    assert list(_milestones(demo_url, "MPP-9").name) == ["Complete"]

    # A plan of 100 tasks (10 milestones), then its version with every open milestone slipped.
    first = write_schedule(tmp_path / "plan.xml", generated_schedule(100))
    slipped = write_schedule(
        tmp_path / "plan-v2.xml",
        generated_schedule(100, slip_days=21, status_date=dt.date(2026, 3, 16)),
    )
    _open_schedule_tab(page, f"{server.url}/updates", "New project")
    _upload(page, first)
    page.get_by_role("textbox", name="Code").fill("PLAN-1")
    page.get_by_role("button", name="Create the project").click()
    settle_after_action(page)
    expect(page.get_by_text("into the new project PLAN-1")).to_be_visible()
    assert len(_milestones(demo_url, "PLAN-1")) == 10

    _open_schedule_tab(page, f"{server.url}/updates?project=PLAN-1", "Update PLAN-1")
    _upload(page, slipped)
    expect(page.get_by_text("changes 10", exact=False)).to_be_visible()
    screenshot(page, "schedule-preview-slip")
    page.get_by_role("button", name="Import", exact=True).click()
    settle_after_action(page)
    expect(page.get_by_text("Imported plan-v2.xml")).to_be_visible()
    after = _milestones(demo_url, "PLAN-1")
    assert len(after) == 10  # moved, not duplicated
    slips = {
        (dt.date.fromisoformat(str(f)[:10]) - dt.date.fromisoformat(str(b)[:10])).days
        for f, b in zip(after.forecast_date, after.baseline_date, strict=True)
    }
    assert slips == {21}

    open_app(page, f"{server.url}/milestones?project=PLAN-1")
    screenshot(page, "schedule-milestones-after-slip")
    heading = page.get_by_text("Milestone trend analysis").first
    heading.evaluate("element => element.scrollIntoView({block: 'start'})")
    screenshot(page, "schedule-trend-after-slip")

    # The project page leads to the project's schedule section, with its import history.
    open_app(page, f"{server.url}/project?project=PLAN-1")
    page.get_by_role("link", name="Import or export the schedule").click()
    settle_after_action(page)
    expect(page.get_by_text("Earlier imports")).to_be_visible()
