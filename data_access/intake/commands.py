"""Intake writes: drivers and their weights, proposals, reviewers' scores, saved scenarios and
their approval, realised benefits.

Same pattern as data_access.updates.commands: keyword-only `session=` and `actor=`, a
permission check (a refusal is audited and changes nothing), validation with every problem at
once, optimistic `version`, audit rows and the data-version bump, committed once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from data_access.core.intake_models import (
    POOL_KINDS,
    PROPOSAL_MOVES,
    Benefit,
    BenefitCreate,
    BenefitMeasurement,
    BenefitMeasurementCreate,
    DriverJudgement,
    Proposal,
    ProposalBase,
    ProposalCost,
    ProposalCreate,
    ProposalDriver,
    ProposalNeed,
    ProposalScore,
    ScenarioItem,
    SelectionScenario,
    SelectionScenarioCreate,
    StrategicDriver,
    StrategicDriverBase,
    StrategicDriverCreate,
)
from data_access.core.models import Project, utcnow
from data_access.core.permissions import may_create_project, may_edit_project, refuse, require_admin
from data_access.core.writes import (
    Actor,
    ConflictError,
    ValidationFailed,
    audit,
    check_text,
    commit,
    fetch_row,
    insert_row,
    row_dict,
    update_row,
    validate,
    with_last_editor,
)

REVIEWER_ROLES = ("admin", "portfolio_manager")
PERIOD = re.compile(r"^\d{4}-Q[1-4]$")

# --- strategic drivers (PMO admin) ---------------------------------------------------------


def create_driver(data: dict[str, Any], *, session: Session, actor: Actor) -> int:
    require_admin(session, actor, "add a strategic driver", entity="strategic_driver")
    driver = validate(StrategicDriverCreate, data)
    _unique_name(session, StrategicDriver, driver.name)
    new_id = insert_row(session, StrategicDriver, driver.model_dump(), actor=actor, project_id=None)
    commit(session)
    return new_id


def _unique_name(session: Session, model, name: str, row_id: int | None = None) -> None:
    table = model.__table__
    taken = session.execute(
        sa.select(table.c.id).where(table.c.name == name, table.c.id != row_id)
    ).first()
    if taken:
        raise ValidationFailed({"name": "another record already has this name"})


def set_driver_weights(
    weights: Mapping[int, float],
    *,
    expected_versions: Mapping[int, int],
    judgements: Mapping[tuple[int, int], float] | None = None,
    session: Session,
    actor: Actor,
) -> None:
    """Give the active drivers their weights (normalised to sum to 1) together, or none.

    `judgements` are the pairwise comparisons the weights came from (AHP), kept so they can
    be revisited; weights set directly clear them.
    """
    require_admin(session, actor, "weigh the strategic drivers", entity="strategic_driver")
    errors = {
        f"weight.{k}": "must be a number of at least 0"
        for k, w in weights.items()
        if not isinstance(w, int | float) or w != w or w < 0
    }
    if not errors and sum(weights.values()) <= 0:
        errors[""] = "give at least one driver a weight above 0"
    if errors:
        raise ValidationFailed(errors)
    total = sum(weights.values())
    for driver_id, weight in sorted(weights.items()):
        update_row(
            session,
            StrategicDriver,
            driver_id,
            {"weight": weight / total},
            expected_version=expected_versions.get(driver_id, 0),
            schema=StrategicDriverBase,
            actor=actor,
            project_id=None,
        )
    session.execute(sa.delete(DriverJudgement.__table__))
    rows = [
        {"first_id": min(a, b), "second_id": max(a, b), "value": v if a < b else 1 / v}
        for (a, b), v in (judgements or {}).items()
    ]
    if rows:
        session.execute(sa.insert(DriverJudgement.__table__), rows)
    commit(session)


# --- proposals ------------------------------------------------------------------------------


def _next_code(session: Session) -> str:
    codes = session.execute(sa.select(Proposal.code)).scalars()
    numbers = [int(c[4:]) for c in codes if c.startswith("PRP-") and c[4:].isdigit()]
    return f"PRP-{max(numbers, default=0) + 1:04d}"


def _parts_errors(
    session: Session,
    costs: Mapping[int, float],
    needs: Sequence[Mapping[str, Any]],
    driver_ids: Sequence[int],
    benefits: Sequence[Mapping[str, Any]],
) -> dict[str, str]:
    """Every problem of a proposal's costs, needs, drivers and benefits, keyed by the row."""
    errors: dict[str, str] = {}
    for year, amount in costs.items():
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            errors[f"costs.{year}"] = "must be a year such as 2027"
        elif not isinstance(amount, int | float) or amount != amount or not 0 <= amount <= 1e13:
            errors[f"costs.{year}"] = "must be an amount of at least 0"
    if not any(a > 0 for a in costs.values() if isinstance(a, int | float)):
        errors.setdefault("costs", "give the estimated cost of at least one year")
    seen = set()
    for i, need in enumerate(needs):
        if need.get("pool_kind") not in POOL_KINDS:
            errors[f"needs.{i}.pool_kind"] = "must be skill or department"
        if not str(need.get("pool") or "").strip():
            errors[f"needs.{i}.pool"] = "is required"
        if not PERIOD.match(str(need.get("period") or "")):
            errors[f"needs.{i}.period"] = "must be a quarter such as 2027-Q1"
        hours = need.get("hours")
        if not isinstance(hours, int | float) or hours != hours or not 0 < hours <= 1e6:
            errors[f"needs.{i}.hours"] = "must be more than 0 hours"
        key = (need.get("pool_kind"), need.get("pool"), need.get("period"))
        if key in seen:
            errors[f"needs.{i}.pool"] = "this pool and quarter is listed twice"
        seen.add(key)
    known = set(session.execute(sa.select(StrategicDriver.id)).scalars())
    if not driver_ids:
        errors["drivers"] = "choose at least one strategic driver it serves"
    elif set(driver_ids) - known:
        errors["drivers"] = "choose drivers that exist"
    for i, benefit in enumerate(benefits):
        try:
            validate(BenefitCreate, dict(benefit))
        except ValidationFailed as exc:
            errors.update(
                {f"benefits.{i}.{k}" if k else f"benefits.{i}": v for k, v in exc.errors.items()}
            )
        if benefit.get("driver_id") is not None and benefit["driver_id"] not in known:
            errors[f"benefits.{i}.driver_id"] = "choose a driver that exists"
    if not benefits:
        errors["benefits"] = "give at least one expected benefit"
    return errors


def _may_edit_proposal(session: Session, actor: Actor, row: Mapping[str, Any]) -> bool:
    if actor.role in REVIEWER_ROLES:
        return True
    return actor.person_id is not None and actor.person_id in (
        row.get("submitted_by_id"),
        row.get("sponsor_id"),
    )


def save_proposal(
    data: dict[str, Any],
    *,
    costs: Mapping[int, float],
    needs: Sequence[Mapping[str, Any]],
    driver_ids: Sequence[int],
    benefits: Sequence[Mapping[str, Any]],
    proposal_id: int | None = None,
    expected_version: int | None = None,
    session: Session,
    actor: Actor,
) -> int:
    """Create a proposal (a draft) or change one, with its costs per year, people needed,
    drivers served and expected benefits, all in one transaction."""
    if actor.role == "viewer" or actor.person_id is None and actor.role != "admin":
        refuse(
            session,
            actor,
            "submit a proposal",
            entity="proposal",
            entity_id=proposal_id,
            project_id=None,
        )
    errors: dict[str, str] = {}
    try:
        proposal = validate(ProposalCreate, data)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        proposal = None
    errors.update(_parts_errors(session, costs, needs, driver_ids, benefits))
    if errors:
        raise ValidationFailed(errors)
    before = None
    if proposal_id is None:
        values = {
            **proposal.model_dump(),
            "code": _next_code(session),
            "status": "draft",
            "submitted_by_id": actor.person_id,
        }
        proposal_id = insert_row(session, Proposal, values, actor=actor, project_id=None)
    else:
        current = fetch_row(session, Proposal, proposal_id)
        if not _may_edit_proposal(session, actor, current):
            refuse(
                session,
                actor,
                "change this proposal",
                entity="proposal",
                entity_id=proposal_id,
                project_id=None,
            )
        if current["status"] == "approved":
            raise ValidationFailed(
                {"": "an approved proposal is a project now: change the project"}
            )
        before = _parts(session, proposal_id)
        row = update_row(
            session,
            Proposal,
            proposal_id,
            proposal.model_dump(),
            expected_version=expected_version or 0,
            schema=ProposalBase,
            actor=actor,
            project_id=None,
        )
        if row["version"] == current["version"]:  # only the parts changed: still a new version
            _bump(session, proposal_id, current["version"])
        _clear_parts(session, proposal_id)
    _write_parts(session, proposal_id, costs, needs, driver_ids, benefits)
    after = _parts(session, proposal_id)
    if before is not None and before != after:
        audit(
            session,
            actor=actor,
            action="update",
            entity="proposal_parts",
            entity_id=proposal_id,
            project_id=None,
            before=before,
            after=after,
        )
    commit(session)
    return proposal_id


def _bump(session: Session, proposal_id: int, version: int) -> None:
    table = Proposal.__table__
    done = session.execute(
        sa.update(table)
        .where(table.c.id == proposal_id, table.c.version == version)
        .values(version=version + 1)
    )
    if done.rowcount != 1:
        session.rollback()
        raise ConflictError(
            "proposal",
            proposal_id,
            with_last_editor(session, "proposal", fetch_row(session, Proposal, proposal_id)),
        )


def _parts(session: Session, proposal_id: int) -> dict[str, Any]:
    """Costs, needs, drivers and benefits of a proposal as plain values (for the audit)."""

    def rows(model, order):
        table = model.__table__
        query = sa.select(table).where(table.c.proposal_id == proposal_id).order_by(*order(table))
        skip = {"id", "proposal_id", "created_at", "updated_at", "version", "project_id"}
        return [
            {k: v for k, v in row_dict(r).items() if k not in skip} for r in session.execute(query)
        ]

    return {
        "costs": rows(ProposalCost, lambda t: [t.c.year]),
        "needs": rows(ProposalNeed, lambda t: [t.c.pool_kind, t.c.pool, t.c.period]),
        "drivers": [r["driver_id"] for r in rows(ProposalDriver, lambda t: [t.c.driver_id])],
        "benefits": rows(Benefit, lambda t: [t.c.id]),
    }


def _clear_parts(session: Session, proposal_id: int) -> None:
    for model in (ProposalCost, ProposalNeed, ProposalDriver, Benefit):
        table = model.__table__
        session.execute(sa.delete(table).where(table.c.proposal_id == proposal_id))


def _write_parts(session, proposal_id, costs, needs, driver_ids, benefits) -> None:
    cost_rows = [
        {"proposal_id": proposal_id, "year": y, "amount": float(a)}
        for y, a in sorted(costs.items())
        if a > 0
    ]
    need_rows = [
        {
            "proposal_id": proposal_id,
            "pool_kind": n["pool_kind"],
            "pool": str(n["pool"]).strip(),
            "period": n["period"],
            "hours": float(n["hours"]),
        }
        for n in needs
    ]
    driver_rows = [{"proposal_id": proposal_id, "driver_id": d} for d in sorted(set(driver_ids))]
    now = utcnow()
    benefit_rows = [
        {
            **validate(BenefitCreate, dict(b)).model_dump(),
            "proposal_id": proposal_id,
            "created_at": now,
            "updated_at": now,
        }
        for b in benefits
    ]
    for model, rows in (
        (ProposalCost, cost_rows),
        (ProposalNeed, need_rows),
        (ProposalDriver, driver_rows),
        (Benefit, benefit_rows),
    ):
        if rows:
            session.execute(sa.insert(model.__table__), rows)


def move_proposal(
    proposal_id: int,
    status: str,
    *,
    expected_version: int,
    note: str = "",
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    """Move a proposal along its statuses: its author submits (or takes it back to draft),
    reviewers (PMO admin, portfolio managers) put it under review, reject or defer it."""
    current = fetch_row(session, Proposal, proposal_id)
    allowed = PROPOSAL_MOVES.get(current["status"], ())
    if status not in allowed:
        choices = ", ".join(allowed) or "nothing (approval goes through a scenario)"
        raise ValidationFailed({"status": f"from {current['status']} it can move to {choices}"})
    author_move = status in ("submitted", "draft") and current["status"] in ("draft", "submitted")
    may = actor.role in REVIEWER_ROLES or (
        author_move and _may_edit_proposal(session, actor, current)
    )
    if not may:
        refuse(
            session,
            actor,
            f"mark this proposal {status}",
            entity="proposal",
            entity_id=proposal_id,
            project_id=None,
        )
    check_text("note", note)
    row = update_row(
        session,
        Proposal,
        proposal_id,
        {"status": status},
        expected_version=expected_version,
        schema=_StatusOnly,
        actor=actor,
        project_id=None,
    )
    if note.strip():
        audit(
            session,
            actor=actor,
            action="note",
            entity="proposal",
            entity_id=proposal_id,
            project_id=None,
            after={"status": status, "note": note.strip()},
        )
    commit(session)
    return row


class _StatusOnly(ProposalBase):
    """The status is moved by `move_proposal` only, checked against PROPOSAL_MOVES there."""

    status: str


def score_proposal(
    proposal_id: int,
    scores: Mapping[int, int],
    *,
    day: dt.date,
    session: Session,
    actor: Actor,
) -> None:
    """A reviewer's scores (0-4) of a proposal per driver; scoring again replaces their own."""
    if actor.role not in REVIEWER_ROLES or actor.person_id is None:
        refuse(
            session,
            actor,
            "score proposals",
            entity="proposal_score",
            entity_id=proposal_id,
            project_id=None,
        )
    current = fetch_row(session, Proposal, proposal_id)
    if current["status"] in ("approved", "rejected"):
        raise ValidationFailed({"": f"a {current['status']} proposal is not scored any more"})
    known = set(session.execute(sa.select(StrategicDriver.id)).scalars())
    errors = {
        f"score.{d}": "must be a whole number from 0 to 4"
        for d, s in scores.items()
        if not isinstance(s, int) or isinstance(s, bool) or not 0 <= s <= 4
    }
    errors.update({f"score.{d}": "is not a driver" for d in scores if d not in known})
    if errors:
        raise ValidationFailed(errors)
    table = ProposalScore.__table__
    mine = (table.c.proposal_id == proposal_id) & (table.c.reviewer_id == actor.person_id)
    before = {
        r.driver_id: r.score
        for r in session.execute(sa.select(table.c.driver_id, table.c.score).where(mine))
    }
    session.execute(sa.delete(table).where(mine & table.c.driver_id.in_(list(scores))))
    rows = [
        {
            "proposal_id": proposal_id,
            "driver_id": d,
            "reviewer_id": actor.person_id,
            "score": s,
            "scored_on": day,
            "created_at": utcnow(),
        }
        for d, s in sorted(scores.items())
    ]
    if rows:
        session.execute(sa.insert(table), rows)
    audit(
        session,
        actor=actor,
        action="score",
        entity="proposal",
        entity_id=proposal_id,
        project_id=None,
        before={str(k): v for k, v in before.items()},
        after={str(k): v for k, v in scores.items()},
    )
    commit(session)


# --- scenarios --------------------------------------------------------------------------------


def save_scenario(
    data: dict[str, Any],
    *,
    budget: Mapping[int, float],
    items: Sequence[Mapping[str, Any]],
    session: Session,
    actor: Actor,
) -> int:
    """Save a selection run under a name: its budget per year and, per proposal, in or out,
    forced or not, and its priority at the time."""
    if actor.role not in REVIEWER_ROLES:
        refuse(
            session,
            actor,
            "save selection scenarios",
            entity="selection_scenario",
            entity_id=None,
            project_id=None,
        )
    errors: dict[str, str] = {}
    try:
        scenario = validate(SelectionScenarioCreate, data)
        _unique_name(session, SelectionScenario, scenario.name)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if not items:
        errors["items"] = "run a selection before saving it"
    if errors:
        raise ValidationFailed(errors)
    ids = [int(i["proposal_id"]) for i in items]
    costs = dict(
        session.execute(
            sa.select(ProposalCost.proposal_id, sa.func.sum(ProposalCost.amount))
            .where(ProposalCost.proposal_id.in_(ids))
            .group_by(ProposalCost.proposal_id)
        ).all()
    )
    chosen = [i for i in items if i["included"]]
    values = {
        **scenario.model_dump(),
        "budget": {str(y): float(a) for y, a in sorted(budget.items())},
        "value": float(sum(i["priority"] for i in chosen)),
        "cost": float(sum(costs.get(int(i["proposal_id"]), 0.0) for i in chosen)),
        "status": "saved",
        "created_by_id": actor.person_id,
    }
    scenario_id = insert_row(session, SelectionScenario, values, actor=actor, project_id=None)
    session.execute(
        sa.insert(ScenarioItem.__table__),
        [
            {
                "scenario_id": scenario_id,
                "proposal_id": int(i["proposal_id"]),
                "included": bool(i["included"]),
                "forced": i.get("forced"),
                "priority": float(i["priority"]),
            }
            for i in items
        ],
    )
    commit(session)
    return scenario_id


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def approve_scenario(
    scenario_id: int, *, expected_version: int, day: dt.date, session: Session, actor: Actor
) -> list[int]:
    """Approve a saved scenario: each proposal in it that is not a project yet becomes exactly
    one project (first phase, its budget, its planned benefits); all of them or none.
    Returns the new projects' ids."""
    if actor.role not in REVIEWER_ROLES:
        refuse(
            session,
            actor,
            "approve a selection",
            entity="selection_scenario",
            entity_id=scenario_id,
            project_id=None,
        )
    scenario = fetch_row(session, SelectionScenario, scenario_id)
    if scenario["version"] != expected_version:
        raise ConflictError(
            "selection_scenario",
            scenario_id,
            with_last_editor(session, "selection_scenario", scenario),
        )
    if scenario["status"] == "approved":
        raise ValidationFailed({"": "this scenario is already approved"})
    chosen = (
        session.execute(
            sa.select(Proposal.__table__)
            .join(ScenarioItem, ScenarioItem.proposal_id == Proposal.id)
            .where(ScenarioItem.scenario_id == scenario_id, ScenarioItem.included)
            .order_by(Proposal.code)
        )
        .mappings()
        .all()
    )
    if not chosen:
        raise ValidationFailed({"": "this scenario selects no proposal"})
    created = []
    for proposal in chosen:
        if proposal["project_id"] is not None or proposal["status"] == "approved":
            continue  # approved in an earlier scenario: it already has its one project
        if not may_create_project(
            session, actor, proposal["program_id"], proposal["department_id"]
        ):
            refuse(
                session,
                actor,
                f"create the project of {proposal['code']}",
                entity="selection_scenario",
                entity_id=scenario_id,
                project_id=None,
            )
        created.append(_project_from(session, proposal, actor=actor))
    update_row(
        session,
        SelectionScenario,
        scenario_id,
        {"status": "approved", "approved_on": day, "approved_by_id": actor.person_id},
        expected_version=expected_version,
        schema=_ScenarioApproval,
        actor=actor,
        project_id=None,
    )
    commit(session)
    return created


class _ScenarioApproval(SelectionScenarioCreate):
    status: str
    approved_on: dt.date | None = None
    approved_by_id: int | None = None


def _project_from(session: Session, proposal: Mapping[str, Any], *, actor: Actor) -> int:
    budget = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(ProposalCost.amount), 0)).where(
            ProposalCost.proposal_id == proposal["id"]
        )
    ).scalar_one()
    finish = _add_months(proposal["start_date"], proposal["duration_months"])
    values = {
        "code": proposal["code"],
        "name": proposal["title"],
        "description": proposal["problem"],
        "program_id": proposal["program_id"],
        "department_id": proposal["department_id"],
        "sponsor_id": proposal["sponsor_id"],
        "manager_id": None,
        "phase": "Initiation",
        "status": "active",
        "priority": {"high": "high", "medium": "medium", "low": "medium"}[proposal["risk_level"]],
        "baseline_start": proposal["start_date"],
        "baseline_finish": finish,
        "forecast_finish": finish,
        "approved_budget": float(budget),
        "actual_cost": 0.0,
        "forecast_at_completion": float(budget),
        "percent_complete": 0.0,
    }
    project_id = insert_row(session, Project, values, actor=actor, project_id=None)
    update_row(
        session,
        Proposal,
        proposal["id"],
        {"status": "approved", "project_id": project_id},
        expected_version=proposal["version"],
        schema=_Approved,
        actor=actor,
        project_id=project_id,
    )
    session.execute(
        sa.update(Benefit.__table__)
        .where(Benefit.proposal_id == proposal["id"])
        .values(project_id=project_id)
    )
    return project_id


class _Approved(_StatusOnly):
    project_id: int | None = None


# --- benefits realised ------------------------------------------------------------------------


def record_measurement(data: dict[str, Any], *, session: Session, actor: Actor) -> int:
    """A realised value of a delivered project's benefit, by its PM, its sponsor or the PMO."""
    measurement = validate(BenefitMeasurementCreate, data)
    benefit = fetch_row(session, Benefit, measurement.benefit_id)
    project_id = benefit["project_id"]
    if project_id is None:
        raise ValidationFailed(
            {"benefit_id": "this benefit belongs to a proposal not yet approved"}
        )
    sponsor = session.execute(
        sa.select(Project.sponsor_id).where(Project.id == project_id)
    ).scalar()
    if not (
        may_edit_project(session, actor, project_id)
        or (actor.person_id is not None and actor.person_id == sponsor)
    ):
        refuse(
            session,
            actor,
            "record a realised benefit",
            entity="benefit_measurement",
            entity_id=None,
            project_id=project_id,
        )
    values = {**measurement.model_dump(), "recorded_by_id": actor.person_id}
    new_id = insert_row(session, BenefitMeasurement, values, actor=actor, project_id=project_id)
    commit(session)
    return new_id
