"""Administration writes and the role rules of every write, on SQLite and PostgreSQL.

A refused write, even one called directly with a crafted id, changes nothing and leaves a
"refused" row in the audit log.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
import sqlalchemy as sa

from data_access.admin import commands as admin
from data_access.admin import reads as admin_reads
from data_access.core import auth
from data_access.core.db import get_engine, read_df, session_scope
from data_access.core.writes import Actor, ConflictError, PermissionDenied, ValidationFailed
from data_access.updates import commands
from tests.auth_helpers import fast_hashing  # noqa: F401 (a fixture)
from tests.factories import make_milestone, make_org, make_project, make_risk

pytestmark = pytest.mark.usefixtures("fast_hashing")
D = dt.date
PASSWORD = "a long enough password"


def _actors(org) -> dict[str, Actor]:
    return {
        "admin": Actor(org["admin"], "Admin", "admin"),
        "portfolio_manager": Actor(org["portfolio_manager"], "Pfm", "portfolio_manager"),
        "pm": Actor(org["pm"], "Pm", "project_manager"),
        "other_pm": Actor(org["other_pm"], "Other Pm", "project_manager"),
        "viewer": Actor(org["viewer"], "Viewer", "viewer"),
    }


def _audit(url, action=None):
    where = "WHERE action = :a" if action else ""
    df = read_df(
        f"SELECT actor_name, action, entity, entity_id, project_id, before, after FROM audit_log "
        f"{where} ORDER BY id",
        {"a": action} if action else None,
        url,
    )
    # JSON columns come back as text from SQLite and as dicts from PostgreSQL.
    for col in ("before", "after"):
        df[col] = df[col].map(lambda v: json.loads(v) if isinstance(v, str) else v)
    return df


def _snapshot(url) -> dict[str, list]:
    """Every editable table's rows: a refused write must leave all of them as they were."""
    tables = ("person", "program", "department", "portfolio", "setting", "project", "milestone")
    with get_engine(url).connect() as conn:
        return {
            t: [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY 1"))]
            for t in tables + ("risk", "status_report")
        }


# --- admin writes -------------------------------------------------------------------------


def test_admin_adds_and_changes_people_organisation_and_settings_all_audited(db_url):
    org = make_org(db_url)
    boss = _actors(org)["admin"]
    with session_scope(db_url) as s:
        jane = admin.create_person(
            {"name": "Jane Doe", "email": "Jane@Example.org", "role": "project_manager"},
            password=PASSWORD,
            session=s,
            actor=boss,
        )
    with session_scope(db_url) as s:
        admin.update_person(
            jane, {"role": "portfolio_manager"}, expected_version=2, session=s, actor=boss
        )
    with session_scope(db_url) as s:
        portfolio = admin.create_portfolio({"name": "Growth"}, session=s, actor=boss)
    with session_scope(db_url) as s:
        program = admin.create_program(
            {"name": "Stores", "portfolio_id": portfolio, "manager_id": jane}, session=s, actor=boss
        )
    with session_scope(db_url) as s:
        admin.update_program(
            program, {"description": "All shops"}, expected_version=1, session=s, actor=boss
        )
    with session_scope(db_url) as s:
        dept = admin.create_department({"name": "Retail", "code": "RET"}, session=s, actor=boss)
    with session_scope(db_url) as s:
        admin.update_department(dept, {"code": "RTL"}, expected_version=1, session=s, actor=boss)
    with session_scope(db_url) as s:
        admin.update_portfolio(
            portfolio, {"name": "Growth markets"}, expected_version=1, session=s, actor=boss
        )
    with session_scope(db_url) as s:
        versions = admin_reads.setting_versions(db_url)
        admin.update_settings(
            {"stale_days": 21, "band_high_from": 12, "currency": "CHF"},
            expected_versions=versions,
            session=s,
            actor=boss,
        )

    assert auth.authenticate("jane@example.org", PASSWORD, url=db_url).role == "portfolio_manager"
    people = admin_reads.people(db_url).set_index("email")
    assert people.loc["jane@example.org", ["role", "has_password"]].tolist() == [
        "portfolio_manager",
        True,
    ]
    programs = admin_reads.programs(db_url).set_index("name")
    assert programs.loc["Stores", ["portfolio", "manager", "description"]].tolist() == [
        "Growth markets",
        "Jane Doe",
        "All shops",
    ]
    assert admin_reads.departments(db_url).set_index("name").loc["Retail", "code"] == "RTL"
    from data_access.core.settings import get_settings

    stored = get_settings(db_url)
    assert (stored["stale_days"], stored["band_high_from"], stored["currency"]) == (21, 12, "CHF")

    audit = _audit(db_url)
    assert audit[["action", "entity"]].values.tolist() == [
        ["create", "person"],
        ["set_password", "person"],
        ["update", "person"],
        ["create", "portfolio"],
        ["create", "program"],
        ["update", "program"],
        ["create", "department"],
        ["update", "department"],
        ["update", "portfolio"],
        ["update", "setting"],
    ]
    assert set(audit.actor_name) == {"Admin"}
    # None of these belongs to a project: the project's own history stays clean.
    assert audit.project_id.isna().all()
    settings_row = audit.iloc[-1]
    assert settings_row.before == {"stale_days": 14, "band_high_from": 10, "currency": "EUR"}
    assert settings_row.after == {"stale_days": 21, "band_high_from": 12, "currency": "CHF"}
    changes = admin_reads.recent_changes(url=db_url)
    assert len(changes) == len(audit)


ADMIN_WRITES = {
    "create_person": lambda ids: (
        admin.create_person,
        ({"name": "X", "email": "x@example.org", "role": "admin"},),
        {},
    ),
    "update_person": lambda ids: (
        admin.update_person,
        (ids["viewer"], {"role": "admin"}),
        {"expected_version": 1},
    ),
    "set_password": lambda ids: (admin.set_password, (ids["admin"], "taken over now"), {}),
    "create_program": lambda ids: (
        admin.create_program,
        ({"name": "Mine", "portfolio_id": ids["portfolio"]},),
        {},
    ),
    "update_program": lambda ids: (
        admin.update_program,
        (ids["other_program"], {"manager_id": ids["viewer"]}),
        {"expected_version": 1},
    ),
    "create_department": lambda ids: (
        admin.create_department,
        ({"name": "Mine", "code": "MINE"},),
        {},
    ),
    "update_department": lambda ids: (
        admin.update_department,
        (ids["department"], {"name": "Renamed"}),
        {"expected_version": 1},
    ),
    "create_portfolio": lambda ids: (admin.create_portfolio, ({"name": "Mine"},), {}),
    "update_portfolio": lambda ids: (
        admin.update_portfolio,
        (ids["portfolio"], {"name": "Renamed"}),
        {"expected_version": 1},
    ),
    "update_settings": lambda ids: (
        admin.update_settings,
        ({"demo_accounts": False},),
        {"expected_versions": {"demo_accounts": 1}},
    ),
}


@pytest.mark.parametrize("write", sorted(ADMIN_WRITES))
def test_only_admins_may_administer(db_url, write):
    org = make_org(db_url)
    actors = _actors(org)
    before = _snapshot(db_url)
    for key in ("portfolio_manager", "pm", "viewer"):
        fn, args, kwargs = ADMIN_WRITES[write](org)
        with session_scope(db_url) as s, pytest.raises(PermissionDenied, match="may not"):
            fn(*args, session=s, actor=actors[key], **kwargs)
    assert _snapshot(db_url) == before
    refused = _audit(db_url, "refused")
    assert refused.actor_name.tolist() == ["Pfm", "Pm", "Viewer"]


def test_invalid_person_reports_every_problem_and_writes_nothing(db_url):
    org = make_org(db_url)
    boss = _actors(org)["admin"]
    with session_scope(db_url) as s, pytest.raises(ValidationFailed) as err:
        admin.create_person(
            {"name": "", "email": "PM@example.org", "role": "chief", "weekly_capacity_hours": 200},
            session=s,
            actor=boss,
        )
    # All at once: the field rules and the e-mail already taken (whatever its case).
    assert set(err.value.errors) == {"name", "email", "role", "weekly_capacity_hours"}
    assert err.value.errors["email"] == "another record already has this email"
    with session_scope(db_url) as s, pytest.raises(ValidationFailed) as err:
        admin.create_person(
            {"name": "New", "email": "new@example.org", "role": "viewer"},
            password="short",
            session=s,
            actor=boss,
        )
    assert err.value.errors == {"password": "use at least 10 characters"}
    assert read_df("SELECT COUNT(*) AS n FROM person", url=db_url).n.item() == 5
    assert _audit(db_url).empty


def test_department_code_must_stay_unique(db_url):
    org = make_org(db_url)
    with session_scope(db_url) as s, pytest.raises(ValidationFailed) as err:
        admin.update_department(
            org["other_department"],
            {"code": "IT"},
            expected_version=1,
            session=s,
            actor=_actors(org)["admin"],
        )
    assert err.value.errors == {"code": "another record already has this code"}


def test_the_last_active_admin_cannot_be_removed(db_url):
    org = make_org(db_url)
    boss = _actors(org)["admin"]
    for change in ({"role": "viewer"}, {"active": False}):
        with session_scope(db_url) as s, pytest.raises(ValidationFailed, match="at least one"):
            admin.update_person(org["admin"], change, expected_version=1, session=s, actor=boss)
    with session_scope(db_url) as s:
        admin.update_person(
            org["viewer"], {"role": "admin"}, expected_version=1, session=s, actor=boss
        )
    with session_scope(db_url) as s:
        admin.update_person(
            org["admin"], {"active": False}, expected_version=1, session=s, actor=boss
        )
    assert auth.actor_for_person(org["admin"], db_url) is None


def test_second_save_of_a_person_is_a_conflict_naming_the_first_editor(db_url):
    org = make_org(db_url)
    boss = _actors(org)["admin"]
    with session_scope(db_url) as s:
        admin.update_person(
            org["pm"], {"skill": "Agile"}, expected_version=1, session=s, actor=boss
        )
    with session_scope(db_url) as s, pytest.raises(ConflictError) as err:
        admin.update_person(org["pm"], {"name": "Late"}, expected_version=1, session=s, actor=boss)
    assert err.value.current["skill"] == "Agile"
    assert err.value.current["_changed_by"] == "Admin"
    assert (
        read_df("SELECT name FROM person WHERE id = :i", {"i": org["pm"]}, db_url).name.item()
        == "Pm"
    )


def test_settings_are_validated_together_and_version_checked(db_url):
    org = make_org(db_url)
    boss = _actors(org)["admin"]
    versions = admin_reads.setting_versions(db_url)
    bad = [
        ({"schedule_amber_pct": 12.0}, "schedule: the Red threshold must not be below the Amber"),
        ({"band_high_from": 16}, "risk bands: Medium, High and Critical must start at rising"),
        ({"cpi_red": 0.99}, "CPI: the Red threshold must not be above the Amber one"),
        ({"stale_days": 0}, "must be at least 1"),
        ({"currency": "euro"}, "three-letter currency code"),
        ({"colour": "blue"}, "is not a setting"),
    ]
    for change, message in bad:
        with session_scope(db_url) as s, pytest.raises(ValidationFailed, match=message):
            admin.update_settings(change, expected_versions=versions, session=s, actor=boss)
    assert admin_reads.setting_versions(db_url) == versions

    with session_scope(db_url) as s:
        admin.update_settings({"stale_days": 7}, expected_versions=versions, session=s, actor=boss)
    # A second admin who loaded the settings before that save is told, and nothing changes.
    with session_scope(db_url) as s, pytest.raises(ConflictError) as err:
        admin.update_settings(
            {"stale_days": 30, "currency": "USD"}, expected_versions=versions, session=s, actor=boss
        )
    assert err.value.current["stale_days"] == 7
    assert err.value.current["_versions"]["stale_days"] == versions["stale_days"] + 1
    from data_access.core.settings import get_settings

    assert (get_settings(db_url)["stale_days"], get_settings(db_url)["currency"]) == (7, "EUR")
    # Re-applied on the current versions, it goes through.
    with session_scope(db_url) as s:
        admin.update_settings(
            {"stale_days": 30, "currency": "USD"},
            expected_versions=err.value.current["_versions"],
            session=s,
            actor=boss,
        )
    assert get_settings(db_url)["stale_days"] == 30


def test_people_change_their_own_password_only(db_url):
    org = make_org(db_url)
    actors = _actors(org)
    with session_scope(db_url) as s:
        admin.set_password(org["pm"], PASSWORD, session=s, actor=actors["admin"])
    with session_scope(db_url) as s, pytest.raises(ValidationFailed) as err:
        admin.set_password(
            org["pm"], "my new password", current_password="wrong", session=s, actor=actors["pm"]
        )
    assert err.value.errors == {"current_password": "is not your current password"}
    with session_scope(db_url) as s:
        admin.set_password(
            org["pm"], "my new password", current_password=PASSWORD, session=s, actor=actors["pm"]
        )
    assert auth.authenticate("pm@example.org", "my new password", url=db_url).person_id == org["pm"]
    with session_scope(db_url) as s, pytest.raises(PermissionDenied):
        admin.set_password(
            org["pm"],
            "hijacked password",
            current_password="x",
            session=s,
            actor=actors["other_pm"],
        )
    refused = _audit(db_url, "refused")
    assert refused[["actor_name", "entity", "entity_id"]].values.tolist() == [
        ["Other Pm", "person", org["pm"]]
    ]


# --- the role rules of the project write functions ----------------------------------------


def _project_writes(org, pid, milestone, risk):
    """Each project write as (name, call(session, actor)), aimed at project `pid`."""
    today = D(2026, 11, 20)
    return {
        "update_project": lambda s, a: commands.update_project(
            pid, {"name": "Changed"}, expected_version=1, session=s, actor=a
        ),
        "submit_status_report": lambda s, a: commands.submit_status_report(
            {"project_id": pid, "report_date": today, "summary": "On track"}, session=s, actor=a
        ),
        "add_milestone": lambda s, a: commands.add_milestone(
            {"project_id": pid, "name": "Go live", "baseline_date": today, "forecast_date": today},
            reported_on=today,
            session=s,
            actor=a,
        ),
        "move_milestone": lambda s, a: commands.move_milestone(
            milestone, D(2026, 12, 24), reported_on=today, expected_version=1, session=s, actor=a
        ),
        "create_risk": lambda s, a: commands.create_risk(
            {"project_id": pid, "title": "Vendor late", "probability": 3, "impact": 4},
            raised_on=today,
            session=s,
            actor=a,
        ),
        "update_risk": lambda s, a: commands.update_risk(
            risk, {"probability": 5}, assessed_on=today, expected_version=1, session=s, actor=a
        ),
    }


# Who may write to a project of program "Core" (managed by the portfolio manager), department
# IT, managed by "pm"; and to one of program "Other", department IT, managed by "other_pm".
# The portfolio manager belongs to Finance, so IT projects outside Core are not theirs.
MAY = {
    "admin": {"core": True, "other": True},
    "portfolio_manager": {"core": True, "other": False},
    "pm": {"core": True, "other": False},
    "other_pm": {"core": False, "other": True},
    "viewer": {"core": False, "other": False},
}


@pytest.mark.parametrize("who", sorted(MAY))
def test_each_role_writes_exactly_the_projects_it_may(db_url, who):
    org = make_org(db_url)
    actor = _actors(org)[who]
    targets = {
        "core": make_project(db_url, org, "CORE-1"),
        "other": make_project(
            db_url, org, "OTH-1", program_id=org["other_program"], manager_id=org["other_pm"]
        ),
    }
    for where, pid in targets.items():
        milestone = make_milestone(db_url, pid, D(2026, 12, 1))
        risk = make_risk(db_url, pid, 2, 2)
        for name, write in _project_writes(org, pid, milestone, risk).items():
            before = _snapshot(db_url)
            refused_before = len(_audit(db_url, "refused"))
            with session_scope(db_url) as s:
                if MAY[who][where]:
                    write(s, actor)
                    continue
                with pytest.raises(PermissionDenied):
                    write(s, actor)
            assert _snapshot(db_url) == before, f"{who} {name} on {where} changed something"
            refused = _audit(db_url, "refused")
            assert len(refused) == refused_before + 1
            assert refused.iloc[-1].actor_name == actor.name
            assert refused.iloc[-1].project_id == pid


def test_crafted_ids_are_refused_and_audited(db_url):
    """A project manager calls the write functions directly with ids of a project not theirs."""
    org = make_org(db_url)
    theirs = make_project(db_url, org, "MINE-1")
    target = make_project(db_url, org, "TGT-1", manager_id=org["other_pm"])
    milestone = make_milestone(db_url, target, D(2026, 12, 1))
    risk = make_risk(db_url, target, 4, 4)
    own_risk = make_risk(db_url, theirs, 2, 3)
    pm = _actors(org)["pm"]
    before = _snapshot(db_url)
    # A risk of someone else's project, moved into the PM's own project by the change itself.
    for write in (
        lambda s: commands.update_risk(
            risk,
            {"project_id": theirs},
            assessed_on=D(2026, 11, 20),
            expected_version=1,
            session=s,
            actor=pm,
        ),
        # Their own risk, moved into someone else's project.
        lambda s: commands.update_risk(
            own_risk,
            {"project_id": target},
            assessed_on=D(2026, 11, 20),
            expected_version=1,
            session=s,
            actor=pm,
        ),
        lambda s: commands.complete_milestone(
            milestone,
            D(2026, 11, 20),
            reported_on=D(2026, 11, 20),
            expected_version=1,
            session=s,
            actor=pm,
        ),
        lambda s: commands.update_project(
            target, {"manager_id": pm.person_id}, expected_version=1, session=s, actor=pm
        ),
        lambda s: commands.create_project(
            {
                "code": "NEW-9",
                "name": "Mine now",
                "program_id": org["program"],
                "department_id": org["department"],
                "baseline_start": D(2026, 1, 1),
                "baseline_finish": D(2026, 6, 1),
                "forecast_finish": D(2026, 6, 1),
            },
            session=s,
            actor=pm,
        ),
    ):
        with session_scope(db_url) as s, pytest.raises(PermissionDenied):
            write(s)
    assert _snapshot(db_url) == before
    refused = _audit(db_url, "refused")
    assert refused.entity.tolist() == ["risk", "risk", "milestone", "project", "project"]
    assert refused.project_id.tolist()[:4] == [target] * 4
    assert pd.isna(refused.project_id.iloc[4])  # a new project has no id yet
    assert refused.after.map(lambda a: a["attempted"]).tolist() == [
        "change this risk",
        "move this risk to that project",
        "complete this milestone",
        "edit this project",
        "create a project here",
    ]


def test_portfolio_manager_of_a_department_edits_its_projects(db_url):
    org = make_org(db_url)
    # Finance projects belong to the portfolio manager's department, whatever their program.
    pid = make_project(
        db_url, org, "FIN-1", program_id=org["other_program"], department_id=org["other_department"]
    )
    with session_scope(db_url) as s:
        commands.update_project(
            pid,
            {"name": "By department"},
            expected_version=1,
            session=s,
            actor=_actors(org)["portfolio_manager"],
        )
    name = read_df("SELECT name FROM project WHERE id = :i", {"i": pid}, db_url).name.item()
    assert name == "By department"


def test_departments_count_their_projects_and_people_apart(db_url):
    org = make_org(db_url)
    for code in ("P-1", "P-2"):
        make_project(db_url, org, code=code)
    listed = admin_reads.departments(db_url).set_index("code")
    # IT: two projects and four people (not 2 x 4); Finance: no project, one person.
    assert listed.loc["IT", ["projects", "people"]].tolist() == [2, 4]
    assert listed.loc["FIN", ["projects", "people"]].tolist() == [0, 1]
