"""Reminders: project managers who have not sent this week's status update get one before the
deadline and one after it, worded as the PMO set, with a link to the pre-filled form; action
owners are reminded of actions due or overdue; nobody twice for the same thing."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.admin.commands import update_settings
from data_access.core import clock
from data_access.core.db import session_scope
from data_access.core.writes import Actor
from data_access.meeting.reviews import create_action, create_review
from data_access.stakeholders import deliveries
from domain.stakeholders import update_deadline
from tests.factories import make_org, make_project, make_report
from tests.smtp_server import SmtpServer
from worker import jobs

ADMIN = Actor(person_id=None, name="test admin", role="admin")


@pytest.fixture
def smtp(monkeypatch):
    with SmtpServer() as server:
        monkeypatch.setenv("PMO_SMTP_URL", server.url)
        yield server


def _setup(url: str) -> tuple[dict, dt.datetime]:
    org = make_org(url)
    deadline = update_deadline(clock.today(), 4, 17, clock.time_zone())
    monday = deadline.date() - dt.timedelta(days=4)
    for code, manager in (("P-1", "pm"), ("P-2", "pm"), ("P-3", "other_pm")):
        org[code] = make_project(url, org, code, manager_id=org[manager])
        make_report(url, org[code], monday - dt.timedelta(days=3))  # last week's
    make_report(url, org["P-1"], monday)  # P-1 has reported this week
    with session_scope(url) as session:
        update_settings(
            {"reminder_before_text": "Dear {name}, due {deadline}:\n{projects}"},
            expected_versions={"reminder_before_text": 1},
            session=session,
            actor=ADMIN,
        )
    return org, deadline


def _reminders(smtp) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for rcpt, msg in smtp.mailbox.received:
        if msg["X-PMO-Kind"] == "reminder":
            for address in rcpt:
                found.setdefault(address, []).append(msg.get_body(("plain",)).get_content())
    return found


def test_only_managers_who_have_not_reported_are_reminded(db_url, smtp):
    org, deadline = _setup(db_url)
    before = deadline - dt.timedelta(hours=2)
    for _ in range(2):  # a second run (or worker) reminds nobody again
        jobs.plan_reminders(before, db_url)
        jobs.send_pending(before, db_url)
    sent = _reminders(smtp)
    assert sorted(sent) == ["other_pm@example.org", "pm@example.org"]
    [pm_text] = sent["pm@example.org"]
    assert pm_text.startswith("Dear Pm, due ")  # the PMO's wording
    assert "P-2" in pm_text and "P-1" not in pm_text  # P-1 was reported this week
    assert "/updates?project=P-2&section=Status+update" in pm_text
    # other_pm reports; after the deadline only pm is reminded again, once.
    make_report(db_url, org["P-3"], deadline.date())
    after = deadline + dt.timedelta(hours=20)
    for _ in range(2):
        jobs.plan_reminders(after, db_url)
        jobs.send_pending(after, db_url)
    sent = _reminders(smtp)
    assert len(sent["pm@example.org"]) == 2 and len(sent["other_pm@example.org"]) == 1
    assert "still missing" in sent["pm@example.org"][1]


def test_no_reminder_far_from_the_deadline(db_url, smtp):
    _, deadline = _setup(db_url)
    jobs.plan_reminders(deadline - dt.timedelta(days=3), db_url)
    assert deliveries.delivery_log(url=db_url).empty


def test_action_owners_are_reminded_once_due_and_weekly_when_overdue(db_url, smtp):
    org = make_org(db_url)
    today = clock.today()
    with session_scope(db_url) as session:
        review = create_review(
            {"title": "Review", "held_on": today - dt.timedelta(days=20)},
            session=session,
            actor=ADMIN,
        )
    for title, due in (("Overdue one", -3), ("Due soon", 1), ("Later", 10)):
        with session_scope(db_url) as session:
            create_action(
                {
                    "title": title,
                    "owner_id": org["other_pm"],
                    "due_date": today + dt.timedelta(days=due),
                },
                review_id=review,
                session=session,
                actor=ADMIN,
            )
    now = clock.now()
    for _ in range(2):
        jobs.plan_reminders(now, db_url)
        jobs.send_pending(now, db_url)
    subjects = sorted(
        m["Subject"] for _, m in smtp.mailbox.received if m["X-PMO-Kind"] == "reminder"
    )
    assert len(subjects) == 2
    assert subjects[0].startswith("Action due on") and subjects[0].endswith("Due soon")
    assert subjects[1].startswith("Action overdue since") and subjects[1].endswith("Overdue one")
    # A week later the overdue one comes again; the one merely due does not.
    jobs.plan_reminders(now + dt.timedelta(days=7), db_url)
    log = deliveries.delivery_log(url=db_url)
    assert (log.subject.str.endswith("Overdue one")).sum() == 2
