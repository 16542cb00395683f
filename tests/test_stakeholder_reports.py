"""Subscriptions end to end: the worker builds each subscriber's report for their saved view,
sends it once through a real SMTP server (two workers on PostgreSQL, a worker killed mid-run),
and the one-click unsubscribe stops the next ones."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data_access.core import clock
from data_access.core.db import read_scalar, session_scope
from data_access.core.writes import Actor
from data_access.meeting.reviews import create_review
from data_access.stakeholders import commands, reads
from domain.stakeholders import latest_occurrence
from tests.factories import make_org, make_project, make_report
from tests.smtp_server import SmtpServer
from worker import jobs

ROOT = Path(__file__).resolve().parent.parent
ADMIN = Actor(person_id=None, name="test admin", role="admin")


@pytest.fixture
def smtp(monkeypatch):
    with SmtpServer() as server:
        monkeypatch.setenv("PMO_SMTP_URL", server.url)
        yield server


def _portfolio(url: str) -> dict:
    """Three projects in two programs; each person subscribes to a different view."""
    org = make_org(url)
    today = clock.today()
    start = today - dt.timedelta(days=200)
    codes = {"P-1": "program", "P-2": "other_program", "P-3": "program"}
    for code, program in codes.items():
        pid = make_project(
            url,
            org,
            code,
            name=f"Project {code}",
            program_id=org[program],
            baseline_start=start,
            baseline_finish=today + dt.timedelta(days=200),
            forecast_finish=today + dt.timedelta(days=200),
        )
        org[code] = pid
        make_report(
            url,
            pid,
            today - dt.timedelta(days=3),
            overall_rag="R" if code == "P-1" else "G",
            schedule_rag="G",
        )
    views = {
        "pm": {"scope": "portfolio", "filters": {"program": ["Core"]}},
        "other_pm": {"scope": "project", "project_id": org["P-2"]},
        "viewer": {"scope": "portfolio", "filters": {}},
        "admin": {"scope": "project", "project_id": org["P-1"]},
        "portfolio_manager": {"scope": "portfolio", "filters": {"program": ["Other"]}},
    }
    for who, view in views.items():
        with session_scope(url) as session:
            commands.subscribe(
                {
                    "person_id": org[who],
                    "cadence": "weekly",
                    "weekday": 0,
                    "hour": 7,
                    "time_zone": "Europe/Paris",
                    **view,
                },
                session=session,
                actor=ADMIN,
            )
    return org


def _next_week() -> dt.datetime:
    """An hour after the subscriptions' first slot (Monday 07:00, Paris) at least a week away:
    well inside one weekly period whatever the time of day the test runs. (A week from now ran
    on a Monday at 06:52 Paris put the half-hour-later run in the next period.)"""
    slot = latest_occurrence(
        clock.now() + dt.timedelta(days=7), "weekly", weekday=0, hour=7, time_zone="Europe/Paris"
    )
    return (slot + dt.timedelta(hours=1)).astimezone(dt.UTC)


def _codes_in(msg) -> set[str]:
    text = msg.get_body(("plain",)).get_content()
    return {code for code in ("P-1", "P-2", "P-3") if f" {code} " in text}


def test_each_subscriber_gets_one_report_of_their_view(db_url, smtp):
    _portfolio(db_url)
    now = _next_week()
    for job in ("reports", "send"):
        jobs.JOBS[job](now, db_url)
    box = smtp.mailbox
    assert box.count_by_recipient() == {
        f"{who}@example.org": 1
        for who in ("pm", "other_pm", "viewer", "admin", "portfolio_manager")
    }
    [pm] = box.to("pm@example.org")
    assert _codes_in(pm) == {"P-1", "P-3"}
    assert _codes_in(box.to("other_pm@example.org")[0]) == {"P-2"}
    assert _codes_in(box.to("viewer@example.org")[0]) == {"P-1", "P-2", "P-3"}
    parts = {p.get_content_type(): p for p in pm.walk()}
    assert parts["application/pdf"].get_content().startswith(b"%PDF")
    html = parts["text/html"].get_content()
    cid = parts["image/png"]["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html
    assert parts["image/png"].get_content().startswith(b"\x89PNG")
    assert "Open this view in the app" in html and "program=Core" in html
    assert "/_pmo/unsubscribe?token=" in pm["List-Unsubscribe"]
    assert pm["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The same period again (a second run, or another worker): nothing more.
    for job in ("reports", "send"):
        jobs.JOBS[job](now + dt.timedelta(minutes=30), db_url)
    assert len(box.received) == 5


def test_unsubscribe_link_stops_the_next_reports(db_url, smtp):
    org = _portfolio(db_url)
    [token] = reads.subscriptions(org["pm"], url=db_url).unsubscribe_token
    with session_scope(db_url) as session:
        assert commands.unsubscribe(token, session=session)["person_id"] == org["pm"]
    with session_scope(db_url) as session:
        assert commands.unsubscribe(token, session=session) is None  # already done
    for job in ("reports", "send"):
        jobs.JOBS[job](_next_week(), db_url)
    assert "pm@example.org" not in smtp.mailbox.count_by_recipient()
    assert len(smtp.mailbox.received) == 4


def test_nothing_is_sent_for_a_period_before_subscribing(db_url, smtp):
    _portfolio(db_url)
    for job in ("reports", "send"):
        jobs.JOBS[job](clock.now(), db_url)
    assert smtp.mailbox.received == []


# --- several processes ------------------------------------------------------------------


def _every_delivery_sent_once(url: str, smtp) -> None:
    """Reports, and the reminders the same run planned: each stored once and sent once."""
    sent = read_scalar("SELECT COUNT(*) FROM delivery WHERE status = 'sent'", url=url)
    assert read_scalar("SELECT COUNT(*) FROM delivery WHERE status = 'pending'", url=url) == 0
    assert read_scalar("SELECT COUNT(*) FROM delivery WHERE kind = 'report'", url=url) == 5
    assert len(smtp.mailbox.received) == sent


def _worker(url: str, now: dt.datetime) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "worker", "--once", "--now", now.isoformat(), "--url", url],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.fixture
def pg_url(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("several workers at once are a PostgreSQL deployment")
    return db_url


def test_two_workers_on_postgresql_send_each_report_once(pg_url, smtp):
    _portfolio(pg_url)
    now = _next_week()
    workers = [_worker(pg_url, now), _worker(pg_url, now)]
    for w in workers:
        out, _ = w.communicate(timeout=300)
        assert w.returncode == 0, out.decode()
    assert sorted(smtp.mailbox.count_by_recipient().values()) == [1, 1, 1, 1, 1]
    _every_delivery_sent_once(pg_url, smtp)


def test_a_worker_killed_mid_run_then_restarted_neither_loses_nor_repeats(pg_url, smtp):
    _portfolio(pg_url)
    now = _next_week()
    worker = _worker(pg_url, now)
    deadline = time.monotonic() + 120
    while not read_scalar("SELECT COUNT(*) FROM delivery", url=pg_url):
        assert worker.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    planned = read_scalar("SELECT COUNT(*) FROM delivery", url=pg_url)
    assert 1 <= planned < 5  # killed while planning: some planned, not all
    restarted = _worker(pg_url, now)
    out, _ = restarted.communicate(timeout=300)
    assert restarted.returncode == 0, out.decode()
    assert sorted(smtp.mailbox.count_by_recipient().values()) == [1, 1, 1, 1, 1]
    _every_delivery_sent_once(pg_url, smtp)


def test_after_each_review_one_report_per_review(db_url, smtp):
    org = make_org(db_url)
    today = clock.today()
    make_project(
        db_url,
        org,
        "P-1",
        baseline_start=today - dt.timedelta(days=100),
        baseline_finish=today + dt.timedelta(days=100),
        forecast_finish=today + dt.timedelta(days=100),
    )
    with session_scope(db_url) as session:
        commands.subscribe(
            {
                "person_id": org["viewer"],
                "scope": "portfolio",
                "filters": {},
                "cadence": "after_review",
            },
            session=session,
            actor=ADMIN,
        )
    now = clock.now()

    def run(moment):
        for job in ("reports", "send"):
            jobs.JOBS[job](moment, db_url)
        return len(smtp.mailbox.to("viewer@example.org"))

    assert run(now) == 0  # no review yet
    for n in (1, 2):
        with session_scope(db_url) as session:
            create_review({"title": f"Review {n}", "held_on": today}, session=session, actor=ADMIN)
        assert run(now + dt.timedelta(minutes=n)) == n
        assert run(now + dt.timedelta(minutes=n, seconds=30)) == n  # not twice
