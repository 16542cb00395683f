"""The writes behind the entry forms, on SQLite and PostgreSQL: RAID items, status-update
conflicts, the milestone bulk save and imports (all or nothing), and validation in words."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data_access.core import records
from data_access.core.db import data_version, get_engine, read_df, session_scope
from data_access.core.models import Milestone, ProjectCreate, RaidItem, RiskCreate
from data_access.core.writes import (
    SYSTEM,
    Actor,
    ConflictError,
    PermissionDenied,
    ValidationFailed,
    validate,
)
from data_access.portfolio.reads import project_facts
from data_access.updates import bulk, commands
from data_access.updates import raid_commands as raid
from domain.audit_text import history_rows
from tests.factories import make_milestone, make_org, make_project, make_report, make_risk

D = dt.date


def _count(url, table, where="1=1") -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(f"SELECT COUNT(*) FROM {table} WHERE {where}")).scalar()


# --- validation in plain words, all at once -------------------------------------------------


def test_field_and_record_problems_are_reported_together_in_plain_words():
    with pytest.raises(ValidationFailed) as err:
        validate(
            ProjectCreate,
            {
                "code": "",
                "name": "x" * 201,
                "program_id": 1,
                "department_id": 1,
                "baseline_start": D(2026, 6, 1),
                "baseline_finish": D(2026, 1, 1),
                "forecast_finish": D(2026, 6, 1),
                "approved_budget": "lots",
                "percent_complete": 140,
                "actual_cost": float("nan"),
            },
        )
    assert err.value.errors == {
        "code": "is required",
        "name": "must be at most 200 characters (this one has 201)",
        "approved_budget": "must be a number",
        "percent_complete": "must be at most 100",
        "actual_cost": "must be a finite number",
        "": "baseline finish must not be before baseline start",
    }


def test_a_record_rule_needing_a_failed_field_is_not_judged():
    with pytest.raises(ValidationFailed) as err:
        validate(RiskCreate, {"project_id": 1, "title": "t", "probability": 9, "impact": None})
    assert err.value.errors == {"probability": "must be at most 5", "impact": "is required"}


def test_nul_characters_are_refused_not_truncated():
    with pytest.raises(ValidationFailed) as err:
        validate(RiskCreate, {"project_id": 1, "title": "a\x00b", "probability": 1, "impact": 1})
    assert set(err.value.errors) == {"title"}


def test_duplicate_code_is_a_refusal_naming_the_field(db_url):
    org = make_org(db_url)
    make_project(db_url, org, code="DUP-1")
    data = {
        "code": "DUP-1",
        "name": "Second",
        "program_id": org["program"],
        "department_id": org["department"],
        "baseline_start": D(2026, 1, 1),
        "baseline_finish": D(2026, 2, 1),
        "forecast_finish": D(2026, 2, 1),
    }
    before = data_version(db_url)
    with session_scope(db_url) as session, pytest.raises(ValidationFailed) as err:
        commands.create_project(data, session=session, actor=SYSTEM)
    assert err.value.errors == {"code": "is already used by another record"}
    assert _count(db_url, "project") == 1
    assert _count(db_url, "audit_log") == 0
    assert data_version(db_url) == before


# --- RAID items ---------------------------------------------------------------------------


def test_raid_item_create_change_close_reopen_is_versioned_and_audited(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    with session_scope(db_url) as session:
        iid = raid.create_raid_item(
            {"project_id": pid, "kind": "issue", "title": "  Test data not anonymised "},
            raised_on=D(2026, 3, 2),
            session=session,
            actor=SYSTEM,
        )
    with session_scope(db_url) as session:
        raid.update_raid_item(
            iid,
            {"owner_id": org["pm"], "kind": "risk", "project_id": 999},
            on=D(2026, 3, 3),
            expected_version=1,
            session=session,
            actor=SYSTEM,
        )
    with session_scope(db_url) as session:
        closed = raid.close_raid_item(
            iid, on=D(2026, 3, 9), expected_version=2, session=session, actor=SYSTEM
        )
    assert str(closed["closed_on"])[:10] == "2026-03-09"
    with session_scope(db_url) as session:
        reopened = raid.update_raid_item(
            iid,
            {"status": "open"},
            on=D(2026, 3, 10),
            expected_version=3,
            session=session,
            actor=SYSTEM,
        )
    assert reopened["closed_on"] is None and reopened["version"] == 4
    row = records.record(RaidItem, iid, db_url)
    # Kind and project are fixed once raised; the title was stripped by validation.
    assert (row["kind"], row["project_id"], row["title"]) == (
        "issue",
        pid,
        "Test data not anonymised",
    )
    audit = read_df(
        "SELECT action FROM audit_log WHERE entity = 'raid_item' ORDER BY id", url=db_url
    )
    assert audit.action.tolist() == ["create", "update", "update", "update"]


def test_dependency_needs_another_project_and_stale_version_conflicts(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    other = make_project(db_url, org, code="P-2")
    with session_scope(db_url) as session, pytest.raises(ValidationFailed) as err:
        raid.create_raid_item(
            {"project_id": pid, "kind": "dependency", "title": "Needs API"},
            raised_on=D(2026, 3, 2),
            session=session,
            actor=SYSTEM,
        )
    assert err.value.errors == {"": "a dependency names the project it waits on"}
    with session_scope(db_url) as session:
        iid = raid.create_raid_item(
            {
                "project_id": pid,
                "kind": "dependency",
                "title": "Needs API",
                "provider_project_id": other,
                "need_by": D(2026, 6, 1),
            },
            raised_on=D(2026, 3, 2),
            session=session,
            actor=SYSTEM,
        )
    alice = Actor(org["admin"], "Alice", "admin")
    with session_scope(db_url) as session:
        raid.update_raid_item(
            iid,
            {"need_by": D(2026, 7, 1)},
            on=D(2026, 3, 3),
            expected_version=1,
            session=session,
            actor=alice,
        )
    with session_scope(db_url) as session, pytest.raises(ConflictError) as conflict:
        raid.update_raid_item(
            iid,
            {"title": "Needs API v2"},
            on=D(2026, 3, 3),
            expected_version=1,
            session=session,
            actor=SYSTEM,
        )
    assert conflict.value.current["_changed_by"] == "Alice"
    assert conflict.value.current["need_by"] == "2026-07-01"


def test_raid_writes_check_permission(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    viewer = Actor(org["viewer"], "Viewer", "viewer")
    with session_scope(db_url) as session, pytest.raises(PermissionDenied):
        raid.create_raid_item(
            {"project_id": pid, "kind": "assumption", "title": "Users available"},
            raised_on=D(2026, 3, 2),
            session=session,
            actor=viewer,
        )
    assert _count(db_url, "raid_item") == 0
    assert _count(db_url, "audit_log", "action = 'refused'") == 1


# --- status updates: a newer update in the meantime is a conflict ---------------------------


def _report(pid, **values):
    return {
        "project_id": pid,
        "report_date": D(2026, 11, 20),
        "percent_complete": 55,
        "cost_to_date": 52_000,
        "forecast_at_completion": 100_000,
        "summary": "Mine",
        **values,
    }


def test_status_update_based_on_an_old_report_is_a_conflict(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    first = make_report(db_url, pid, D(2026, 11, 13), summary="Last week")
    alice = Actor(org["admin"], "Alice", "admin")
    with session_scope(db_url) as session:
        newer = commands.submit_status_report(
            _report(pid, summary="Alice's"),
            session=session,
            actor=alice,
            expected_latest_report=first,
        )
    with session_scope(db_url) as session, pytest.raises(ConflictError) as err:
        commands.submit_status_report(
            _report(pid), session=session, actor=SYSTEM, expected_latest_report=first
        )
    assert err.value.entity == "status_report"
    assert err.value.current["id"] == newer
    assert err.value.current["summary"] == "Alice's"
    assert err.value.current["_changed_by"] == "Alice"
    assert _count(db_url, "status_report") == 2
    with session_scope(db_url) as session:
        commands.submit_status_report(
            _report(pid), session=session, actor=SYSTEM, expected_latest_report=newer
        )
    assert _count(db_url, "status_report") == 3


def test_first_status_update_expects_no_report(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    with session_scope(db_url) as session:
        commands.submit_status_report(
            _report(pid), session=session, actor=SYSTEM, expected_latest_report=0
        )
    assert records.latest_report(pid, db_url)["summary"] == "Mine"


# --- the milestone bulk editor: all or nothing ----------------------------------------------


def test_bulk_milestone_save_writes_all_rows_and_their_history(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    a = make_milestone(db_url, pid, D(2026, 5, 1), name="Design")
    b = make_milestone(db_url, pid, D(2026, 6, 1), name="Build")
    c = make_milestone(db_url, pid, D(2026, 7, 1), name="Test")
    loaded = {m: records.record(Milestone, m, db_url) for m in (a, b, c)}
    edits = [
        bulk.MilestoneEdit(1, a, 1, {"actual_date": D(2026, 5, 3)}),
        bulk.MilestoneEdit(2, b, 1, {"forecast_date": D(2026, 6, 20)}, reason="Vendor late"),
        bulk.MilestoneEdit(3, c, 1, {"name": "System test"}),
    ]
    before = data_version(db_url)
    with session_scope(db_url) as session:
        count = bulk.save_milestone_edits(
            edits, loaded=loaded, reported_on=D(2026, 5, 8), session=session, actor=SYSTEM
        )
    assert count == 3 and data_version(db_url) == before + 1
    rows = read_df(
        "SELECT name, forecast_date, actual_date, version FROM milestone ORDER BY id", url=db_url
    )
    assert rows.name.tolist() == ["Design", "Build", "System test"]
    assert [str(v)[:10] for v in rows.forecast_date] == ["2026-05-03", "2026-06-20", "2026-07-01"]
    assert rows.version.tolist() == [2, 2, 2]
    history = read_df(
        "SELECT milestone_id, change, reason FROM milestone_history ORDER BY id", url=db_url
    )
    # A rename is audited but is no date change, so it has no history row.
    assert history.to_dict("records") == [
        {"milestone_id": a, "change": "completed", "reason": ""},
        {"milestone_id": b, "change": "forecast", "reason": "Vendor late"},
    ]


def test_bulk_milestone_save_with_a_bad_row_and_a_conflict_writes_nothing(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    ids = [make_milestone(db_url, pid, D(2026, 5, i + 1), name=f"M{i}") for i in range(6)]
    loaded = {m: records.record(Milestone, m, db_url) for m in ids}
    with session_scope(db_url) as session:  # someone else moves row 5 meanwhile
        commands.move_milestone(
            ids[4],
            D(2026, 9, 9),
            reported_on=D(2026, 5, 1),
            expected_version=1,
            session=session,
            actor=Actor(org["admin"], "Alice", "admin"),
        )
    before = (
        data_version(db_url),
        _count(db_url, "audit_log"),
        _count(db_url, "milestone_history"),
    )
    edits = [
        bulk.MilestoneEdit(row + 1, m, 1, {"forecast_date": D(2026, 8, 1)})
        for row, m in enumerate(ids)
    ]
    edits[2] = bulk.MilestoneEdit(3, ids[2], 1, {"name": "  ", "actual_date": D(2030, 1, 1)})
    with session_scope(db_url) as session, pytest.raises(bulk.RowErrors) as err:
        bulk.save_milestone_edits(
            edits, loaded=loaded, reported_on=D(2026, 5, 8), session=session, actor=SYSTEM
        )
    assert err.value.errors == {3: {"actual_date": "cannot be later than the reporting date"}}
    assert list(err.value.conflicts) == [5]
    assert err.value.conflicts[5]["_changed_by"] == "Alice"
    assert "3, 5" in str(err.value)
    after = (data_version(db_url), _count(db_url, "audit_log"), _count(db_url, "milestone_history"))
    assert after == before
    forecasts = read_df("SELECT forecast_date FROM milestone ORDER BY id", url=db_url)
    assert "2026-08-01" not in [str(v)[:10] for v in forecasts.forecast_date]


# --- imports: all or nothing, row by row -------------------------------------------------------


def test_import_with_a_refused_row_writes_nothing_and_names_it(db_url):
    org = make_org(db_url)
    mine = make_project(db_url, org, code="MINE")
    theirs = make_project(db_url, org, code="THEIRS", manager_id=org["other_pm"])
    pm = Actor(org["pm"], "PM", "project_manager")
    rows = [
        (row, {"project_id": mine, "title": f"Risk {row}", "probability": 2, "impact": 3})
        for row in range(2, 12)
    ]
    rows[6] = (8, {"project_id": theirs, "title": "Not mine", "probability": 2, "impact": 3})
    with session_scope(db_url) as session, pytest.raises(bulk.RowErrors) as err:
        bulk.import_records("risks", rows, today=D(2026, 5, 1), session=session, actor=pm)
    assert list(err.value.errors) == [8]
    assert "may not add a risk" in err.value.errors[8][""]
    assert _count(db_url, "risk") == 0 and _count(db_url, "risk_assessment") == 0
    del rows[6]
    with session_scope(db_url) as session:
        assert (
            bulk.import_records("risks", rows, today=D(2026, 5, 1), session=session, actor=pm) == 9
        )
    assert _count(db_url, "risk") == 9 and _count(db_url, "risk_assessment") == 9


# --- reads for the forms and the history ------------------------------------------------------


def test_project_history_reads_in_words_on_both_databases(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    rid = make_risk(db_url, pid, 3, 3, title="Vendor late")
    alice = Actor(org["admin"], "Alice", "admin")
    with session_scope(db_url) as session:
        commands.update_risk(
            rid,
            {"probability": 5, "owner_id": org["pm"]},
            assessed_on=D(2026, 3, 1),
            expected_version=1,
            session=session,
            actor=alice,
        )
    with session_scope(db_url) as session:
        commands.update_project(
            pid,
            {"baseline_finish": D(2027, 1, 15)},
            expected_version=1,
            session=session,
            actor=alice,
        )
    audit = records.project_audit(pid, 10, db_url)
    names = {"people": {org["pm"]: "Pm"}}
    rows = history_rows(audit, names)
    assert rows.Who.tolist() == ["Alice", "Alice"]
    assert rows.What.tolist() == ["Changed project “P-1”", "Changed risk “Vendor late”"]
    assert rows.Details.tolist() == [
        "Baseline finish: 31 Dec 2026 → 15 Jan 2027",
        "Probability: 3 → 5; Owner: (empty) → Pm",
    ]
    assert records.audit_count(pid, db_url) == 2


def test_two_updates_on_the_same_day_keep_one_row_per_project(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    make_report(db_url, pid, D(2026, 11, 20), summary="first")
    make_report(db_url, pid, D(2026, 11, 20), summary="correction")
    facts = project_facts(D(2026, 11, 25), url=db_url)
    assert facts.summary.tolist() == ["correction"]
