"""Writes of the lessons-learned register, following data_access/core/writes.py: keyword-only
`session=` and `actor=`, a permission check, optimistic version, audit rows, one commit.

Anyone signed in but a viewer records a lesson and marks one useful or applied; the author or
a PMO admin edits it; only a PMO admin reviews it (accepts, merges into guidance, archives).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from data_access.core.lesson_models import (
    LESSON_STATES,
    MARK_KINDS,
    Lesson,
    LessonBase,
    LessonCreate,
    LessonMark,
    size_of,
)
from data_access.core.models import (
    Department,
    GateReview,
    LifecycleTemplate,
    Project,
    RaidItem,
    Risk,
)
from data_access.core.permissions import refuse, require_admin
from data_access.core.writes import (
    Actor,
    ValidationFailed,
    WriteError,
    audit,
    commit,
    committed,
    fetch_row,
    insert_row,
    update_row,
    validate,
)

# What a lesson's author may change; status and source belong to the review.
EDITABLE = (
    "title",
    "what_happened",
    "kind",
    "recommendation",
    "category",
    "phase",
    "department_id",
    "project_size",
    "tags",
)


def _may_record(actor: Actor) -> bool:
    return actor.role != "viewer" and (actor.person_id is not None or actor.role == "admin")


def _check_links(session: Session, values: dict[str, Any]) -> dict[str, str]:
    errors = {}
    for field, model in (
        ("project_id", Project),
        ("department_id", Department),
        ("gate_review_id", GateReview),
        ("risk_id", Risk),
        ("raid_item_id", RaidItem),
    ):
        row_id = values.get(field)
        row = session.get(model, row_id) if row_id is not None else None
        if row_id is not None and not row:
            errors[field] = "refers to a record that does not exist"
        elif (
            field in ("risk_id", "raid_item_id")
            and row
            and row.project_id != values.get("project_id")
        ):
            errors[field] = "belongs to another project than the lesson"
    return errors


def stage_lesson(data: dict[str, Any], *, on: dt.date, session: Session, actor: Actor) -> int:
    """`record_lesson` without the commit: closing a risk or RAID item writes the lesson it
    taught in the same transaction as the close."""
    if not _may_record(actor):
        refuse(session, actor, "record a lesson", entity="lesson", entity_id=None, project_id=None)
    values = {k: v for k, v in data.items() if k in LessonBase.model_fields}
    project = session.get(Project, values["project_id"]) if values.get("project_id") else None
    if project is not None:
        values.setdefault("department_id", project.department_id)
        values.setdefault("project_size", size_of(project.approved_budget))
        values.setdefault("phase", project.phase)
    values.update(status="draft", recorded_on=on, author_id=actor.person_id)
    values.update(guidance_template_id=None, guidance_phase=None)  # set by the merge only
    values.setdefault("source", "manual")
    valid = validate(LessonCreate, values)
    errors = _check_links(session, valid.model_dump())
    if errors:
        raise ValidationFailed(errors)
    new_id = insert_row(
        session,
        Lesson,
        valid.model_dump(),
        actor=actor,
        project_id=valid.project_id,
    )
    return new_id


record_lesson = committed(
    stage_lesson,
    "A new lesson (draft), linked to its project; department and size default to the "
    "project's own.",
)


def edit_lesson(
    lesson_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    """The author (or a PMO admin) corrects a lesson; a stale edit is refused."""
    current = fetch_row(session, Lesson, lesson_id)
    if actor.role != "admin" and (
        actor.person_id is None or actor.person_id != current["author_id"]
    ):
        refuse(
            session,
            actor,
            "edit someone else's lesson",
            entity="lesson",
            entity_id=lesson_id,
            project_id=current["project_id"],
        )
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed({k: "cannot be changed here" for k in sorted(unknown)})
    errors = _check_links(session, changes)
    if errors:
        raise ValidationFailed(errors)
    row = update_row(
        session,
        Lesson,
        lesson_id,
        changes,
        expected_version=expected_version,
        schema=LessonBase,
        actor=actor,
        project_id=current["project_id"],
    )
    commit(session)
    return row


def review_lesson(
    lesson_id: int,
    status: str,
    *,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    """The PMO's review: draft, accepted, merged into guidance, archived."""
    require_admin(session, actor, "review a lesson", entity="lesson", entity_id=lesson_id)
    if status not in LESSON_STATES:
        raise ValidationFailed({"status": f"must be one of: {', '.join(LESSON_STATES)}"})
    current = fetch_row(session, Lesson, lesson_id)
    row = update_row(
        session,
        Lesson,
        lesson_id,
        {"status": status},
        expected_version=expected_version,
        schema=LessonBase,
        actor=actor,
        project_id=current["project_id"],
    )
    commit(session)
    return row


def stage_merged_into_guidance(
    lesson_id: int,
    *,
    template_id: int,
    phase: str,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    """The PMO turned the lesson into a phase's guidance: "merged", with the link to the
    template revision that change made and the phase. Staged: committed with the revision."""
    require_admin(
        session, actor, "merge a lesson into guidance", entity="lesson", entity_id=lesson_id
    )
    template = session.get(LifecycleTemplate, template_id)
    if template is None or phase not in [p["name"] for p in template.phases]:
        raise ValidationFailed({"phase": "choose a phase of the template"})
    current = fetch_row(session, Lesson, lesson_id)
    return update_row(
        session,
        Lesson,
        lesson_id,
        {"status": "merged", "guidance_template_id": template_id, "guidance_phase": phase},
        expected_version=expected_version,
        schema=LessonBase,
        actor=actor,
        project_id=current["project_id"],
    )


def mark_lesson(
    lesson_id: int,
    kind: str,
    *,
    project_id: int | None,
    on: dt.date,
    session: Session,
    actor: Actor,
) -> bool:
    """A person marks a lesson useful or applied; marking twice is a no-op (returns False)."""
    if kind not in MARK_KINDS:
        raise ValidationFailed({"kind": f"must be one of: {', '.join(MARK_KINDS)}"})
    if not _may_record(actor) or actor.person_id is None:
        refuse(
            session,
            actor,
            f"mark a lesson {kind}",
            entity="lesson_mark",
            entity_id=lesson_id,
            project_id=project_id,
        )
    lesson = fetch_row(session, Lesson, lesson_id)
    if lesson["status"] == "archived":
        raise WriteError("This lesson is archived: it can no longer be marked.")
    already = session.execute(
        sa.select(LessonMark.id).where(
            LessonMark.lesson_id == lesson_id,
            LessonMark.person_id == actor.person_id,
            LessonMark.kind == kind,
        )
    ).first()
    if already:
        return False
    values = {
        "lesson_id": lesson_id,
        "person_id": actor.person_id,
        "project_id": project_id,
        "kind": kind,
        "marked_on": on,
    }
    mark_id = session.execute(
        sa.insert(LessonMark.__table__).values(**values).returning(LessonMark.id)
    ).scalar_one()
    audit(
        session,
        actor=actor,
        action="create",
        entity="lesson_mark",
        entity_id=mark_id,
        project_id=project_id,
        after={**values, "marked_on": on.isoformat()},
    )
    commit(session)
    return True
