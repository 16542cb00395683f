"""Health inputs as of a past day and the weekly snapshots, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access.core.db import session_scope
from data_access.core.settings import DEFAULT_SETTINGS
from data_access.core.writes import SYSTEM
from data_access.portfolio import project_report
from data_access.portfolio.history import project_facts_as_of, weekly_overall
from data_access.portfolio.reads import project_facts
from data_access.updates import commands
from domain.health import compute_health
from tests.conftest import DEMO_TODAY
from tests.factories import make_milestone, make_org, make_project, make_report, make_risk

D = dt.date


def _row(facts: pd.DataFrame, pid: int) -> pd.Series:
    rows = facts[facts.id == pid]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def _history(url: str, pid: int) -> None:
    """A milestone that became overdue and was moved, a risk raised, re-scored and closed."""
    with session_scope(url) as s:
        mid = commands.add_milestone(
            {
                "project_id": pid,
                "name": "Design",
                "baseline_date": D(2026, 11, 10),
                "forecast_date": D(2026, 11, 10),
            },
            reported_on=D(2026, 10, 1),
            session=s,
            actor=SYSTEM,
        )
    with session_scope(url) as s:
        commands.move_milestone(
            mid, D(2026, 11, 30), reported_on=D(2026, 11, 12), expected_version=1,
            session=s, actor=SYSTEM,
        )  # fmt: skip
    with session_scope(url) as s:
        commands.complete_milestone(
            mid, D(2026, 11, 24), reported_on=D(2026, 11, 24), expected_version=2,
            session=s, actor=SYSTEM,
        )  # fmt: skip
    with session_scope(url) as s:
        rid = commands.create_risk(
            {"project_id": pid, "title": "Vendor", "probability": 3, "impact": 3},
            raised_on=D(2026, 11, 1),
            session=s,
            actor=SYSTEM,
        )
    with session_scope(url) as s:
        commands.update_risk(
            rid, {"probability": 4, "impact": 4}, assessed_on=D(2026, 11, 10),
            expected_version=1, session=s, actor=SYSTEM,
        )  # fmt: skip
    with session_scope(url) as s:
        commands.update_risk(
            rid, {"status": "closed"}, assessed_on=D(2026, 11, 20), expected_version=2,
            session=s, actor=SYSTEM,
        )  # fmt: skip


def test_milestones_and_risks_as_they_stood(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    _history(db_url, pid)
    # Written without history: counted as they stand from the day they were added or raised.
    make_milestone(db_url, pid, D(2026, 11, 1), added_on=D(2026, 10, 1))
    make_risk(db_url, pid, 4, 3, raised_on=D(2026, 11, 14), last_assessed_on=D(2026, 11, 14))
    make_risk(db_url, pid, 5, 5, kind="opportunity", response="exploit")

    expected = {
        # day: (overdue milestones, highest open threat score, open High/Critical threats)
        D(2026, 10, 31): (0, 0, 0),
        D(2026, 11, 5): (1, 9, 0),  # the direct milestone is overdue; the risk scores 9
        D(2026, 11, 11): (2, 16, 1),  # Design passed its forecast; risk re-scored 16
        D(2026, 11, 12): (1, 16, 1),  # Design moved to 30 Nov
        D(2026, 11, 15): (1, 16, 2),  # the direct risk (12) raised on the 14th
        D(2026, 11, 21): (1, 12, 1),  # the 16 closed on the 20th
        D(2026, 11, 25): (1, 12, 1),  # Design completed on the 24th
    }
    for day, (overdue, top, high) in expected.items():
        row = _row(project_facts_as_of(day, url=db_url), pid)
        assert (row.overdue_milestones, row.max_risk_score, row.high_risks) == (
            overdue,
            top,
            high,
        ), day
    # Today, the history agrees with the current tables.
    now = _row(project_facts(D(2026, 11, 25), url=db_url), pid)
    assert (now.overdue_milestones, now.max_risk_score, now.high_risks) == (1, 12, 1)


def test_latest_report_as_of_and_a_same_day_correction(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    make_report(db_url, pid, D(2026, 11, 6), scope_rag="G", summary="week 45")
    make_report(db_url, pid, D(2026, 11, 13), scope_rag="A", summary="week 46")
    make_report(db_url, pid, D(2026, 11, 20), scope_rag="R", summary="first")
    make_report(db_url, pid, D(2026, 11, 20), scope_rag="A", summary="corrected")
    row = _row(project_facts_as_of(D(2026, 11, 19), url=db_url), pid)
    assert (row.summary, row.reported_scope_rag, row.last_report_date) == (
        "week 46",
        "A",
        D(2026, 11, 13),
    )
    for facts in (
        project_facts_as_of(D(2026, 11, 25), url=db_url),
        project_facts(D(2026, 11, 25), url=db_url),
    ):
        assert _row(facts, pid).summary == "corrected"
    assert _row(project_facts_as_of(D(2026, 11, 1), url=db_url), pid).last_report_date is None


def test_project_changes_after_the_day_are_undone(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org, forecast_finish=D(2026, 12, 31), approved_budget=100_000.0)
    with session_scope(db_url) as s:
        commands.update_project(
            pid, {"forecast_finish": D(2027, 2, 28), "approved_budget": 120_000.0},
            expected_version=1, session=s, actor=SYSTEM,
        )  # fmt: skip
    with session_scope(db_url) as s:
        commands.update_project(
            pid, {"status": "on hold", "approved_budget": 130_000.0}, expected_version=2,
            session=s, actor=SYSTEM,
        )  # fmt: skip
    with session_scope(db_url) as s:
        new = commands.create_project(
            {
                "code": "NEW",
                "name": "New",
                "program_id": org["program"],
                "department_id": org["department"],
                "baseline_start": D(2026, 1, 1),
                "baseline_finish": D(2026, 6, 1),
                "forecast_finish": D(2026, 6, 1),
            },
            session=s,
            actor=SYSTEM,
        )
    # Audit rows are stamped on the run's day (the app's clock), even past midnight.
    today = DEMO_TODAY
    before = project_facts_as_of(today - dt.timedelta(days=1), url=db_url)
    then = _row(before, pid)
    assert (then.forecast_finish, then.approved_budget, then.status) == (
        D(2026, 12, 31),
        100_000.0,
        "active",
    )
    assert new not in set(before.id)
    now = project_facts_as_of(today, url=db_url)
    row = _row(now, pid)
    assert (row.forecast_finish, row.approved_budget, row.status) == (
        D(2027, 2, 28),
        130_000.0,
        "on hold",
    )
    assert new in set(now.id)


def test_weekly_overall_snapshots(db_url):
    org = make_org(db_url)
    a = make_project(db_url, org, code="A")
    b = make_project(db_url, org, code="B")
    c = make_project(db_url, org, code="C", status="completed", actual_finish=D(2026, 11, 10))
    make_project(db_url, org, code="D", status="proposed")
    for day, rag in ((D(2026, 10, 30), "G"), (D(2026, 11, 6), "A"), (D(2026, 11, 20), "R")):
        make_report(db_url, a, day, overall_rag=rag)
    make_report(db_url, a, D(2026, 11, 20), overall_rag="G")  # same-day correction wins
    make_report(db_url, b, D(2026, 10, 30), overall_rag="G")
    for day in (D(2026, 10, 30), D(2026, 11, 6)):
        make_report(db_url, c, day, overall_rag="G")
    sundays = [D(2026, 10, 25), D(2026, 11, 1), D(2026, 11, 8), D(2026, 11, 15), D(2026, 11, 22)]
    weekly = weekly_overall(sundays, stale_days=14, url=db_url)
    got = {
        (code, week): rag
        for code, week, rag in zip(
            weekly.project_id.map({a: "A", b: "B", c: "C"}),
            weekly.week_end,
            weekly.rag,
            strict=True,
        )
    }
    assert got == {
        ("A", D(2026, 11, 1)): "G",
        ("A", D(2026, 11, 8)): "A",
        ("A", D(2026, 11, 15)): "A",  # no report that week: last week's still holds
        ("A", D(2026, 11, 22)): "G",
        ("B", D(2026, 11, 1)): "G",
        ("B", D(2026, 11, 8)): "G",  # 9 days old
        ("B", D(2026, 11, 15)): "S",  # 16 days old: stale
        ("B", D(2026, 11, 22)): "S",
        ("C", D(2026, 11, 1)): "G",
        ("C", D(2026, 11, 8)): "G",
        ("C", D(2026, 11, 15)): "C",  # finished on the 10th
        ("C", D(2026, 11, 22)): "C",
    }
    only_b = weekly_overall(sundays, stale_days=14, project_ids=[b], url=db_url)
    assert set(only_b.project_id) == {b} and len(only_b) == 4
    assert weekly_overall([], url=db_url).empty


def test_project_report_reads(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    other = make_project(db_url, org, code="P-2")
    make_report(db_url, pid, D(2026, 11, 13), summary="older", author_id=org["pm"])
    make_report(db_url, pid, D(2026, 11, 20), summary="newer", blockers="Supplier")
    make_report(db_url, other, D(2026, 11, 20), summary="other project")
    reports = project_report.reports(pid, url=db_url)
    assert reports.summary.tolist() == ["older", "newer"]
    assert reports.author.tolist()[0] == "Pm"
    assert reports.report_date.tolist() == [D(2026, 11, 13), D(2026, 11, 20)]
    _history(db_url, pid)
    make_milestone(db_url, pid, D(2026, 9, 1), name="Gone", removed_on=D(2026, 9, 2))
    ms = project_report.milestones(pid, url=db_url)
    assert ms.name.tolist() == ["Design"]
    assert (ms.forecast_changes.item(), ms.actual_date.item()) == (1, D(2026, 11, 24))
    make_risk(db_url, pid, 2, 2, title="Small")
    make_risk(db_url, pid, 4, 5, title="Big", residual_probability=2, residual_impact=2)
    make_risk(db_url, pid, 5, 5, title="Upside", kind="opportunity", response="exploit")
    risks = project_report.open_risks(pid, url=db_url)
    # The closed "Vendor" risk is left out; threats by score, then opportunities.
    assert risks.title.tolist() == ["Big", "Small", "Upside"]
    assert risks.score.tolist() == [20, 4, 25]
    assert risks.residual.tolist()[0] == 4


def test_history_agrees_with_the_current_tables_on_the_demo(demo_db_url):
    today = DEMO_TODAY
    now = project_facts(today, url=demo_db_url).set_index("id").sort_index()
    rebuilt = project_facts_as_of(today, url=demo_db_url).set_index("id").sort_index()
    pd.testing.assert_frame_equal(rebuilt, now, check_dtype=False)
    computed_now = compute_health(now.reset_index(), DEFAULT_SETTINGS, today)
    computed_rebuilt = compute_health(rebuilt.reset_index(), DEFAULT_SETTINGS, today)
    assert computed_now.overall_rag.tolist() == computed_rebuilt.overall_rag.tolist()
