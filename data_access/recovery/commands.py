"""Writes of the path to green: a status update with its recovery plan and actions, raising
an escalation and answering it with a review's decision.

Each follows data_access/commands.py: keyword-only `session=` and `actor=`, validation of
every field at once, a permission check, audited rows and one commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from data_access.commands import stage_status_report
from data_access.models import (
    Action,
    ActionBase,
    ActionCreate,
    Program,
    Project,
    RaidItem,
    StatusReport,
)
from data_access.permissions import refuse, require_project_edit
from data_access.recovery.models import (
    Escalation,
    EscalationBase,
    EscalationCreate,
    RecoveryPlan,
    RecoveryPlanCreate,
)
from data_access.recovery.rules import causes, plan_given, plan_need, plan_problems
from data_access.reviews import may_chair, stage_decision
from data_access.settings import DEFAULT_SETTINGS
from data_access.writes import (
    Actor,
    ValidationFailed,
    WriteError,
    commit,
    fetch_row,
    insert_row,
    update_row,
    validate,
)


def _open_recovery_actions(session: Session, project_id: int) -> dict[int, dict]:
    rows = session.execute(
        sa.select(Action.__table__).where(
            Action.project_id == project_id, Action.origin == "recovery", Action.status == "open"
        )
    )
    return {row.id: dict(row._mapping) for row in rows}


def submit_update(
    report: dict[str, Any],
    plan: dict[str, Any],
    *,
    new_actions: list[dict[str, Any]],
    done_actions: dict[int, int],
    settings: dict,
    today: dt.date,
    session: Session,
    actor: Actor,
    expected_latest_report: int | None = None,
) -> int:
    """The weekly update with its path to green, in one transaction.

    `plan`: cause, expected_green_date, confidence, note (empty when none); `new_actions`:
    recovery actions to add (title, owner_id, due_date); `done_actions`: {action id: version
    the form saw} of open recovery actions the PM marks done. A plan is required when the
    update's overall health is Red (Amber by the PMO's setting) and refused when incomplete.
    """
    settings = {**DEFAULT_SETTINGS, **settings}
    report_id = stage_status_report(
        report,
        session=session,
        actor=actor,
        expected_latest_report=expected_latest_report,
        today=today,
    )
    stored = fetch_row(session, StatusReport, report_id)
    project_id = stored["project_id"]
    still_open = set(_open_recovery_actions(session, project_id)) - set(done_actions)
    need = plan_need(stored["overall_rag"], settings["recovery_plan_amber"])
    problems = plan_problems(
        plan,
        new_actions,
        need=need,
        report_date=stored["report_date"],
        cause_list=causes(settings),
        open_actions=len(still_open),
    )
    if problems:
        session.rollback()
        raise ValidationFailed(problems)
    if plan_given(plan):
        values = validate(RecoveryPlanCreate, {**plan, "project_id": project_id}).model_dump()
        values |= {
            "status_report_id": report_id,
            "report_date": stored["report_date"],
            "author_id": actor.person_id,
        }
        insert_row(session, RecoveryPlan, values, actor=actor, project_id=project_id)
    for action in new_actions:
        row = validate(
            ActionCreate,
            {**action, "project_id": project_id, "origin": "recovery", "status": "open"},
        )
        insert_row(session, Action, row.model_dump(), actor=actor, project_id=project_id)
    for action_id, version in done_actions.items():
        update_row(
            session,
            Action,
            action_id,
            {"status": "done", "closed_on": stored["report_date"]},
            expected_version=version,
            schema=ActionBase,
            actor=actor,
            project_id=project_id,
        )
    commit(session)
    return report_id


def _asked_person(session: Session, project_id: int, asked_of: str) -> int | None:
    """Who an escalation lands with: the sponsor, the program's manager, or (the steering
    group) nobody in particular: the review takes it."""
    row = session.execute(
        sa.select(Project.sponsor_id, Program.manager_id)
        .join(Program, Program.id == Project.program_id)
        .where(Project.id == project_id)
    ).first()
    if row is None:
        return None
    return {"sponsor": row[0], "portfolio_manager": row[1]}.get(asked_of)


def raise_escalation(
    data: dict[str, Any], *, today: dt.date, session: Session, actor: Actor
) -> int:
    """A project's editor asks the sponsor, the portfolio manager or the steering group for
    something by a date, and says why; it is open until a review answers it."""
    extra: dict[str, str] = {}
    needed_by = data.get("needed_by")
    if isinstance(needed_by, dt.date) and needed_by < today:
        extra["needed_by"] = "cannot be in the past"
    try:
        escalation = validate(EscalationCreate, data)
    except ValidationFailed as exc:
        raise ValidationFailed({**exc.errors, **extra}) from exc
    if extra:
        raise ValidationFailed(extra)
    require_project_edit(
        session, actor, escalation.project_id, "raise an escalation", entity="escalation"
    )
    values = {
        **escalation.model_dump(),
        "asked_person_id": _asked_person(session, escalation.project_id, escalation.asked_of),
        "raised_by_id": actor.person_id,
        "raised_on": today,
        "status": "open",
    }
    new_id = insert_row(session, Escalation, values, actor=actor, project_id=escalation.project_id)
    commit(session)
    return new_id


def answer_escalation(
    escalation_id: int,
    decision: dict[str, Any],
    *,
    review_id: int,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> int:
    """Answer an open escalation in a review: the decision is recorded as the review's
    decisions are (a RAID item of kind 'decision') and the escalation points to it.

    The review's chair (PMO, portfolio manager) or the person it was asked of may answer.
    Returns the decision's id.
    """
    current = fetch_row(session, Escalation, escalation_id)
    if current["status"] != "open":
        raise WriteError("This escalation has already been answered.")
    if not (may_chair(actor) or actor.person_id == current["asked_person_id"]):
        refuse(
            session,
            actor,
            "answer this escalation",
            entity="escalation",
            entity_id=escalation_id,
            project_id=current["project_id"],
        )
    decision_id = stage_decision(
        {**decision, "project_id": current["project_id"]},
        review_id=review_id,
        session=session,
        actor=actor,
    )
    held_on = fetch_row(session, RaidItem, decision_id)["decided_on"]
    update_row(
        session,
        Escalation,
        escalation_id,
        {"status": "answered", "decision_id": decision_id, "answered_on": held_on},
        expected_version=expected_version,
        schema=EscalationBase,
        actor=actor,
        project_id=current["project_id"],
    )
    commit(session)
    return decision_id
