"""Writes of training and competence, following data_access/core/writes.py: keyword-only
`session=` and `actor=`, a permission check, optimistic version, audit rows, one commit.

A PMO admin keeps the catalogue and the competence rule and records anyone's training. A person
(not a viewer) may record, correct and remove their own completions: they know first that they
passed, every change is audited with their name, and the PMO corrects what is wrong; a gap is a
warning, never a block, so a false entry gains nothing the PMO cannot see. One record per person
and course (the table's constraint): a renewal changes that record's dates.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from data_access.core.models import AuditLog, Person
from data_access.core.permissions import refuse, require_admin
from data_access.core.training_models import (
    RULE_CLASSES,
    CompetenceRule,
    Course,
    CourseBase,
    TrainingRecord,
    TrainingRecordBase,
)
from data_access.core.writes import (
    Actor,
    ConflictError,
    ValidationFailed,
    WriteError,
    audit,
    commit,
    delete_row,
    fetch_row,
    insert_row,
    update_row,
    validate,
    with_last_editor,
)

RECORD_FIELDS = tuple(TrainingRecordBase.model_fields)


# --- the catalogue (PMO admin) ----------------------------------------------------------------


def _unique_course(session: Session, name: str, course_id: int | None = None) -> None:
    """Names compared without case, so "PMP" and "pmp" are one course on both databases."""
    taken = session.execute(
        sa.select(Course.id).where(
            sa.func.lower(Course.name) == name.lower(), Course.id != (course_id or 0)
        )
    ).first()
    if taken:
        raise ValidationFailed({"name": "another course already has this name"})


def add_course(data: dict[str, Any], *, session: Session, actor: Actor) -> int:
    require_admin(session, actor, "add a course", entity="course")
    course = validate(CourseBase, data)
    _unique_course(session, course.name)
    new_id = insert_row(session, Course, course.model_dump(), actor=actor, project_id=None)
    commit(session)
    return new_id


def edit_course(
    course_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    """A changed validity applies to completions recorded from now on; recorded expiries stay."""
    require_admin(session, actor, "edit a course", entity="course", entity_id=course_id)
    unknown = set(changes) - set(CourseBase.model_fields)
    if unknown:
        raise ValidationFailed({k: "cannot be changed here" for k in sorted(unknown)})
    if isinstance(changes.get("name"), str):
        _unique_course(session, changes["name"].strip(), course_id)
    row = update_row(
        session,
        Course,
        course_id,
        changes,
        expected_version=expected_version,
        schema=CourseBase,
        actor=actor,
        project_id=None,
    )
    commit(session)
    return row


def retire_course(course_id: int, *, expected_version: int, session: Session, actor: Actor):
    """Take a course out of the catalogue and out of the competence rule. Refused while someone
    holds it: deleting it would erase their history (renaming it "(retired)" keeps it)."""
    require_admin(session, actor, "retire a course", entity="course", entity_id=course_id)
    current = fetch_row(session, Course, course_id)
    if current["version"] != expected_version:
        raise ConflictError("course", course_id, with_last_editor(session, "course", current))
    held = session.execute(
        sa.select(sa.func.count()).where(TrainingRecord.course_id == course_id)
    ).scalar_one()
    if held:
        raise WriteError(
            f"{held} training record{'s' if held > 1 else ''} refer to this course: remove "
            "them first, or keep the course (rename it if it is no longer offered)."
        )
    rules = session.execute(
        sa.select(CompetenceRule.id, CompetenceRule.applies_to).where(
            CompetenceRule.course_id == course_id
        )
    ).all()
    for rule_id, applies_to in rules:
        session.execute(sa.delete(CompetenceRule).where(CompetenceRule.id == rule_id))
        audit(
            session,
            actor=actor,
            action="delete",
            entity="competence_rule",
            entity_id=rule_id,
            project_id=None,
            before={"applies_to": applies_to, "course_id": course_id},
        )
    delete_row(
        session,
        Course,
        course_id,
        expected_version=expected_version,
        actor=actor,
        project_id=None,
    )
    commit(session)


# --- training records (the PMO, or the person for their own) ------------------------------


def _may_write_for(actor: Actor, person_id: Any) -> bool:
    if actor.role == "admin":
        return True
    return actor.role != "viewer" and actor.person_id is not None and person_id == actor.person_id


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def _checked_record(
    session: Session, values: dict[str, Any], on: dt.date, record_id: int | None = None
) -> dict[str, Any]:
    """The record's fields validated, with every problem at once, each under its field:
    completion not after `on`, expiry after completion, person and course existing, one record
    per person and course."""
    try:
        valid = validate(TrainingRecordBase, values).model_dump()
        errors: dict[str, str] = {}
    except ValidationFailed as exc:
        valid, errors = values, dict(exc.errors)
    done, expires = valid.get("completed_on"), valid.get("expires_on")
    if isinstance(done, dt.date) and "completed_on" not in errors and done > on:
        errors["completed_on"] = f"must not be in the future (today is {on:%d %b %Y})"
    if isinstance(done, dt.date) and isinstance(expires, dt.date) and expires <= done:
        errors.pop("", None)  # the model's order rule, said here under its field
        errors["expires_on"] = "must be after the completion date"
    person_id, course_id = valid.get("person_id"), valid.get("course_id")
    known = isinstance(person_id, int) and session.get(Person, person_id) is not None
    if isinstance(person_id, int) and "person_id" not in errors and not known:
        errors["person_id"] = "refers to a person who does not exist"
    if isinstance(course_id, int) and "course_id" not in errors:
        if session.get(Course, course_id) is None:
            errors["course_id"] = "refers to a course that does not exist"
        elif isinstance(person_id, int):
            other = session.execute(
                sa.select(TrainingRecord.completed_on).where(
                    TrainingRecord.person_id == person_id,
                    TrainingRecord.course_id == course_id,
                    TrainingRecord.id != (record_id or 0),
                )
            ).scalar()
            if other is not None:
                errors["course_id"] = (
                    f"is already recorded for this person (completed {other:%d %b %Y}): "
                    "change that record's dates to renew it"
                )
    if errors:
        raise ValidationFailed(errors)
    return valid


def record_training(data: dict[str, Any], *, on: dt.date, session: Session, actor: Actor) -> int:
    """A completed course. Without an expiry, one follows from the course's validity (none for
    a course that never expires)."""
    values = {k: data.get(k) for k in RECORD_FIELDS}
    if not _may_write_for(actor, values["person_id"]):
        refuse(
            session,
            actor,
            "record someone else's training",
            entity="training_record",
            entity_id=None,
            project_id=None,
        )
    course = session.get(Course, values["course_id"]) if values["course_id"] else None
    months, done = course.valid_months if course else None, values["completed_on"]
    if values["expires_on"] is None and months and isinstance(done, dt.date):
        values["expires_on"] = add_months(done, months)
    valid = _checked_record(session, values, on)
    new_id = insert_row(session, TrainingRecord, valid, actor=actor, project_id=None)
    commit(session)
    return new_id


def _record_for_change(session: Session, record_id: int, actor: Actor, what: str) -> dict:
    current = fetch_row(session, TrainingRecord, record_id)
    if not _may_write_for(actor, current["person_id"]):
        refuse(
            session,
            actor,
            f"{what} someone else's training",
            entity="training_record",
            entity_id=record_id,
            project_id=None,
        )
    return current


def edit_training(
    record_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int,
    on: dt.date,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    """Correct a record or renew it (new dates); moving it to another person is the PMO's."""
    current = _record_for_change(session, record_id, actor, "change")
    unknown = set(changes) - set(RECORD_FIELDS)
    if unknown:
        raise ValidationFailed({k: "cannot be changed here" for k in sorted(unknown)})
    if not _may_write_for(actor, changes.get("person_id", current["person_id"])):
        raise ValidationFailed({"person_id": "only the PMO records training for someone else"})
    if current["version"] != expected_version:  # before judging fields against old values
        raise ConflictError(
            "training_record", record_id, with_last_editor(session, "training_record", current)
        )
    merged = {k: current[k] for k in RECORD_FIELDS} | changes
    _checked_record(session, merged, on, record_id)
    row = update_row(
        session,
        TrainingRecord,
        record_id,
        changes,
        expected_version=expected_version,
        schema=TrainingRecordBase,
        actor=actor,
        project_id=None,
    )
    commit(session)
    return row


def delete_training(record_id: int, *, expected_version: int, session: Session, actor: Actor):
    _record_for_change(session, record_id, actor, "remove")
    delete_row(
        session,
        TrainingRecord,
        record_id,
        expected_version=expected_version,
        actor=actor,
        project_id=None,
    )
    commit(session)


# --- the competence rule (PMO admin) ------------------------------------------------------


def required_ids(session: Session, applies_to: str) -> list[int]:
    return sorted(
        session.execute(
            sa.select(CompetenceRule.course_id).where(CompetenceRule.applies_to == applies_to)
        ).scalars()
    )


def set_required_courses(
    applies_to: str,
    course_ids: Sequence[int],
    *,
    expected: Sequence[int],
    session: Session,
    actor: Actor,
) -> list[int]:
    """The courses a manager of a project of this size or risk level (`RULE_CLASSES`) must
    hold. `expected` is the list the form showed: the rule's content is its version, so a stale
    save is refused."""
    require_admin(session, actor, "change the competence rule", entity="competence_rule")
    if applies_to not in RULE_CLASSES:
        raise ValidationFailed({"applies_to": f"must be one of: {', '.join(RULE_CLASSES)}"})
    wanted = sorted({int(c) for c in course_ids})
    known = set(session.execute(sa.select(Course.id).where(Course.id.in_(wanted))).scalars())
    if set(wanted) - known:
        raise ValidationFailed({"course_ids": "refers to a course that does not exist"})
    current = required_ids(session, applies_to)
    if current != sorted(int(c) for c in expected):
        by = session.execute(
            sa.select(AuditLog.actor_name)
            .where(AuditLog.entity == "competence_rule")
            .order_by(AuditLog.id.desc())
            .limit(1)
        ).scalar()
        raise ConflictError(
            "competence_rule", 0, {"course_ids": current, "version": current, "_changed_by": by}
        )
    if wanted == current:
        return current
    table = CompetenceRule.__table__
    session.execute(
        sa.delete(table).where(table.c.applies_to == applies_to, table.c.course_id.not_in(wanted))
    )
    for course_id in sorted(set(wanted) - set(current)):
        session.execute(sa.insert(table).values(applies_to=applies_to, course_id=course_id))
    audit(
        session,
        actor=actor,
        action="update",
        entity="competence_rule",
        entity_id=None,
        project_id=None,
        before={"applies_to": applies_to, "course_ids": current},
        after={"applies_to": applies_to, "course_ids": wanted},
    )
    commit(session)
    return wanted
