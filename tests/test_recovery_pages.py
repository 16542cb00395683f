"""The path to green through Streamlit's AppTest on the demo portfolio: the recovery view,
the project page's section and the weekly update's date and summary rules."""

from __future__ import annotations

import datetime as dt

from data_access.core import clock
from data_access.core.db import session_scope
from data_access.core.writes import Actor
from data_access.meeting import reviews
from data_access.recovery import reads
from domain.formatting import fmt_date
from tests.auth_helpers import actor_of, open_app
from tests.test_updates_page import field, message_under, run, submit

TODAY = clock.today()


def test_recovery_view_lists_red_and_amber_projects_most_in_need_first(demo_db_url, monkeypatch):
    # The person an open escalation was asked of finds it on top of the page, as a to-do.
    escalations = reads.escalations(TODAY, open_only=True, url=demo_db_url)
    ask = escalations[escalations.asked_person_id.notna()].iloc[0]
    at = open_app(
        demo_db_url,
        monkeypatch,
        "pages/recovery.py",
        actor=actor_of(demo_db_url, int(ask.asked_person_id)),
    )
    assert at.title[0].value == "Path to green"
    mine = escalations[escalations.asked_person_id == ask.asked_person_id]
    assert at.subheader[0].value == f"Asked of you ({len(mine)})"
    assert at.dataframe[0].value["Asks"].tolist() == mine.ask.tolist()
    view = at.dataframe[1].value
    assert set(view.Health.str[0]) <= {"R", "A"}
    assert len(view) == int(at.metric[0].value)
    # The projects whose date slipped three times are counted and explained.
    slipped = int((view.Slips >= 3).sum())
    assert slipped >= 1 and at.metric[2].value == str(slipped)
    assert view[view.Slips == 3]["Why here"].str.contains("date slipped 3×").all()
    # Sorted by need: overdue escalations first, then no plan or a passed date, then the rest.
    why = view["Why here"]
    rank = (
        why.str.contains("unanswered").map({True: 0, False: 1})
        + why.str.contains("no recovery plan|date passed").map({True: 0, False: 1})
    ).tolist()
    assert rank == sorted(rank)
    assert "unanswered" in why.iloc[0]  # the demo's overdue escalation
    assert len(at.dataframe[2].value) == len(escalations)


def test_project_page_shows_the_path_to_green(demo_db_url, monkeypatch):
    status = reads.recovery_status(TODAY, url=demo_db_url)
    slipped = status[status.slips == 3].iloc[0]
    code = f"PRJ-{int(slipped.project_id):04d}"
    at = open_app(demo_db_url, monkeypatch, "pages/project.py", project=code)
    assert "Path to green" in [s.value for s in at.subheader]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Date slipped"] == "3×"
    assert metrics["Back to Green by"] == fmt_date(slipped.expected_green_date)
    assert metrics["First expected"] == fmt_date(slipped.first_green_date)
    # The demo's updates were saved on their reporting day: on time by the PMO's setting.
    assert any(c.value.endswith(": on time") for c in at.caption)


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


def test_a_project_manager_escalates_from_quick_updates(demo_db_url, monkeypatch):
    at = open_app(
        demo_db_url,
        monkeypatch,
        "pages/updates.py",
        actor=Actor(3, "Petra Projects", "project_manager"),
        project="PRJ-0001",
        section="Escalate",
    )
    at = submit(at, "Escalate")
    ask = field(at, "text_input", "escalation", "ask")
    assert message_under(at, ask) == "**What you ask for** is required"
    reason = field(at, "text_area", "escalation", "reason")
    assert message_under(at, reason) == "**Reason** is required"
    ask.input("Approve two more testers")
    reason.input("Test capacity is the critical path")
    field(at, "radio", "escalation", "asked_of").set_value("portfolio_manager")
    at = submit(at, "Escalate")
    assert at.success[0].value.startswith("Escalated.")
    listed = reads.escalations(TODAY, project_ids=[1], open_only=True, url=demo_db_url)
    assert listed[["ask", "asked_of", "raised_by", "needed_by"]].to_dict("records") == [
        {
            "ask": "Approve two more testers",
            "asked_of": "portfolio_manager",
            "raised_by": "Petra Projects",
            "needed_by": TODAY + dt.timedelta(days=14),
        }
    ]
    assert at.dataframe[0].value["Asks"].tolist() == ["Approve two more testers"]


def test_an_escalation_is_answered_in_the_review(demo_db_url, monkeypatch):
    admin = Actor(1, "Ada Admin", "admin")
    with session_scope(demo_db_url) as session:
        rid = reviews.create_review(
            {"title": "December review", "held_on": TODAY}, session=session, actor=admin
        )
    waiting = reads.escalations(TODAY, open_only=True, url=demo_db_url)
    at = open_app(
        demo_db_url,
        monkeypatch,
        "pages/meeting.py",
        actor=admin,
        review=str(rid),
        tab="Decisions and actions",
    )
    picked = next(s for s in at.selectbox if s.label == "Escalation")
    assert len(picked.options) == len(waiting)
    chosen = picked.value
    # The answer form comes after the review's own decision form.
    [t for t in at.text_input if t.label == "Decision"][-1].input("Go ahead")
    at = submit(at, "Record the answer")
    answered = reads.escalations(TODAY, url=demo_db_url).set_index("id").loc[chosen]
    assert (answered.status, answered.decision, answered.answered_on) == (
        "answered",
        "Go ahead",
        TODAY,
    )
    assert "Go ahead" in reviews.review_decisions(rid, url=demo_db_url).title.tolist()
