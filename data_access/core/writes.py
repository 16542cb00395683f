"""The one way data is changed: validated, permission-checked, versioned and audited.

Every write function takes keyword-only `session=` and `actor=`, does all its work in that
session's transaction (the row, its history row, its audit row, the data-version bump) and
commits once at the end, so nothing half-written is ever visible.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pydantic
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from data_access.core.db import bump_data_version, for_projects
from data_access.core.models import TEXT_MAX, AuditLog, utcnow

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


def _number(value: Any) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def _plain(err: dict) -> str:
    """A pydantic error in the words a project manager uses."""
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "is required"
    if err.get("input") is None and kind.endswith("_type"):  # an empty widget sends None
        return "is required"
    if kind == "string_too_short":
        return f"needs at least {ctx['min_length']} characters"
    if kind == "string_too_long":
        typed = err.get("input")
        extra = f" (this one has {len(typed):,})" if isinstance(typed, str) else ""
        return f"must be at most {ctx['max_length']:,} characters{extra}"
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "less_than_equal": ("at most", "le"),
        "greater_than": ("more than", "gt"),
        "less_than": ("less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"must be {words} {_number(ctx[key])}"
    if kind.startswith("int_"):
        return "must be a whole number"
    if kind.startswith("float_") or kind == "finite_number":
        return "must be a number"
    if kind.startswith("date"):
        return "must be a date such as 2026-11-25"
    if kind.startswith("bool"):
        return "must be yes or no"
    if kind.startswith("string"):
        return "must be text"
    return err.get("msg", "is not valid").removeprefix("Value error, ")


def messages_from(exc: pydantic.ValidationError) -> dict[str, str]:
    """Pydantic errors as {field: plain message}, all of them at once."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
        errors.setdefault(field, _plain(err))
    return errors


def _record_rule_errors(schema: type[SQLModel], data: dict[str, Any], failed: set[str]):
    """Cross-field rules checked on the fields that passed.

    Pydantic skips a model's "after" rules once any field fails, so a form would reveal
    "finish before start" only after the user fixed an unrelated empty name. Running the
    rules on the valid fields shows every problem at once. A rule that needs a failed
    field cannot be judged and is skipped.
    """
    values = {}
    for name, info in schema.model_fields.items():
        if name in data and name not in failed:
            try:
                values[name] = pydantic.TypeAdapter(info.annotation).validate_python(data[name])
            except pydantic.ValidationError:
                continue
    candidate = schema.model_construct(**values)
    for decorator in schema.__pydantic_decorators__.model_validators.values():
        if decorator.info.mode != "after":
            continue
        try:
            decorator.func(candidate)
        except ValueError as exc:
            return {"": str(exc)}
        except Exception:  # a rule reading a missing (failed) field cannot be judged
            continue
    return {}


def _unstorable(data: dict[str, Any]) -> dict[str, str]:
    """Values pydantic lets through that the databases cannot store alike: NaN, infinities,
    NUL characters and lone surrogates, integers beyond 64 bits."""
    bad = {}
    for key, value in data.items():
        if isinstance(value, float) and not math.isfinite(value):
            bad[key] = "must be a finite number"
        elif isinstance(value, int) and not -(2**63) <= value < 2**63:
            bad[key] = "is too large a number"
        elif isinstance(value, str) and "\x00" in value:
            bad[key] = "contains an invisible NUL character that cannot be stored"
        elif isinstance(value, str) and not _is_utf8(value):
            bad[key] = "contains broken characters (lone surrogates) that cannot be stored"
    return bad


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_text(field: str, value: str, max_length: int = TEXT_MAX) -> None:
    """A free-text argument that has no schema of its own (a reason, a note)."""
    problems = _unstorable({field: value})
    if len(value) > max_length:
        problems[field] = f"must be at most {max_length:,} characters (this one has {len(value):,})"
    if problems:
        raise ValidationFailed(problems)


def validate(schema: type[SQLModel], data: dict[str, Any]) -> SQLModel:
    """Validate `data` against `schema`; every problem is reported at once, in plain words."""
    bad = _unstorable(data)
    try:
        model = schema.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = messages_from(exc)
        if "" not in errors:
            errors.update(_record_rule_errors(schema, data, set(errors) | set(bad)))
        raise ValidationFailed({**errors, **bad}) from exc
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
    new_id = _execute(session, sa.insert(table).values(**values).returning(table.c.id)).scalar_one()
    audit(
        session,
        actor=actor,
        action="create",
        entity=table.name,
        entity_id=new_id,
        # A new project is its own project; people, programs and settings belong to none.
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
        raise ConflictError(table.name, row_id, with_last_editor(session, table.name, current))
    user_fields = set(schema.model_fields)
    merged = {k: v for k, v in {**current, **changes}.items() if k in user_fields}
    valid = validate(schema, merged)
    # Store what validation made of the input (stripped text, parsed dates), not the raw input.
    changes = {k: getattr(valid, k) if k in user_fields else v for k, v in changes.items()}
    changed = {k: v for k, v in changes.items() if current.get(k) != v}
    if not changed:
        return current
    with _writing_row(session, table.name, row_id, current, changed):
        result = _execute(
            session,
            sa.update(table)
            .where(table.c.id == row_id, table.c.version == expected_version)
            .values(**changed, version=expected_version + 1, updated_at=utcnow()),
        )
    if result.rowcount != 1:  # someone committed between our read and our write
        session.rollback()
        raise ConflictError(
            table.name,
            row_id,
            with_last_editor(session, table.name, fetch_row(session, model, row_id)),
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


def delete_row(
    session: Session, model, row_id: int, *, expected_version: int, actor: Actor, project_id
) -> dict[str, Any]:
    """Delete a row if nobody changed it since `expected_version`, keeping it in the audit."""
    table = model.__table__
    current = fetch_row(session, model, row_id)
    if current["version"] != expected_version:
        raise ConflictError(table.name, row_id, with_last_editor(session, table.name, current))
    with _writing_row(session, table.name, row_id, current, {}):
        result = session.execute(
            sa.delete(table).where(table.c.id == row_id, table.c.version == expected_version)
        )
    if result.rowcount != 1:
        session.rollback()
        raise ConflictError(table.name, row_id, {"id": row_id, "version": None})
    audit(
        session,
        actor=actor,
        action="delete",
        entity=table.name,
        entity_id=row_id,
        project_id=project_id,
        before=row_dict(
            {k: v for k, v in current.items() if k not in ("created_at", "updated_at")}
        ),
    )
    return current


@contextmanager
def _writing_row(session: Session, table: str, row_id: int, current: dict, changed: dict):
    """The block writes this row only: its statements change the projects the row touches
    (read from the row, not from the caller): a project itself, else the project it belongs
    to and, if it moves, the one it moves to."""
    session.flush()  # other pending writes say their own projects, outside the block
    owner = current.get("project_id")
    projects = {row_id} if table == "project" else {owner, changed.get("project_id", owner)}
    with for_projects(*projects):
        yield


def with_last_editor(session: Session, entity: str, current: dict) -> dict:
    name = session.execute(
        sa.select(AuditLog.actor_name)
        .where(AuditLog.entity == entity, AuditLog.entity_id == current["id"])
        .order_by(AuditLog.id.desc())
        .limit(1)
    ).scalar()
    return {**row_dict(current), "_changed_by": name}


def _execute(session: Session, statement):
    """Run a write statement; a constraint the checks missed becomes a refusal in words.

    PostgreSQL checks unique and foreign keys when the statement runs, not at commit, so the
    refusal must be caught here too (and the aborted transaction rolled back).
    """
    try:
        return session.execute(statement)
    except (sa.exc.IntegrityError, sa.exc.DataError) as exc:
        session.rollback()
        raise ValidationFailed(_constraint_errors(exc)) from exc


def committed(stage: Callable[..., Any], doc: str) -> Callable[..., Any]:
    """The write `stage`, which leaves its transaction open so that a larger one can hold it
    (an import, a close with its lesson), as a write of its own: the same arguments, then the
    commit."""

    @functools.wraps(stage)
    def write(*args: Any, session: Session, **kwargs: Any) -> Any:
        result = stage(*args, session=session, **kwargs)
        commit(session)
        return result

    write.__doc__ = doc
    return write


def commit(session: Session) -> None:
    """Bump the data versions and commit; a constraint the checks missed becomes a refusal."""
    try:
        bump_data_version(session)  # flushes the pending writes first
        session.commit()
    except (sa.exc.IntegrityError, sa.exc.DataError) as exc:
        session.rollback()
        raise ValidationFailed(_constraint_errors(exc)) from exc


def _constraint_errors(exc: sa.exc.DBAPIError) -> dict[str, str]:
    """{field: words} when the database names the column (SQLite and PostgreSQL do for unique
    and PostgreSQL for foreign keys), else {"": words}."""
    text = str(exc.orig)
    lower = text.lower()
    column = re.search(r"key \((\w+)\)=|unique constraint failed: \w+\.(\w+)", lower)
    field = next((g for g in column.groups() if g), "") if column else ""
    if "unique" in lower or "duplicate" in lower:
        message = (
            "is already used by another record"
            if field
            else ("A record with the same unique value (code, name or e-mail) already exists.")
        )
    elif "foreign key" in lower:
        message = (
            "refers to a record that does not exist"
            if field
            else ("It refers to a record that does not exist (or is still referred to).")
        )
    elif "check" in lower:
        field, message = (
            "",
            "A value is outside what the database accepts (range, choice or order).",
        )
    elif "not null" in lower or "null value" in lower:
        field, message = "", "A required value is missing."
    else:
        field, message = "", "The database refused the change."
    return {field: message}
