"""The Schedule file section of Quick updates through Streamlit's AppTest on the demo
portfolio: a bad file is refused on the page and writes nothing; many files are imported one
project each with a report; the project's plan is exported as MS Project XML; the file's
people and the hours typed in by hand that the file's hours overlap."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.common.safe_text import md_escape
from data_access.admin.commands import create_person
from data_access.core.db import read_df, session_scope
from data_access.core.writes import Actor
from data_access.resources.commands import create_allocation
from data_access.schedules.files import write_mspdi
from tests.auth_helpers import open_app
from tests.schedule_samples import fixture_folder, generated_schedule

CODE = "PRJ-0005"  # a demo project planned in MS Project (one in five is)


def open_section(url, monkeypatch) -> AppTest:
    at = open_app(url, monkeypatch, "pages/updates.py", project=CODE, section="Schedule file")
    return run(at)


def run(at: AppTest) -> AppTest:
    at.run(timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def count(url, table) -> int:
    return int(read_df(f"SELECT COUNT(*) AS n FROM {table}", url=url).n.item())


LOCKED = Path(__file__).parent / "fixtures" / "msproject" / "password-protected-mpp9.mpp"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (lambda: (fixture_folder() / "sample.mpp").read_bytes()[:6000], "damaged or truncated"),
        (LOCKED.read_bytes, "password-protected; save it without a password"),
    ],
    ids=["truncated", "password"],
)
def test_a_file_that_cannot_be_read_is_refused_on_the_page_and_writes_nothing(
    demo_db_url, monkeypatch, content, reason
):
    at = open_section(demo_db_url, monkeypatch)
    assert any("Earlier imports" in m.value for m in at.markdown)
    before = count(demo_db_url, "audit_log")
    uploader = at.file_uploader(key="schedule-file-0")
    uploader.upload("plan.mpp", content(), "application/octet-stream")
    at = run(at)
    assert f"{md_escape('plan.mpp')} cannot be imported" in at.error[0].value
    assert md_escape(reason) in at.error[0].value
    assert not [b for b in at.button if b.label in ("Import", "Create the project")]
    assert count(demo_db_url, "audit_log") == before


def test_many_files_make_one_project_each_with_a_report(demo_db_url, monkeypatch):
    at = open_section(demo_db_url, monkeypatch)
    at.segmented_control(key="schedule-mode").set_value("bulk")
    at = run(at)
    folder = fixture_folder()
    uploader = at.file_uploader(key="schedule-bulk-0")
    uploader.upload("mpp9baseline.mpp", (folder / "mpp9baseline.mpp").read_bytes(), "x")
    uploader.upload("broken.mpp", (folder / "sample.mpp").read_bytes()[:6000], "x")
    at = run(at)
    projects = count(demo_db_url, "project")
    next(b for b in at.button if b.label == "Import 1 of 2 files").click()
    at = run(at)
    report = at.dataframe[0].value
    assert dict(zip(report.File, report.Result, strict=True)) == {
        "mpp9baseline.mpp": "created",
        "broken.mpp": "refused",
    }
    assert count(demo_db_url, "project") == projects + 1


def test_the_plan_is_exported_as_ms_project_xml(demo_db_url, monkeypatch):
    at = open_section(demo_db_url, monkeypatch)
    next(b for b in at.button if b.label == "Prepare the file").click()
    at = run(at)
    [download] = [b for b in at.get("download_button")]
    assert download.proto.label == "Download MS Project XML"


def test_the_preview_lists_the_files_people_and_creates_one_only_when_confirmed(
    demo_db_url, monkeypatch
):
    at = open_section(demo_db_url, monkeypatch)
    content = write_mspdi(generated_schedule(20, team_hours=4))
    at.file_uploader(key="schedule-file-0").upload("team.xml", content, "application/xml")
    at = run(at)
    assert any(m.value == "##### People from the file" for m in at.markdown)
    people = table(at, "Person here")
    assert list(people["Person here"]) == ["new person", "new person"]
    assert any("Bob Stone is nobody here and not confirmed" in w.value for w in at.warning)
    box = next(c for c in at.checkbox if c.label.startswith("Create Bob Stone"))
    assert box.value is False
    box.check()
    at = run(at)
    assert not any("Bob Stone is nobody here" in w.value for w in at.warning)
    changes = table(at, "Import")
    assert ("Bob Stone", "person", "new") in set(
        zip(changes.Record, changes.Kind, changes.Import, strict=True)
    )
    assert "Hours a week, 05 Jan 2026 to 16 Jan 2026" in set(changes.Field)
    next(b for b in at.button if b.label == "Import").click()
    at = run(at)
    names = read_df(
        "SELECT name FROM person WHERE name IN ('Ann Lee', 'Bob Stone')", url=demo_db_url
    )
    assert list(names.name) == ["Bob Stone"]  # Ann was not confirmed


def test_hours_typed_by_hand_that_the_file_overlaps_are_named_and_replaced_when_asked(
    demo_db_url, monkeypatch
):
    ada = Actor(1, "Ada Admin", "admin")
    pid = read_df("SELECT id FROM project WHERE code = :c", {"c": CODE}, url=demo_db_url).id.item()
    with session_scope(demo_db_url) as s:
        ann = create_person(
            {"name": "Ann Lee", "email": "ann.lee@example.org", "role": "viewer"},
            session=s,
            actor=ada,
        )
    with session_scope(demo_db_url) as s:
        create_allocation(
            {
                "person_id": ann,
                "project_id": pid,
                "start_date": dt.date(2026, 1, 12),
                "end_date": dt.date(2026, 1, 23),
                "hours_per_week": 16,
            },
            session=s,
            actor=ada,
        )
    at = open_section(demo_db_url, monkeypatch)
    content = write_mspdi(generated_schedule(20, team_hours=4))
    at.file_uploader(key="schedule-file-0").upload("team.xml", content, "application/xml")
    at = run(at)
    [warning] = [w.value for w in at.warning if "typed in by hand" in w.value]
    assert "Ann Lee is already on this project from 12 Jan 2026 to 23 Jan 2026" in warning
    box = next(c for c in at.checkbox if c.label.startswith("Let the file's hours replace"))
    assert box.label.startswith("Let the file's hours replace the 1 allocation typed in")
    box.check()
    at = run(at)
    assert not any("typed in by hand" in w.value for w in at.warning)
    assert any("and 1 typed in by hand" in m.value for m in at.markdown)
    next(b for b in at.button if b.label == "Import").click()
    at = run(at)
    left = read_df(
        "SELECT id, start_date, hours_per_week FROM allocation WHERE person_id = :a ORDER BY 2",
        {"a": ann},
        url=demo_db_url,
    )
    # The typed 16 h from 12 Jan gave way to the file's hours (SQLite may reuse its id).
    assert list(zip(left.start_date.astype(str).str[:10], left.hours_per_week, strict=True)) == [
        ("2026-01-05", 4.0),
        ("2026-01-12", 8.0),
        ("2026-03-02", 4.0),
    ]
