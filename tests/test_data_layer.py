"""The write functions and reads, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data_access.core.db import data_version, get_engine, read_df, session_scope
from data_access.core.models import AuditLog, MilestoneHistory, RiskAssessment
from data_access.core.writes import SYSTEM, Actor, ConflictError, PermissionDenied, ValidationFailed
from data_access.portfolio.reads import project_facts
from data_access.updates import commands
from tests.factories import make_milestone, make_org, make_project, make_report, make_risk

D = dt.date


def _count(url, table, where="1=1", **params) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(f"SELECT COUNT(*) FROM {table} WHERE {where}"), params).scalar()


def _project_data(org, **overrides):
    data = {
        "code": "NEW-1",
        "name": "New CRM",
        "program_id": org["program"],
        "department_id": org["department"],
        "manager_id": org["pm"],
        "baseline_start": D(2026, 1, 5),
        "baseline_finish": D(2026, 9, 30),
        "forecast_finish": D(2026, 9, 30),
        "approved_budget": 250_000,
    }
    return {**data, **overrides}


def test_create_project_writes_row_audit_and_bumps_version(db_url):
    org = make_org(db_url)
    before = data_version(db_url)
    with session_scope(db_url) as session:
        pid = commands.create_project(_project_data(org), session=session, actor=SYSTEM)
    assert data_version(db_url) == before + 1
    row = read_df("SELECT code, name, version FROM project WHERE id = :id", {"id": pid}, db_url)
    assert row.to_dict("records") == [{"code": "NEW-1", "name": "New CRM", "version": 1}]
    audit = read_df("SELECT action, entity, entity_id, project_id FROM audit_log", url=db_url)
    assert audit.to_dict("records") == [
        {"action": "create", "entity": "project", "entity_id": pid, "project_id": pid}
    ]


def test_validation_reports_every_bad_field_and_writes_nothing(db_url):
    org = make_org(db_url)
    bad = _project_data(org, code="", phase="Someday", percent_complete=140, approved_budget=-1)
    with session_scope(db_url) as session, pytest.raises(ValidationFailed) as err:
        commands.create_project(bad, session=session, actor=SYSTEM)
    assert set(err.value.errors) == {"code", "phase", "percent_complete", "approved_budget"}
    assert _count(db_url, "project") == 0
    assert _count(db_url, "audit_log") == 0


def test_dates_out_of_order_are_refused(db_url):
    org = make_org(db_url)
    bad = _project_data(org, baseline_finish=D(2025, 1, 1))
    with session_scope(db_url) as session, pytest.raises(ValidationFailed) as err:
        commands.create_project(bad, session=session, actor=SYSTEM)
    assert "baseline finish must not be before baseline start" in str(err.value)


def test_database_constraints_hold_when_checks_are_bypassed(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    engine = get_engine(db_url)
    for statement in (
        "UPDATE risk SET probability = 6",
        "INSERT INTO risk (project_id, title, description, category, kind, probability, impact,"
        " response, mitigation, status, raised_on, last_assessed_on, version, created_at,"
        " updated_at) VALUES (:p, 't', '', '', 'threat', 0, 3, 'mitigate', '', 'open',"
        " '2026-01-01', '2026-01-01', 1, '2026-01-01', '2026-01-01')",
        "UPDATE project SET baseline_finish = '2020-01-01'",
        "UPDATE project SET program_id = 999999",
    ):
        make_risk(db_url, pid, 3, 3)
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(sa.text(statement), {"p": pid})


def test_second_save_of_the_same_version_is_a_conflict(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    alice = Actor(org["admin"], "Alice", "admin")
    with session_scope(db_url) as session:
        commands.update_project(
            pid, {"name": "Renamed by Alice"}, expected_version=1, session=session, actor=alice
        )
    with session_scope(db_url) as session, pytest.raises(ConflictError) as err:
        commands.update_project(
            pid, {"name": "Renamed by Bob"}, expected_version=1, session=session, actor=SYSTEM
        )
    assert err.value.current["name"] == "Renamed by Alice"
    assert err.value.current["version"] == 2
    assert "Alice" in str(err.value)
    name = read_df("SELECT name FROM project", url=db_url).name.item()
    assert name == "Renamed by Alice"


def test_status_report_derives_overall_and_updates_project(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    report = {
        "project_id": pid,
        "report_date": D(2026, 11, 20),
        "schedule_rag": "A",
        "cost_rag": "G",
        "scope_rag": "G",
        "risk_rag": "G",
        "overall_rag": "G",
        "percent_complete": 60,
        "cost_to_date": 61_000,
        "forecast_at_completion": 104_000,
        "summary": "Fine",
    }
    with session_scope(db_url) as session:
        commands.submit_status_report(report, session=session, actor=SYSTEM)
    stored = read_df("SELECT overall_rag FROM status_report", url=db_url)
    assert stored.overall_rag.tolist() == ["A"]
    project = read_df("SELECT percent_complete, actual_cost, version FROM project", url=db_url)
    assert project.to_dict("records") == [
        {"percent_complete": 60.0, "actual_cost": 61_000.0, "version": 2}
    ]


def test_override_needs_a_reason(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    report = {"project_id": pid, "report_date": D(2026, 11, 20), "override_rag": "R"}
    with session_scope(db_url) as session, pytest.raises(ValidationFailed) as err:
        commands.submit_status_report(report, session=session, actor=SYSTEM)
    assert "an override needs a reason" in str(err.value)
    assert _count(db_url, "status_report") == 0


def test_milestone_changes_are_kept_in_history(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    with session_scope(db_url) as session:
        mid = commands.add_milestone(
            {
                "project_id": pid,
                "name": "Go-live",
                "baseline_date": D(2026, 6, 1),
                "forecast_date": D(2026, 6, 1),
            },
            reported_on=D(2026, 1, 9),
            session=session,
            actor=SYSTEM,
        )
    with session_scope(db_url) as session:
        commands.move_milestone(
            mid,
            D(2026, 6, 15),
            reported_on=D(2026, 3, 6),
            expected_version=1,
            session=session,
            actor=SYSTEM,
        )
    with session_scope(db_url) as session:
        commands.rebaseline_milestone(
            mid,
            D(2026, 6, 15),
            reason="Steering committee",
            reported_on=D(2026, 3, 13),
            expected_version=2,
            session=session,
            actor=SYSTEM,
        )
    with session_scope(db_url) as session:
        commands.complete_milestone(
            mid,
            D(2026, 6, 12),
            reported_on=D(2026, 6, 12),
            expected_version=3,
            session=session,
            actor=SYSTEM,
        )
    history = read_df(
        sa.select(
            MilestoneHistory.change, MilestoneHistory.baseline_date, MilestoneHistory.forecast_date
        ).order_by(MilestoneHistory.id),
        url=db_url,
    )
    assert history.change.tolist() == ["created", "forecast", "rebaselined", "completed"]
    assert pd_dates(history.baseline_date) == [
        "2026-06-01",
        "2026-06-01",
        "2026-06-15",
        "2026-06-15",
    ]
    assert pd_dates(history.forecast_date)[1] == "2026-06-15"
    assert _count(db_url, "audit_log", "entity = 'milestone'") == 4


def pd_dates(series) -> list[str]:
    return [str(v)[:10] for v in series]


def test_rebaseline_needs_a_reason(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    mid = make_milestone(db_url, pid, D(2026, 6, 1))
    with session_scope(db_url) as session, pytest.raises(ValidationFailed):
        commands.rebaseline_milestone(
            mid,
            D(2026, 7, 1),
            reason=" ",
            reported_on=D(2026, 3, 1),
            expected_version=1,
            session=session,
            actor=SYSTEM,
        )


def test_risk_reassessment_is_kept_and_closing_sets_the_date(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    with session_scope(db_url) as session:
        rid = commands.create_risk(
            {"project_id": pid, "title": "Vendor late", "probability": 3, "impact": 4},
            raised_on=D(2026, 2, 1),
            session=session,
            actor=SYSTEM,
        )
    with session_scope(db_url) as session:
        commands.update_risk(
            rid,
            {"probability": 5},
            assessed_on=D(2026, 3, 1),
            expected_version=1,
            session=session,
            actor=SYSTEM,
        )
    with session_scope(db_url) as session:
        commands.update_risk(
            rid,
            {"mitigation": "Second supplier"},
            assessed_on=D(2026, 3, 5),
            expected_version=2,
            session=session,
            actor=SYSTEM,
        )
    with session_scope(db_url) as session:
        row = commands.update_risk(
            rid,
            {"status": "closed"},
            assessed_on=D(2026, 4, 1),
            expected_version=3,
            session=session,
            actor=SYSTEM,
        )
    assert str(row["closed_on"])[:10] == "2026-04-01"
    scores = read_df(
        sa.select(RiskAssessment.probability, RiskAssessment.status).order_by(RiskAssessment.id),
        url=db_url,
    )
    # The mitigation text change is audited but is not a re-assessment.
    assert scores.to_dict("records") == [
        {"probability": 3, "status": "open"},
        {"probability": 5, "status": "open"},
        {"probability": 5, "status": "closed"},
    ]


def test_refused_write_changes_nothing_and_is_audited(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org, manager_id=org["pm"])
    intruder = Actor(org["other_pm"], "Other PM", "project_manager")
    viewer = Actor(org["viewer"], "Viewer", "viewer")
    for actor in (intruder, viewer):
        with session_scope(db_url) as session, pytest.raises(PermissionDenied):
            commands.update_project(
                pid, {"name": "Hijacked"}, expected_version=1, session=session, actor=actor
            )
    assert read_df("SELECT name FROM project", url=db_url).name.item() == "Project P-1"
    refused = read_df(
        sa.select(AuditLog.actor_name, AuditLog.action).where(AuditLog.action == "refused"),
        url=db_url,
    )
    assert refused.actor_name.tolist() == ["Other PM", "Viewer"]


def test_owner_pm_and_portfolio_manager_may_edit(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    owner = Actor(org["pm"], "PM", "project_manager")
    program_manager = Actor(org["portfolio_manager"], "PfM", "portfolio_manager")
    with session_scope(db_url) as session:
        commands.update_project(
            pid, {"name": "By owner"}, expected_version=1, session=session, actor=owner
        )
    with session_scope(db_url) as session:
        commands.update_project(
            pid,
            {"name": "By program manager"},
            expected_version=2,
            session=session,
            actor=program_manager,
        )
    assert read_df("SELECT version FROM project", url=db_url).version.item() == 3


def test_project_facts_aggregates_latest_report_overdue_and_risk(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    make_report(db_url, pid, D(2026, 11, 6), scope_rag="G")
    make_report(db_url, pid, D(2026, 11, 13), scope_rag="A", summary="latest")
    make_milestone(db_url, pid, D(2026, 11, 1))  # overdue
    make_milestone(db_url, pid, D(2026, 11, 2), actual_date=D(2026, 11, 2))  # done
    make_milestone(db_url, pid, D(2026, 12, 1))  # future
    make_risk(db_url, pid, 4, 4)
    make_risk(db_url, pid, 5, 5, status="closed")
    make_risk(db_url, pid, 5, 4, kind="opportunity", response="exploit")
    facts = project_facts(D(2026, 11, 25), url=db_url)
    row = facts.iloc[0]
    assert row.summary == "latest" and row.reported_scope_rag == "A"
    assert row.last_report_date == D(2026, 11, 13)
    assert row.overdue_milestones == 1
    assert row.max_risk_score == 16 and row.high_risks == 1
