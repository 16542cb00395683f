"""Escalations: what a project manager asks of the sponsor, the portfolio manager or the
steering group, by when and why; listed for the next review and answered there with a
decision recorded like the review's other decisions. Writes follow the review's: keyword-only
`session=` and `actor=`, validation of every field at once, permission, audit, one commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from data_access.core.models import (
    Escalation,
    EscalationBase,
    EscalationCreate,
    Program,
    Project,
    RaidItem,
)
from data_access.core.permissions import refuse, require_project_edit
from data_access.core.writes import (
    Actor,
    ValidationFailed,
    WriteError,
    commit,
    fetch_row,
    insert_row,
    update_row,
    validate,
)
from data_access.meeting.reviews import may_chair, stage_decision


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
