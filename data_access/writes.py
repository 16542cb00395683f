"""The one way data is changed: validated, permission-checked, versioned and audited.

Every write function takes keyword-only `session=` and `actor=`, does all its work in that
session's transaction (the row, its history row, its audit row, the data-version bump) and
commits once at the end, so nothing half-written is ever visible.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pydantic
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from data_access.db import bump_data_version
from data_access.models import AuditLog, utcnow

# --- who is writing ---------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """The signed-in person as plain values (safe to keep in session state)."""

    person_id: int | None
    name: str
    role: str


SYSTEM = Actor(person_id=None, name="system", role="admin")


# --- errors the interface shows in words -------------------------------------------------


class WriteError(Exception):
    """Base of every refusal a user can be told about."""


class ValidationFailed(WriteError):
    """Input broke a rule. `errors` maps each field (or "" for the record) to plain words."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))


class ConflictError(WriteError):
    """Someone saved the record after this user loaded it. `current` is the record as it is now."""

    def __init__(self, entity: str, entity_id: int, current: dict[str, Any]):
        self.entity, self.entity_id, self.current = entity, entity_id, current
        by = current.get("_changed_by") or "someone else"
        super().__init__(
            f"This {entity.replace('_', ' ')} was changed by {by} since you opened it "
            f"(now version {current.get('version')}). Review the current values and save again."
        )


class NotFound(WriteError):
    pass


class PermissionDenied(WriteError):
    pass


def messages_from(exc: pydantic.ValidationError) -> dict[str, str]:
    """Pydantic errors as {field: plain message}, all of them at once."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
        message = err.get("msg", "is not valid").removeprefix("Value error, ")
        errors.setdefault(field, message)
    return errors


def validate(schema: type[SQLModel], data: dict[str, Any]) -> SQLModel:
    """Validate `data` against `schema`, rejecting NaN and infinities that pydantic lets through."""
    bad = {
        k: "must be a finite number"
        for k, v in data.items()
        if isinstance(v, float) and not math.isfinite(v)
    }
    try:
        model = schema.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValidationFailed({**messages_from(exc), **bad}) from exc
    if bad:
        raise ValidationFailed(bad)
    return model


# --- audit ------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def row_dict(row: Any) -> dict[str, Any]:
    mapping = row._mapping if hasattr(row, "_mapping") else row
    return {k: _jsonable(v) for k, v in dict(mapping).items()}


def audit(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    project_id: int | None,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    session.add(
        AuditLog(
            actor_id=actor.person_id,
            actor_name=actor.name,
            action=action,
            entity=entity,
            entity_id=entity_id,
            project_id=project_id,
            before=before,
            after=after,
        )
    )


# --- generic row operations used by the entity write functions ---------------------------


def fetch_row(session: Session, model: type[SQLModel], row_id: int) -> dict[str, Any]:
    table = model.__table__
    row = session.execute(sa.select(table).where(table.c.id == row_id)).first()
    if row is None:
        raise NotFound(f"{table.name.replace('_', ' ')} {row_id} does not exist")
    return dict(row._mapping)


def insert_row(
    session: Session, model: type[SQLModel], values: dict[str, Any], *, actor: Actor, project_id
) -> int:
    """Insert one row of an editable or history table and audit it; returns the new id."""
    table = model.__table__
    if "created_at" in table.c:
        values = {"created_at": utcnow(), **values}
    if "updated_at" in table.c:
        values = {"updated_at": utcnow(), **values}
    new_id = session.execute(sa.insert(table).values(**values).returning(table.c.id)).scalar_one()
    audit(
        session,
        actor=actor,
        action="create",
        entity=table.name,
        entity_id=new_id,
        # A project files its own creation under itself; other rows without a project
        # (people, absences, reviews) are filed under none.
        project_id=new_id if project_id is None and table.name == "project" else project_id,
        after=row_dict({k: v for k, v in values.items() if k not in ("created_at", "updated_at")}),
    )
    return new_id


def update_row(
    session: Session,
    model: type[SQLModel],
    row_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int,
    schema: type[SQLModel],
    actor: Actor,
    project_id: int | None,
) -> dict[str, Any]:
    """Apply `changes` if nobody saved the row since `expected_version`; returns the new row.

    The merged record is validated as a whole through `schema`, so a change that breaks a
    cross-field rule (finish before start) is refused like a bad single field.
    """
    table = model.__table__
    current = fetch_row(session, model, row_id)
    if current["version"] != expected_version:
        raise ConflictError(table.name, row_id, _with_last_editor(session, table.name, current))
    user_fields = set(schema.model_fields)
    merged = {k: v for k, v in {**current, **changes}.items() if k in user_fields}
    validate(schema, merged)
    changed = {k: v for k, v in changes.items() if current.get(k) != v}
    if not changed:
        return current
    result = session.execute(
        sa.update(table)
        .where(table.c.id == row_id, table.c.version == expected_version)
        .values(**changed, version=expected_version + 1, updated_at=utcnow())
    )
    if result.rowcount != 1:  # someone committed between our read and our write
        session.rollback()
        raise ConflictError(
            table.name,
            row_id,
            _with_last_editor(session, table.name, fetch_row(session, model, row_id)),
        )
    audit(
        session,
        actor=actor,
        action="update",
        entity=table.name,
        entity_id=row_id,
        project_id=project_id,
        before=row_dict({k: current.get(k) for k in changed}),
        after=row_dict(changed),
    )
    return {**current, **changed, "version": expected_version + 1}


def _with_last_editor(session: Session, entity: str, current: dict) -> dict:
    name = session.execute(
        sa.select(AuditLog.actor_name)
        .where(AuditLog.entity == entity, AuditLog.entity_id == current["id"])
        .order_by(AuditLog.id.desc())
        .limit(1)
    ).scalar()
    return {**row_dict(current), "_changed_by": name}


def commit(session: Session) -> None:
    """Bump the data version and commit; a constraint the checks missed becomes a refusal."""
    bump_data_version(session)
    try:
        session.commit()
    except sa.exc.IntegrityError as exc:
        session.rollback()
        raise ValidationFailed({"": _constraint_message(exc)}) from exc


def _constraint_message(exc: sa.exc.IntegrityError) -> str:
    text = str(exc.orig).lower()
    if "unique" in text or "duplicate" in text:
        return "A record with the same unique value (code, name or e-mail) already exists."
    if "foreign key" in text:
        return "It refers to a record that does not exist (or is still referred to)."
    if "check" in text:
        return "A value is outside what the database accepts (range, choice or date order)."
    if "not null" in text or "null value" in text:
        return "A required value is missing."
    return "The database refused the change."
