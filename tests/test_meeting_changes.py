"""What changed since a day, on hand-made histories, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access.core.db import session_scope
from data_access.core.models import AuditLog, MilestoneHistory, RiskAssessment
from data_access.core.settings import DEFAULT_SETTINGS
from data_access.core.writes import SYSTEM
from data_access.meeting.changes import band_params, milestone_changes, project_changes
from data_access.updates import commands
from deck.sources import changes_between
from domain.changes import counts, default_since
from tests.conftest import DEMO_TODAY
from tests.factories import (
    _insert,
    make_milestone,
    make_org,
    make_project,
    make_report,
    make_risk,
)

D = dt.date
SINCE, UNTIL = D(2026, 10, 23), D(2026, 11, 25)


def _history(url, milestone_id, project_id, day, change, baseline, forecast, actual=None):
    _insert(
        url,
        MilestoneHistory,
        milestone_id=milestone_id,
        project_id=project_id,
        reported_on=day,
        change=change,
        baseline_date=baseline,
        forecast_date=forecast,
        actual_date=actual,
    )


def _assess(url, risk_id, project_id, day, probability, impact, status="open"):
    _insert(
        url,
        RiskAssessment,
        risk_id=risk_id,
        project_id=project_id,
        assessed_on=day,
        probability=probability,
        impact=impact,
        status=status,
    )


def _changes(url, since=SINCE, until=UNTIL):
    return changes_between(since, until, DEFAULT_SETTINGS, basis="test", url=url)


def test_health_changes_say_from_to_and_why(db_url):
    org = make_org(db_url)
    worse = make_project(db_url, org, "WORSE", approved_budget=1_000)
    better = make_project(db_url, org, "BETTER")
    same = make_project(db_url, org, "SAME")
    new = make_project(db_url, org, "NEW")
    make_report(db_url, worse, D(2026, 10, 16))
    make_report(db_url, worse, D(2026, 11, 20), schedule_rag="A", cost_rag="R", overall_rag="R")
    make_report(db_url, better, D(2026, 10, 23), schedule_rag="R", overall_rag="R")
    make_report(
        db_url,
        better,
        D(2026, 11, 6),
        schedule_rag="A",
        overall_rag="G",
        override_rag="G",
        override_reason="Recovery plan approved",
    )
    make_report(db_url, same, D(2026, 10, 2), scope_rag="A", overall_rag="A")
    make_report(db_url, same, D(2026, 11, 20), cost_rag="A", overall_rag="A")
    # A report after the end day does not count; a project first reported in the window has
    # nothing to change from.
    make_report(db_url, same, D(2026, 11, 27), cost_rag="R", overall_rag="R")
    make_report(db_url, new, D(2026, 11, 13), schedule_rag="R", overall_rag="R")

    health = _changes(db_url).health
    rows = health.set_index("code")[["from_rag", "to_rag", "direction", "why"]]
    assert rows.to_dict("index") == {
        "WORSE": {
            "from_rag": "G",
            "to_rag": "R",
            "direction": "worse",
            "why": "schedule G to A, cost G to R",
        },
        "BETTER": {
            "from_rag": "R",
            "to_rag": "G",
            "direction": "better",
            "why": "schedule R to A; overridden to G: Recovery plan approved",
        },
    }
    assert health.code.tolist() == ["WORSE", "BETTER"]  # worse first


def test_a_report_on_the_day_itself_is_the_state_as_of_that_day(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    make_report(db_url, pid, SINCE, overall_rag="A", schedule_rag="A")
    make_report(db_url, pid, UNTIL, overall_rag="A", schedule_rag="A")
    assert _changes(db_url).health.empty
    assert _changes(db_url, since=SINCE - dt.timedelta(days=1)).health.empty


def test_risks_new_closed_and_band_moves(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    before = D(2026, 9, 4)
    up = make_risk(db_url, pid, 3, 4, title="Up a band", raised_on=before)
    _assess(db_url, up, pid, before, 2, 2)  # 4: Low
    _assess(db_url, up, pid, D(2026, 11, 6), 3, 4)  # 12: High
    down = make_risk(db_url, pid, 1, 4, title="Down a band", raised_on=before)
    _assess(db_url, down, pid, before, 4, 4)  # 16: Critical
    _assess(db_url, down, pid, D(2026, 10, 30), 1, 4)  # 4: Low
    same_band = make_risk(db_url, pid, 2, 4, title="Same band", raised_on=before)
    _assess(db_url, same_band, pid, before, 3, 3)  # 9: Medium
    _assess(db_url, same_band, pid, D(2026, 11, 6), 2, 4)  # 8: Medium
    edge = make_risk(db_url, pid, 3, 5, title="Band edge", raised_on=before)
    _assess(db_url, edge, pid, before, 2, 5)  # 10: High
    _assess(db_url, edge, pid, D(2026, 11, 13), 3, 5)  # 15: Critical (edge 14/15)
    earlier = make_risk(db_url, pid, 5, 5, title="Moved before", raised_on=before)
    _assess(db_url, earlier, pid, before, 1, 1)
    _assess(db_url, earlier, pid, D(2026, 10, 9), 5, 5)
    new = make_risk(db_url, pid, 4, 5, title="New", raised_on=D(2026, 11, 10))
    _assess(db_url, new, pid, D(2026, 11, 10), 4, 5)
    closed = make_risk(
        db_url,
        pid,
        2,
        2,
        title="Closed",
        raised_on=before,
        status="closed",
        closed_on=D(2026, 11, 5),
    )
    _assess(db_url, closed, pid, before, 4, 4)
    _assess(db_url, closed, pid, D(2026, 11, 5), 2, 2, status="closed")
    make_risk(
        db_url,
        pid,
        2,
        2,
        title="Closed before",
        raised_on=before,
        status="closed",
        closed_on=D(2026, 10, 1),
    )

    changes = _changes(db_url)
    assert changes.risks_new[["title", "score", "band"]].to_dict("records") == [
        {"title": "New", "score": 20, "band": "Critical"}
    ]
    assert changes.risks_closed.title.tolist() == ["Closed"]
    moves = changes.risks_band.set_index("title")
    assert moves[["from_band", "to_band", "from_score", "to_score", "direction"]].to_dict(
        "index"
    ) == {
        "Band edge": {
            "from_band": "High",
            "to_band": "Critical",
            "from_score": 10,
            "to_score": 15,
            "direction": "up",
        },
        "Up a band": {
            "from_band": "Low",
            "to_band": "High",
            "from_score": 4,
            "to_score": 12,
            "direction": "up",
        },
        "Down a band": {
            "from_band": "Critical",
            "to_band": "Low",
            "from_score": 16,
            "to_score": 4,
            "direction": "down",
        },
    }
    assert changes.risks_band.title.tolist()[0] == "Band edge"  # worst new band first


def test_band_thresholds_are_the_settings(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    rid = make_risk(db_url, pid, 3, 4, raised_on=D(2026, 9, 4))
    _assess(db_url, rid, pid, D(2026, 9, 4), 3, 3)  # 9
    _assess(db_url, rid, pid, D(2026, 11, 6), 3, 4)  # 12
    assert len(_changes(db_url).risks_band) == 1  # Medium to High by default
    settings = {**DEFAULT_SETTINGS, "band_high_from": 13}
    assert changes_between(SINCE, UNTIL, settings, url=db_url).risks_band.empty
    assert band_params(settings)["high_from"] == 13


def test_milestones_slipped_completed_added_removed_and_pulled_in(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    created = D(2026, 3, 6)
    base = D(2026, 12, 1)

    def milestone(name):
        return make_milestone(db_url, pid, base, name=name)

    slipped = milestone("Slipped")
    _history(db_url, slipped, pid, created, "created", base, base)
    _history(db_url, slipped, pid, D(2026, 10, 2), "forecast", base, D(2026, 12, 8))
    _history(db_url, slipped, pid, D(2026, 11, 6), "forecast", base, D(2026, 12, 22))
    done = milestone("Completed")
    _history(db_url, done, pid, created, "created", base, D(2026, 11, 10))
    _history(
        db_url, done, pid, D(2026, 11, 12), "completed", base, D(2026, 11, 12), D(2026, 11, 12)
    )
    added = milestone("Added")
    _history(db_url, added, pid, D(2026, 11, 13), "created", base, base)
    removed = milestone("Removed")
    _history(db_url, removed, pid, created, "created", base, base)
    _history(db_url, removed, pid, D(2026, 11, 14), "removed", base, base)
    ahead = milestone("Pulled in")
    _history(db_url, ahead, pid, created, "created", base, base)
    _history(db_url, ahead, pid, D(2026, 11, 20), "forecast", base, D(2026, 11, 24))
    quiet = milestone("Moved before")
    _history(db_url, quiet, pid, created, "created", base, base)
    _history(db_url, quiet, pid, D(2026, 10, 9), "forecast", base, D(2027, 1, 5))
    rebaselined = milestone("Re-baselined only")
    _history(db_url, rebaselined, pid, created, "created", base, base)
    _history(db_url, rebaselined, pid, D(2026, 11, 6), "rebaselined", D(2026, 12, 15), base)
    late = milestone("After the end day")
    _history(db_url, late, pid, created, "created", base, base)
    _history(db_url, late, pid, D(2026, 11, 27), "forecast", base, D(2027, 2, 1))

    changes = _changes(db_url)
    rows = changes.milestones.set_index("milestone")
    assert rows.kind.to_dict() == {
        "Slipped": "slipped",
        "Added": "added",
        "Removed": "removed",
        "Completed": "completed",
        "Pulled in": "pulled in",
    }
    assert rows.loc["Slipped", "moved_days"] == 14  # 8 Dec (as of the 23 Oct) to 22 Dec
    assert rows.loc["Slipped", "to_forecast"] == D(2026, 12, 22)
    assert rows.loc["Pulled in", "moved_days"] == -7
    assert rows.loc["Completed", "actual_date"] == D(2026, 11, 12)
    numbers = counts(changes)
    assert [
        numbers[k]
        for k in (
            "Milestones slipped",
            "Milestones completed",
            "Milestones added",
            "Milestones removed",
        )
    ] == [1, 1, 1, 1]


def test_milestone_changes_written_by_the_write_functions(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    with session_scope(db_url) as session:
        mid = commands.add_milestone(
            {
                "project_id": pid,
                "name": "Go-live",
                "baseline_date": D(2026, 12, 1),
                "forecast_date": D(2026, 12, 1),
            },
            reported_on=D(2026, 9, 4),
            session=session,
            actor=SYSTEM,
        )
    with session_scope(db_url) as session:
        commands.move_milestone(
            mid,
            D(2026, 12, 29),
            reported_on=D(2026, 11, 20),
            expected_version=1,
            session=session,
            actor=SYSTEM,
            reason="Vendor late",
        )
    df = milestone_changes(SINCE, UNTIL, url=db_url)
    assert df[["milestone", "kind", "moved_days", "reason"]].to_dict("records") == [
        {"milestone": "Go-live", "kind": "slipped", "moved_days": 28, "reason": "Vendor late"}
    ]


def test_new_and_closed_projects_from_the_audit_trail(db_url):
    org = make_org(db_url)
    today = DEMO_TODAY  # audit rows carry the time of the write, on the run's day
    since = today - dt.timedelta(days=30)
    project = {
        "program_id": org["program"],
        "department_id": org["department"],
        "baseline_start": D(2026, 1, 5),
        "baseline_finish": D(2026, 9, 30),
        "forecast_finish": D(2026, 9, 30),
    }
    with session_scope(db_url) as session:
        commands.create_project(
            {**project, "code": "CREATED", "name": "Created now"}, session=session, actor=SYSTEM
        )
    with session_scope(db_url) as session:
        finished = commands.create_project(
            {**project, "code": "FINISHED", "name": "Finished now"},
            session=session,
            actor=SYSTEM,
        )
    with session_scope(db_url) as session:
        commands.update_project(
            finished, {"status": "cancelled"}, expected_version=1, session=session, actor=SYSTEM
        )
    # Loaded without an audit trail: closure is read from the actual finish.
    make_project(
        db_url, org, "LOADED", status="completed", actual_finish=today - dt.timedelta(days=3)
    )
    make_project(db_url, org, "OLD", status="completed", actual_finish=since)
    # Closed before the window, by the audit trail.
    gone = make_project(db_url, org, "GONE", status="cancelled")
    _insert(
        db_url,
        AuditLog,
        at=dt.datetime.combine(since, dt.time(9), dt.UTC),
        action="update",
        entity="project",
        entity_id=gone,
        project_id=gone,
        after={"status": "cancelled"},
    )

    changes = project_changes(since, today, url=db_url)
    assert changes["new"].code.tolist() == ["CREATED", "FINISHED"]
    assert changes["new"].day.tolist() == [today, today]
    closed = changes["closed"].sort_values("code")
    assert closed[["code", "status", "day"]].to_dict("records") == [
        {"code": "FINISHED", "status": "cancelled", "day": today},
        {"code": "LOADED", "status": "completed", "day": today - dt.timedelta(days=3)},
    ]


def test_restricting_changes_to_some_projects(db_url):
    org = make_org(db_url)
    kept = make_project(db_url, org, "KEPT")
    other = make_project(db_url, org, "OTHER")
    for pid in (kept, other):
        make_report(db_url, pid, D(2026, 10, 16))
        make_report(db_url, pid, D(2026, 11, 20), schedule_rag="A", overall_rag="A")
        make_risk(db_url, pid, 4, 4, raised_on=D(2026, 11, 2))
    restricted = _changes(db_url).restricted_to([kept])
    assert restricted.health.code.tolist() == ["KEPT"]
    assert restricted.risks_new.code.tolist() == ["KEPT"]


def test_default_since_is_the_last_review_held_on_an_earlier_day():
    reviews = pd.DataFrame(
        {
            "id": [4, 3, 2, 1],
            "title": ["Nov again", "Nov", "Oct", "Sep"],
            "held_on": [D(2026, 11, 25), D(2026, 11, 25), D(2026, 10, 23), D(2026, 9, 25)],
        }
    )
    today = D(2026, 11, 25)
    assert default_since(reviews, 4, today) == (D(2026, 10, 23), "the last review (Oct)")
    assert default_since(reviews, 3, today) == (D(2026, 10, 23), "the last review (Oct)")
    assert default_since(reviews, 2, today) == (D(2026, 9, 25), "the last review (Sep)")
    assert default_since(reviews, None, today) == (D(2026, 10, 23), "the last review (Oct)")
    assert default_since(reviews, None, D(2026, 11, 26)) == (
        D(2026, 11, 25),
        "the last review (Nov again)",
    )
    assert default_since(reviews, 1, today) == (D(2026, 10, 28), "28 days ago")
    assert default_since(reviews.iloc[0:0], None, today) == (D(2026, 10, 28), "28 days ago")
