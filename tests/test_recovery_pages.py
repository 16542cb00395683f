"""The path to green through Streamlit's AppTest on the demo portfolio: the recovery view,
the project page's section and the weekly update's date and summary rules."""

from __future__ import annotations

import datetime as dt

from data_access.writes import Actor
from tests.auth_helpers import open_app
from tests.test_updates_page import field, message_under, run, submit

TODAY = dt.date.today()
PAT = Actor(2, "Pat Portfolio", "portfolio_manager")


def test_recovery_view_lists_red_and_amber_projects_most_in_need_first(demo_db_url, monkeypatch):
    at = open_app(demo_db_url, monkeypatch, "pages/recovery.py", actor=PAT)
    assert at.title[0].value == "Path to green"
    # Pat was asked for testers by PRJ-0015: it is on Pat's to-do, on top.
    assert at.subheader[0].value == "Asked of you (1)"
    asked = at.dataframe[0].value
    assert asked["Project"].str.startswith("PRJ-0015").tolist() == [True]
    view = at.dataframe[1].value
    assert set(view.Health.str[0]) <= {"R", "A"}
    assert len(view) == int(at.metric[0].value)
    # The three projects whose date slipped three times are counted and explained.
    assert at.metric[2].value == "3"
    assert (view.Slips == 3).sum() == 3
    assert view[view.Slips == 3]["Why here"].str.contains("date slipped 3×").all()
    # Sorted by need: overdue escalations first, then no plan or a passed date, then the rest.
    why = view["Why here"]
    rank = (
        why.str.contains("unanswered").map({True: 0, False: 1})
        + why.str.contains("no recovery plan|date passed").map({True: 0, False: 1})
    ).tolist()
    assert rank == sorted(rank) and rank[0] == 0
    open_escalations = at.dataframe[2].value
    assert len(open_escalations) == 2


def test_project_page_shows_the_path_to_green(demo_db_url, monkeypatch):
    at = open_app(demo_db_url, monkeypatch, "pages/project.py", project="PRJ-0002")
    assert "Path to green" in [s.value for s in at.subheader]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Date slipped"] == "3×"
    assert metrics["Back to Green by"] == "18 Dec 2026"


def test_report_date_and_summary_rules_under_their_fields(demo_db_url, monkeypatch):
    at = open_app(
        demo_db_url,
        monkeypatch,
        "pages/updates.py",
        actor=Actor(3, "Petra Projects", "project_manager"),
        project="PRJ-0001",
        section="Status update",
    )
    field(at, "date_input", "status", "report_date").set_value(TODAY + dt.timedelta(days=1))
    field(at, "text_area", "status", "summary").input("   ")
    at = submit(at, "Submit status update")
    assert message_under(at, field(at, "date_input", "status", "report_date")) == (
        f"**Report date** cannot be after today ({TODAY:%d %b %Y})"
    )
    assert message_under(at, field(at, "text_area", "status", "summary")) == (
        "**Summary** is required: say in a sentence or two where the project stands"
    )
    field(at, "date_input", "status", "report_date").set_value(dt.date(2020, 1, 3))
    at = run(submit(at, "Submit status update"))
    assert message_under(at, field(at, "date_input", "status", "report_date")).startswith(
        "**Report date** cannot be before the project's start ("
    )
