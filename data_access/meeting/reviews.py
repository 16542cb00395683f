"""Portfolio reviews: the dated meeting record, decisions taken in it and actions with owners.

Writes follow data_access/updates/commands.py: keyword-only `session=` and `actor=`, validation
through the model schema (all problems at once), a permission check, audited rows, one commit.

Who may write: a review is chaired by the PMO (admin) or a portfolio manager, who may record
decisions and actions against any project on screen; a project's own editors (its manager)
may record against their project and close its actions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from data_access.core.db import read_df
from data_access.core.models import (
    Action,
    ActionBase,
    ActionCreate,
    Person,
    RaidItem,
    RaidItemCreate,
    Review,
    ReviewCreate,
)
from data_access.core.permissions import may_edit_project, refuse
from data_access.core.sql import as_dates
from data_access.core.writes import (
    Actor,
    ValidationFailed,
    WriteError,
    commit,
    committed,
    fetch_row,
    insert_row,
    update_row,
    validate,
)

CHAIR_ROLES = ("admin", "portfolio_manager")


def may_chair(actor: Actor) -> bool:
    return actor.role in CHAIR_ROLES and (actor.role == "admin" or actor.person_id is not None)


def _require_chair_or_editor(
    session: Session, actor: Actor, project_id: int | None, what: str, *, entity: str, entity_id
) -> None:
    if may_chair(actor):
        return
    if project_id is not None and may_edit_project(session, actor, project_id):
        return
    refuse(session, actor, what, entity=entity, entity_id=entity_id, project_id=project_id)


def _validate_all(schema, data: dict[str, Any], extra: dict[str, str]):
    """Schema problems and the meeting's own rules, reported together."""
    try:
        model = validate(schema, data)
    except ValidationFailed as exc:
        raise ValidationFailed({**exc.errors, **extra}) from exc
    if extra:
        raise ValidationFailed(extra)
    return model


def _person_exists(session: Session, person_id: int | None) -> bool:
    found = session.execute(sa.select(Person.id).where(Person.id == person_id)).first()
    return person_id is not None and found is not None


def _review(session: Session, review_id: int) -> dict[str, Any]:
    return fetch_row(session, Review, review_id)


# --- writes -----------------------------------------------------------------------------


def create_review(data: dict[str, Any], *, session: Session, actor: Actor) -> int:
    """Start a review: a dated record that decisions and actions are recorded against."""
    review = validate(ReviewCreate, data)
    if not may_chair(actor):
        refuse(session, actor, "start a review", entity="review", entity_id=None, project_id=None)
    values = {**review.model_dump(), "created_by_id": actor.person_id}
    new_id = insert_row(session, Review, values, actor=actor, project_id=None)
    commit(session)
    return new_id


def stage_decision(data: dict[str, Any], *, review_id: int, session: Session, actor: Actor) -> int:
    """A decision taken in the review about a project: a RAID item of kind 'decision', not
    yet committed (answering an escalation commits it with the answer).

    The decision is taken, so it is recorded closed, dated the review day.
    """
    review = _review(session, review_id)
    held_on = review["held_on"]
    values = {
        **data,
        "kind": "decision",
        "review_id": review_id,
        "decided_on": held_on,
        "status": "closed",
    }
    extra = {} if data.get("project_id") else {"project_id": "choose the project it concerns"}
    decision = _validate_all(RaidItemCreate, values, extra)
    _require_chair_or_editor(
        session, actor, decision.project_id, "record a decision", entity="raid_item", entity_id=None
    )
    row = {**decision.model_dump(), "raised_on": held_on, "closed_on": held_on}
    return insert_row(session, RaidItem, row, actor=actor, project_id=decision.project_id)


record_decision = committed(stage_decision, "Record a decision or action taken in a review.")


def create_action(data: dict[str, Any], *, review_id: int, session: Session, actor: Actor) -> int:
    """An action agreed in the review, with an owner and a due date; open until closed."""
    review = _review(session, review_id)
    extra: dict[str, str] = {}
    if not _person_exists(session, data.get("owner_id")):
        extra["owner_id"] = "choose who owns the action"
    due = data.get("due_date")
    if due is None:
        extra["due_date"] = "give a due date"
    elif isinstance(due, dt.date) and due < review["held_on"]:
        extra["due_date"] = "the due date cannot be before the review"
    values = {**data, "review_id": review_id, "status": "open"}
    action = _validate_all(ActionCreate, values, extra)
    _require_chair_or_editor(
        session, actor, action.project_id, "record an action", entity="action", entity_id=None
    )
    new_id = insert_row(
        session, Action, action.model_dump(), actor=actor, project_id=action.project_id
    )
    commit(session)
    return new_id


def close_action(
    action_id: int,
    *,
    closed_on: dt.date,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    """Mark an action done; it leaves the open actions shown at the next review."""
    current = fetch_row(session, Action, action_id)
    if current["status"] == "done":
        raise WriteError("This action is already closed.")
    allowed = may_chair(actor) or actor.person_id == current["owner_id"]
    if not allowed:
        _require_chair_or_editor(
            session,
            actor,
            current["project_id"],
            "close this action",
            entity="action",
            entity_id=action_id,
        )
    row = update_row(
        session,
        Action,
        action_id,
        {"status": "done", "closed_on": closed_on},
        expected_version=expected_version,
        schema=ActionBase,
        actor=actor,
        project_id=current["project_id"],
    )
    commit(session)
    return row


# --- reads ------------------------------------------------------------------------------

REVIEWS_SQL = """
SELECT r.id, r.title, r.held_on, r.notes, pr.name AS created_by,
       (SELECT COUNT(*) FROM raid_item d WHERE d.review_id = r.id AND d.kind = 'decision')
           AS decisions,
       (SELECT COUNT(*) FROM action a WHERE a.review_id = r.id) AS actions
FROM review r LEFT JOIN person pr ON pr.id = r.created_by_id
ORDER BY r.held_on DESC, r.id DESC
"""


def reviews(url: str | None = None) -> pd.DataFrame:
    """Every review, latest first, with how many decisions and actions it recorded."""
    return as_dates(read_df(REVIEWS_SQL, url=url), ("held_on",))


DECISIONS_SQL = """
SELECT d.id, d.project_id, p.code, p.name AS project, d.title, d.description, d.decided_on,
       o.name AS owner
FROM raid_item d
JOIN project p ON p.id = d.project_id
LEFT JOIN person o ON o.id = d.owner_id
WHERE d.kind = 'decision' AND d.review_id = :review_id
ORDER BY d.id
"""


def review_decisions(review_id: int, url: str | None = None) -> pd.DataFrame:
    return as_dates(read_df(DECISIONS_SQL, {"review_id": review_id}, url=url), ("decided_on",))


# Open actions from every review stay on the slides until closed; actions of this review show
# even when already done, so the record of the meeting is complete. Recovery actions have their
# own place: the project's path-to-green slide.
ACTIONS_SQL = """
SELECT a.id, a.project_id, p.code, p.name AS project, a.title, a.owner_id, o.name AS owner,
       a.due_date, a.status, a.closed_on, a.version, a.review_id, r.title AS review,
       r.held_on AS review_held_on
FROM action a
LEFT JOIN project p ON p.id = a.project_id
LEFT JOIN person o ON o.id = a.owner_id
LEFT JOIN review r ON r.id = a.review_id
WHERE a.origin = 'review' AND (a.status = 'open' OR a.review_id = :review_id)
ORDER BY CASE WHEN a.status = 'open' THEN 0 ELSE 1 END, a.due_date, a.id
"""


def review_actions(review_id: int | None, url: str | None = None) -> pd.DataFrame:
    """Open actions of every review, and the actions recorded in this one (`None`: open only)."""
    df = read_df(ACTIONS_SQL, {"review_id": review_id if review_id is not None else -1}, url=url)
    return as_dates(df, ("due_date", "closed_on", "review_held_on"))


def people(url: str | None = None) -> pd.DataFrame:
    """Active people who can own an action, by name."""
    return read_df(
        sa.select(Person.id, Person.name).where(Person.active.is_(True)).order_by(Person.name),
        url=url,
    )
