"""Notifications: what someone must act on reaches their inbox, and their e-mail for the kinds
they chose; never twice."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.core import clock
from data_access.core.db import read_scalar, session_scope
from data_access.core.writes import Actor, ConflictError, PermissionDenied, ValidationFailed
from data_access.meeting import escalations
from data_access.meeting.reviews import create_action, create_review
from data_access.stakeholders import commands, deliveries, reads
from tests.factories import make_org, make_project, make_report
from tests.smtp_server import SmtpServer
from tests.test_gates import ON, _follow, _submit
from worker import jobs

ADMIN = Actor(person_id=None, name="test admin", role="admin")


@pytest.fixture
def smtp(monkeypatch):
    with SmtpServer() as server:
        monkeypatch.setenv("PMO_SMTP_URL", server.url)
        yield server


def test_assigned_actions_and_red_projects_reach_the_inbox_and_chosen_email(db_url, smtp):
    org = make_org(db_url)
    today = clock.today()
    project = make_project(db_url, org, "P-1", sponsor_id=org["portfolio_manager"])
    make_report(db_url, project, today - dt.timedelta(days=7))
    make_report(db_url, project, today, overall_rag="R", author_id=org["pm"])
    other_pm = Actor(person_id=org["other_pm"], name="Other Pm", role="project_manager")
    with session_scope(db_url) as session:
        commands.set_notification_prefs(
            org["other_pm"],
            {"action_assigned": True, "project_red": False},
            session=session,
            actor=other_pm,
        )
    with session_scope(db_url) as session, pytest.raises(PermissionDenied):
        commands.set_notification_prefs(
            org["pm"], {"action_assigned": True}, session=session, actor=other_pm
        )
    with session_scope(db_url) as session:
        review = create_review({"title": "R", "held_on": today}, session=session, actor=ADMIN)
    with session_scope(db_url) as session:
        create_action(
            {
                "title": "Call the supplier",
                "owner_id": org["other_pm"],
                "due_date": today + dt.timedelta(days=20),
                "project_id": project,
            },
            review_id=review,
            session=session,
            actor=ADMIN,
        )
    now = clock.now()
    for _ in range(2):
        jobs.plan_notifications(now, db_url)
        jobs.send_pending(now, db_url)
    [inbox_item] = deliveries.inbox(org["other_pm"], url=db_url).subject
    assert inbox_item == "An action was given to you: Call the supplier"
    # Only other_pm chose e-mail for this kind.
    [(rcpt, msg)] = smtp.mailbox.received
    assert rcpt == ["other_pm@example.org"] and msg["X-PMO-Kind"] == "notification"
    # P-1 turned Red: its sponsor hears of it (the PM wrote the update and knows).
    sponsor = deliveries.inbox(org["portfolio_manager"], url=db_url)
    assert sponsor.subject.tolist() == ["P-1 Project P-1 turned Red"]
    assert deliveries.inbox(org["pm"], url=db_url).empty
    assert reads.notification_prefs(org["other_pm"], url=db_url) == {
        "action_assigned": True,
        "project_red": False,
    }


def test_stakeholder_register_writes_are_checked_and_audited(db_url):
    org = make_org(db_url)
    project = make_project(db_url, org, "P-1")
    pm = Actor(person_id=org["pm"], name="Pm", role="project_manager")
    other = Actor(person_id=org["other_pm"], name="Other Pm", role="project_manager")
    values = {
        "project_id": project,
        "name": "Dana Board",
        "role": "sponsor",
        "influence": 5,
        "interest": 4,
        "receives": "Monthly report",
    }
    with session_scope(db_url) as session, pytest.raises(PermissionDenied):
        commands.add_stakeholder(values, session=session, actor=other)
    with session_scope(db_url) as session:
        sid = commands.add_stakeholder(values, session=session, actor=pm)
    with session_scope(db_url) as session, pytest.raises(ValidationFailed) as problem:
        commands.add_stakeholder({**values, "influence": 9, "name": ""}, session=session, actor=pm)
    assert set(problem.value.errors) == {"influence", "name"}
    with session_scope(db_url) as session:
        commands.update_stakeholder(
            sid, {"interest": 2}, expected_version=1, session=session, actor=pm
        )
    with session_scope(db_url) as session, pytest.raises(ConflictError):
        commands.update_stakeholder(
            sid, {"interest": 3}, expected_version=1, session=session, actor=pm
        )
    [row] = reads.stakeholders(project, url=db_url).to_dict("records")
    assert (row["name"], row["interest"], row["version"]) == ("Dana Board", 2, 2)
    with session_scope(db_url) as session:
        commands.remove_stakeholder(sid, expected_version=2, session=session, actor=pm)
    assert reads.stakeholders(project, url=db_url).empty


def test_escalations_and_gates_reach_the_people_asked(db_url, smtp):
    """An escalation reaches the person it is put to (the steering group's: the PMO); a
    submitted gate reaches the people its template names as approvers, not the submitter."""
    org = make_org(db_url)
    pm = Actor(org["pm"], "Pm", "project_manager")
    gated = _follow(db_url, org, sponsor_id=org["other_pm"])
    _submit(db_url, org, gated)
    for asked_of, what in (("sponsor", "Approve 40 k"), ("steering_group", "Move the launch")):
        with session_scope(db_url) as session:
            escalations.raise_escalation(
                {
                    "project_id": gated,
                    "ask": what,
                    "asked_of": asked_of,
                    "reason": "Supplier late",
                    "needed_by": ON + dt.timedelta(days=7),
                },
                today=ON,
                session=session,
                actor=pm,
            )
    now = dt.datetime.combine(ON, dt.time(12), tzinfo=dt.UTC)
    for _ in range(2):  # planned once, however often the worker runs
        jobs.plan_notifications(now, db_url)

    def inbox(who):
        return sorted(deliveries.inbox(org[who], url=db_url).subject)

    code = read_scalar("SELECT code FROM project WHERE id = :p", {"p": gated}, url=db_url)
    name = f"{code} Project {code}"
    gate = f"{name} awaits your decision at the Authorise the project"
    asks = f"{name} asks you by 02 Dec 2026: "
    # Initiation's gate names the sponsor, the portfolio manager (the program's) and the PMO.
    assert inbox("other_pm") == [f"{asks}Approve 40 k", gate]
    assert inbox("admin") == [f"{asks}Move the launch", gate]
    assert inbox("portfolio_manager") == [gate]
    assert inbox("pm") == []  # who submitted and escalated knows
