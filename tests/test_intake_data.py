"""Intake data layer on SQLite and PostgreSQL: drivers and weights, proposals with every
problem at once and stale saves refused, statuses, scores, scenarios and their approval
(exactly one project per proposal), realised benefits, capacity per pool and quarter."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data_access.core.db import get_engine, session_scope
from data_access.core.intake_models import Benefit, Proposal
from data_access.core.models import Allocation, AuditLog, Person, Project
from data_access.core.writes import Actor, ConflictError, PermissionDenied, ValidationFailed
from data_access.intake import commands, reads
from tests.factories import _insert, make_org

DAY = dt.date(2027, 2, 1)


@pytest.fixture
def org(db_url):
    ids = make_org(db_url)
    return {**ids, "url": db_url}


def actors(org) -> dict[str, Actor]:
    return {
        "admin": Actor(org["admin"], "Admin", "admin"),
        "pfm": Actor(org["portfolio_manager"], "Pfm", "portfolio_manager"),
        "pm": Actor(org["pm"], "Pm", "project_manager"),
        "viewer": Actor(org["viewer"], "Viewer", "viewer"),
    }


def run(url, fn, *args, **kwargs):
    with session_scope(url) as session:
        return fn(*args, session=session, **kwargs)


def make_drivers(org) -> list[int]:
    admin = actors(org)["admin"]
    return [
        run(org["url"], commands.create_driver, {"name": name}, actor=admin)
        for name in ("Customer retention", "Cost reduction", "Compliance")
    ]


def proposal_input(org, drivers, **overrides):
    data = {
        "title": "New billing engine",
        "sponsor_id": org["admin"],
        "department_id": org["department"],
        "program_id": org["program"],
        "problem": "Invoices are late and wrong.",
        "start_date": dt.date(2027, 4, 1),
        "duration_months": 9,
        "risk_level": "medium",
    }
    parts = {
        "costs": {2027: 300_000.0, 2028: 100_000.0},
        "needs": [{"pool_kind": "skill", "pool": "Data", "period": "2027-Q2", "hours": 400.0}],
        "driver_ids": drivers[:2],
        "benefits": [
            {
                "kind": "financial",
                "measure": "Late invoices per month",
                "baseline": 120.0,
                "target": 20.0,
                "by_when": dt.date(2028, 6, 30),
                "driver_id": drivers[1],
            }
        ],
    }
    data.update(overrides.pop("data", {}))
    parts.update(overrides)
    return data, parts


def test_driver_weights_are_normalised_and_admin_only(org):
    url, who = org["url"], actors(org)
    ids = make_drivers(org)
    versions = {i: 1 for i in ids}
    run(
        url,
        commands.set_driver_weights,
        {ids[0]: 5, ids[1]: 3, ids[2]: 2},
        expected_versions=versions,
        judgements={(ids[0], ids[1]): 2.0, (ids[2], ids[0]): 1 / 3},
        actor=who["admin"],
    )
    df = reads.drivers(url)
    assert df["weight"].round(3).tolist() == [0.5, 0.3, 0.2]
    assert reads.judgements(url) == pytest.approx({(ids[0], ids[1]): 2.0, (ids[0], ids[2]): 3.0})
    with pytest.raises(ConflictError):  # saved on the versions read before the last save
        run(
            url,
            commands.set_driver_weights,
            {ids[0]: 1},
            expected_versions=versions,
            actor=who["admin"],
        )
    with pytest.raises(PermissionDenied):
        run(
            url,
            commands.set_driver_weights,
            {ids[0]: 1},
            expected_versions={ids[0]: 2},
            actor=who["pfm"],
        )
    with pytest.raises(ValidationFailed, match="name"):
        run(url, commands.create_driver, {"name": "Compliance"}, actor=who["admin"])


def test_a_proposal_reports_every_problem_at_once_and_writes_nothing(org):
    url, who = org["url"], actors(org)
    drivers = make_drivers(org)
    data, parts = proposal_input(
        org,
        drivers,
        data={"title": " ", "duration_months": 0},
        costs={2027: -5.0},
        needs=[{"pool_kind": "skill", "pool": "", "period": "2027-5", "hours": 0}],
        driver_ids=[],
        benefits=[
            {
                "kind": "financial",
                "measure": "x",
                "baseline": 1.0,
                "target": 1.0,
                "by_when": dt.date(2028, 1, 1),
            }
        ],
    )
    with pytest.raises(ValidationFailed) as failed:
        run(url, commands.save_proposal, data, **parts, actor=who["pm"])
    assert set(failed.value.errors) >= {
        "title",
        "duration_months",
        "costs.2027",
        "needs.0.pool",
        "needs.0.period",
        "needs.0.hours",
        "drivers",
        "benefits.0",
    }
    assert reads.proposals(url).empty
    with pytest.raises(PermissionDenied):
        run(
            url,
            commands.save_proposal,
            *proposal_input(org, drivers)[:1],
            **proposal_input(org, drivers)[1],
            actor=who["viewer"],
        )


def test_proposal_round_trip_stale_save_statuses_and_history(org):
    url, who = org["url"], actors(org)
    drivers = make_drivers(org)
    data, parts = proposal_input(org, drivers)
    pid = run(url, commands.save_proposal, data, **parts, actor=who["pm"])
    row = reads.proposals(url).iloc[0]
    assert (row.code, row.status, row.total_cost, row.submitted_by) == (
        "PRP-0001",
        "draft",
        400_000.0,
        "Pm",
    )
    stored = reads.proposal_parts(pid, url)
    assert stored["costs"] == {2027: 300_000.0, 2028: 100_000.0}
    assert stored["driver_ids"] == drivers[:2]
    assert stored["benefits"][0]["measure"] == "Late invoices per month"

    # Only a part changes: the proposal still gets a new version, so a stale save is refused.
    parts["costs"] = {2027: 350_000.0}
    run(
        url,
        commands.save_proposal,
        data,
        **parts,
        proposal_id=pid,
        expected_version=1,
        actor=who["pm"],
    )
    assert int(reads.proposals(url).iloc[0].version) == 2
    with pytest.raises(ConflictError):
        run(
            url,
            commands.save_proposal,
            data,
            **parts,
            proposal_id=pid,
            expected_version=1,
            actor=who["admin"],
        )

    run(url, commands.move_proposal, pid, "submitted", expected_version=2, actor=who["pm"])
    with pytest.raises(PermissionDenied):  # reviewing is for the PMO and portfolio managers
        run(url, commands.move_proposal, pid, "under review", expected_version=3, actor=who["pm"])
    with pytest.raises(ValidationFailed, match="can move to"):
        run(url, commands.move_proposal, pid, "approved", expected_version=3, actor=who["pfm"])
    run(
        url,
        commands.move_proposal,
        pid,
        "under review",
        expected_version=3,
        note="Q2 intake",
        actor=who["pfm"],
    )
    history = reads.proposal_history(pid, url)
    assert {"create", "update", "note"} <= set(history["action"])
    assert reads.proposals(url).iloc[0].status == "under review"


def test_scores_are_one_per_reviewer_and_driver(org):
    url, who = org["url"], actors(org)
    drivers = make_drivers(org)
    pid = run(
        url,
        commands.save_proposal,
        *proposal_input(org, drivers)[:1],
        **proposal_input(org, drivers)[1],
        actor=who["pm"],
    )
    run(
        url,
        commands.score_proposal,
        pid,
        {drivers[0]: 4, drivers[1]: 1},
        day=DAY,
        actor=who["admin"],
    )
    run(url, commands.score_proposal, pid, {drivers[0]: 2}, day=DAY, actor=who["pfm"])
    run(url, commands.score_proposal, pid, {drivers[0]: 3}, day=DAY, actor=who["pfm"])
    means = reads.mean_scores(url).set_index("driver")
    assert means.loc["Customer retention", "score"] == pytest.approx(3.5)
    assert int(means.loc["Customer retention", "reviewers"]) == 2
    assert reads.my_scores(pid, org["admin"], url) == {drivers[0]: 4, drivers[1]: 1}
    with pytest.raises(ValidationFailed):
        run(url, commands.score_proposal, pid, {drivers[0]: 5}, day=DAY, actor=who["admin"])
    with pytest.raises(PermissionDenied):
        run(url, commands.score_proposal, pid, {drivers[0]: 1}, day=DAY, actor=who["pm"])


def _count(url, model, *where) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar()


def test_approving_scenarios_creates_exactly_one_project_per_proposal(org):
    url, who = org["url"], actors(org)
    drivers = make_drivers(org)
    ids = []
    for title in ("Billing", "Portal", "Archive"):
        data, parts = proposal_input(org, drivers, data={"title": title})
        ids.append(run(url, commands.save_proposal, data, **parts, actor=who["pm"]))

    def items(chosen):
        return [
            {"proposal_id": p, "included": p in chosen, "forced": None, "priority": 10.0}
            for p in ids
        ]

    first = run(
        url,
        commands.save_scenario,
        {"name": "Lean"},
        budget={2027: 1e6},
        items=items(ids[:2]),
        actor=who["pfm"],
    )
    second = run(
        url,
        commands.save_scenario,
        {"name": "Broad"},
        budget={2027: 2e6},
        items=items(ids),
        actor=who["admin"],
    )
    scen = reads.scenarios(url).set_index("name")
    assert scen.loc["Lean", "cost"] == 800_000.0 and int(scen.loc["Broad", "chosen"]) == 3
    with pytest.raises(ValidationFailed, match="name"):
        run(
            url,
            commands.save_scenario,
            {"name": "Lean"},
            budget={},
            items=items(ids),
            actor=who["admin"],
        )

    created = run(
        url, commands.approve_scenario, first, expected_version=1, day=DAY, actor=who["admin"]
    )
    assert len(created) == 2
    with pytest.raises(ValidationFailed, match="already approved"):
        run(url, commands.approve_scenario, first, expected_version=2, day=DAY, actor=who["admin"])
    # The broader scenario holds the two already approved: only the third becomes a project.
    created += run(
        url, commands.approve_scenario, second, expected_version=1, day=DAY, actor=who["admin"]
    )
    assert len(created) == 3
    assert _count(url, Project) == 3
    with get_engine(url).connect() as conn:
        rows = conn.execute(sa.select(Proposal.status, Proposal.project_id)).all()
        project = conn.execute(sa.select(Project).where(Project.id == created[0])).first()
    assert {r.status for r in rows} == {"approved"}
    assert sorted(r.project_id for r in rows) == sorted(created)
    assert (project.phase, project.approved_budget, project.code) == (
        "Initiation",
        400_000.0,
        "PRP-0001",
    )
    assert project.baseline_finish == dt.date(2028, 1, 1)
    assert _count(url, Benefit, Benefit.project_id.is_not(None)) == 3
    assert _count(url, AuditLog, AuditLog.entity == "project", AuditLog.action == "create") == 3
    with pytest.raises(PermissionDenied):
        run(url, commands.approve_scenario, second, expected_version=2, day=DAY, actor=who["pm"])


def test_realised_benefits_by_the_projects_people(org):
    url, who = org["url"], actors(org)
    drivers = make_drivers(org)
    pid = run(
        url,
        commands.save_proposal,
        *proposal_input(org, drivers)[:1],
        **proposal_input(org, drivers)[1],
        actor=who["pm"],
    )
    scenario = run(
        url,
        commands.save_scenario,
        {"name": "Go"},
        budget={},
        items=[{"proposal_id": pid, "included": True, "priority": 50.0}],
        actor=who["admin"],
    )
    run(url, commands.approve_scenario, scenario, expected_version=1, day=DAY, actor=who["admin"])
    benefit_id = reads.benefits(DAY, url).iloc[0].id
    with pytest.raises(PermissionDenied):  # the PM who proposed it does not manage it yet
        run(
            url,
            commands.record_measurement,
            {"benefit_id": int(benefit_id), "measured_on": DAY, "value": 80.0},
            actor=who["pm"],
        )
    for day, value in ((DAY, 80.0), (DAY + dt.timedelta(days=30), 60.0)):
        run(
            url,
            commands.record_measurement,
            {"benefit_id": int(benefit_id), "measured_on": day, "value": value},
            actor=who["admin"],
        )  # the sponsor
    latest = reads.benefits(DAY + dt.timedelta(days=40), url).iloc[0]
    assert (latest.realised, latest.driver, latest.program) == (60.0, "Cost reduction", "Core")
    assert reads.benefits(DAY, url).iloc[0].realised == 80.0
    assert len(reads.measurements(int(benefit_id), url)) == 2


def test_capacity_left_per_skill_and_department_per_quarter(org):
    url = org["url"]
    people = [
        _insert(
            url,
            Person,
            name=f"P{i}",
            email=f"p{i}@example.org",
            role="viewer",
            department_id=org["department"],
            skill="Data",
            weekly_capacity_hours=40.0,
        )
        for i in range(2)
    ]
    project = _insert(
        url,
        Project,
        code="X",
        name="X",
        program_id=org["program"],
        department_id=org["department"],
        baseline_start=dt.date(2027, 1, 1),
        baseline_finish=dt.date(2027, 12, 31),
        forecast_finish=dt.date(2027, 12, 31),
    )
    # 20 h a week over the 91 days of 2027-Q2 exactly: 260 h held.
    _insert(
        url,
        Allocation,
        person_id=people[0],
        project_id=project,
        start_date=dt.date(2027, 4, 1),
        end_date=dt.date(2027, 6, 30),
        hours_per_week=20.0,
    )
    cap = reads.pool_capacity(2027, 2027, url).set_index(["pool_kind", "pool", "period"])
    assert cap.loc[("skill", "Data", "2027-Q2"), "capacity"] == 80 * 13
    assert cap.loc[("skill", "Data", "2027-Q2"), "allocated"] == pytest.approx(260)
    assert cap.loc[("skill", "Data", "2027-Q1"), "allocated"] == 0
    # Four of make_org's people (40 h by default) are in IT, and the two above.
    assert cap.loc[("department", "IT", "2027-Q2"), "available"] == pytest.approx(6 * 40 * 13 - 260)
    assert len(cap) == 4 * len(cap.reset_index()[["pool_kind", "pool"]].drop_duplicates())


def test_the_deck_has_a_benefits_slide_from_the_demo(demo_db_url):
    from deck.sources import load_meeting
    from tests.conftest import DEMO_TODAY

    slide = next(
        s for s in load_meeting(DEMO_TODAY, url=demo_db_url).slides if s.kind == "benefits"
    )
    tiles = {t.label: t.value for t in slide.blocks[0].tiles}
    planned = reads.benefits(DEMO_TODAY, demo_db_url)
    assert int(tiles["Planned benefits"]) == len(planned) > 0
    assert int(tiles["Measured"]) == int(planned.realised.notna().sum()) > 0
    assert set(slide.blocks[1].table.Driver) <= set(planned.driver)
