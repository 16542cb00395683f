"""PMO administration writes: people and their roles, portfolios, programs, departments, settings.

They follow data_access/updates/commands.py: keyword-only `session=` and `actor=`, admin only
(a refusal is audited and changes nothing), validated through the model schemas with every
problem reported at once, optimistic concurrency, audited, committed once.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlmodel import Session, SQLModel

from data_access.core.auth import password_matches, store_password
from data_access.core.models import (
    AuditLog,
    Department,
    DepartmentBase,
    DepartmentCreate,
    Person,
    PersonBase,
    PersonCreate,
    Portfolio,
    PortfolioBase,
    PortfolioCreate,
    Program,
    ProgramBase,
    ProgramCreate,
    Setting,
    utcnow,
)
from data_access.core.permissions import refuse, require_admin
from data_access.core.settings import DEFAULT_SETTINGS
from data_access.core.writes import (
    Actor,
    ConflictError,
    ValidationFailed,
    audit,
    commit,
    fetch_row,
    insert_row,
    update_row,
    validate,
)

# --- shared checks ----------------------------------------------------------------------


def _checked(
    session: Session,
    schema: type[SQLModel],
    data: dict[str, Any],
    model: type[SQLModel],
    unique: tuple[str, ...],
    row_id: int | None = None,
) -> SQLModel | None:
    """Validate `data` and the uniqueness of `unique` fields, raising every problem at once."""
    errors: dict[str, str] = {}
    checked = None
    try:
        checked = validate(schema, data)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    for field in unique:
        value = getattr(checked, field, None) if checked is not None else data.get(field)
        if value is None or field in errors:
            continue
        column = model.__table__.c[field]
        value = value.strip().lower() if field == "email" else value
        taken = session.execute(
            sa.select(model.__table__.c.id).where(column == value, model.__table__.c.id != row_id)
        ).first()
        if taken:
            errors[field] = f"another record already has this {field.replace('_', ' ')}"
    if errors:
        raise ValidationFailed(errors)
    return checked


def _create(
    model, create_schema, data, unique, what: str, *, session: Session, actor: Actor
) -> int:
    require_admin(session, actor, what, entity=model.__tablename__)
    record = _checked(session, create_schema, data, model, unique)
    new_id = insert_row(session, model, record.model_dump(), actor=actor, project_id=None)
    commit(session)
    return new_id


def _update(
    model,
    base_schema,
    row_id: int,
    changes: dict[str, Any],
    unique,
    what: str,
    *,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    require_admin(session, actor, what, entity=model.__tablename__, entity_id=row_id)
    current = fetch_row(session, model, row_id)
    merged = {k: v for k, v in {**current, **changes}.items() if k in base_schema.model_fields}
    _checked(session, base_schema, merged, model, tuple(f for f in unique if f in changes), row_id)
    row = update_row(
        session,
        model,
        row_id,
        changes,
        expected_version=expected_version,
        schema=base_schema,
        actor=actor,
        project_id=None,
    )
    commit(session)
    return row


# --- people and roles -------------------------------------------------------------------


def create_person(
    data: dict[str, Any], *, session: Session, actor: Actor, password: str | None = None
) -> int:
    """Add a person; with a password they can sign in locally, without one only through SSO."""
    new_id = stage_person(data, session=session, actor=actor)
    if password:
        store_password(session, new_id, password, actor=actor)
    commit(session)
    return new_id


def stage_person(data: dict[str, Any], *, session: Session, actor: Actor) -> int:
    """`create_person` without password or commit, for a larger transaction (a schedule import)."""
    require_admin(session, actor, "add a person", entity="person")
    person = _checked(session, PersonCreate, data, Person, ("email",))
    return insert_row(session, Person, person.model_dump(), actor=actor, project_id=None)


def update_person(
    person_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    """Change a person's details, role or active flag; the last active admin always remains."""
    require_admin(session, actor, "change a person", entity="person", entity_id=person_id)
    current = fetch_row(session, Person, person_id)
    stays_admin = changes.get("role", current["role"]) == "admin" and changes.get(
        "active", current["active"]
    )
    if current["role"] == "admin" and current["active"] and not stays_admin:
        others = session.execute(
            sa.select(sa.func.count())
            .select_from(Person)
            .where(Person.role == "admin", Person.active.is_(True), Person.id != person_id)
        ).scalar_one()
        if others == 0:
            raise ValidationFailed(
                {"role": "at least one active PMO admin must remain; make someone else admin first"}
            )
    return _update(
        Person,
        PersonBase,
        person_id,
        changes,
        ("email",),
        "change a person",
        expected_version=expected_version,
        session=session,
        actor=actor,
    )


def set_password(
    person_id: int,
    new_password: str,
    *,
    session: Session,
    actor: Actor,
    current_password: str | None = None,
) -> None:
    """An admin sets anyone's password; anyone else only their own, with their current one."""
    if actor.role != "admin":
        if actor.person_id != person_id:
            refuse(
                session,
                actor,
                "set another person's password",
                entity="person",
                entity_id=person_id,
                project_id=None,
            )
        stored = fetch_row(session, Person, person_id)["password_hash"]
        if not password_matches(stored, current_password or ""):
            raise ValidationFailed({"current_password": "is not your current password"})
    store_password(session, person_id, new_password, actor=actor)
    commit(session)


# --- organisation -----------------------------------------------------------------------


def create_portfolio(data: dict[str, Any], *, session: Session, actor: Actor) -> int:
    return _create(
        Portfolio, PortfolioCreate, data, ("name",), "add a portfolio", session=session, actor=actor
    )


def update_portfolio(
    portfolio_id: int, changes: dict, *, expected_version: int, session: Session, actor: Actor
) -> dict[str, Any]:
    return _update(
        Portfolio,
        PortfolioBase,
        portfolio_id,
        changes,
        ("name",),
        "change a portfolio",
        expected_version=expected_version,
        session=session,
        actor=actor,
    )


def create_program(data: dict[str, Any], *, session: Session, actor: Actor) -> int:
    return _create(
        Program, ProgramCreate, data, ("name",), "add a program", session=session, actor=actor
    )


def update_program(
    program_id: int, changes: dict, *, expected_version: int, session: Session, actor: Actor
) -> dict[str, Any]:
    return _update(
        Program,
        ProgramBase,
        program_id,
        changes,
        ("name",),
        "change a program",
        expected_version=expected_version,
        session=session,
        actor=actor,
    )


def create_department(data: dict[str, Any], *, session: Session, actor: Actor) -> int:
    return _create(
        Department,
        DepartmentCreate,
        data,
        ("name", "code"),
        "add a department",
        session=session,
        actor=actor,
    )


def update_department(
    department_id: int, changes: dict, *, expected_version: int, session: Session, actor: Actor
) -> dict[str, Any]:
    return _update(
        Department,
        DepartmentBase,
        department_id,
        changes,
        ("name", "code"),
        "change a department",
        expected_version=expected_version,
        session=session,
        actor=actor,
    )


# --- settings ---------------------------------------------------------------------------


class SettingsValues(BaseModel):
    """The rules the settings must keep together (PMO_DOMAIN.md); later issues may add keys."""

    model_config = ConfigDict(extra="allow")

    schedule_amber_pct: float = Field(ge=0, le=1000)
    schedule_red_pct: float = Field(ge=0, le=1000)
    cost_amber_pct: float = Field(ge=0, le=1000)
    cost_red_pct: float = Field(ge=0, le=1000)
    cpi_amber: float = Field(gt=0, le=2)
    cpi_red: float = Field(gt=0, le=2)
    band_medium_from: int = Field(ge=2, le=23)
    band_high_from: int = Field(ge=3, le=24)
    band_critical_from: int = Field(ge=4, le=25)
    stale_days: int = Field(ge=1, le=365)
    currency: str
    demo_accounts: bool
    bei_target: float = Field(gt=0, le=2)
    reminders_on: bool = True
    reminder_weekday: int = Field(default=4, ge=0, le=6)
    reminder_hour: int = Field(default=17, ge=0, le=23)
    reminder_hours_before: int = Field(default=24, ge=1, le=144)
    reminder_hours_after: int = Field(default=18, ge=1, le=144)
    reminder_before_text: str = Field(default="{projects}", min_length=1, max_length=4000)
    reminder_after_text: str = Field(default="{projects}", min_length=1, max_length=4000)

    gate_status_days: int = Field(ge=1, le=90)
    status_late_days: int = Field(ge=0, le=90)
    risk_review_days: int = Field(ge=1, le=365)
    gate_min_milestones: int = Field(ge=0, le=100)
    gate_decide_days: int = Field(ge=0, le=365)

    status_on_time_days: int = Field(ge=0, le=30)
    recovery_plan_amber: Literal["off", "asked", "required"]
    recovery_causes: str

    @field_validator("recovery_causes")
    @classmethod
    def _causes(cls, value: str) -> str:
        if not [c for c in value.split(",") if c.strip()]:
            raise ValueError("name at least one cause, separated by commas")
        return value

    @field_validator("currency")
    @classmethod
    def _iso_code(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError("must be a three-letter currency code in capitals, such as EUR")
        return value

    @model_validator(mode="after")
    def _in_order(self):
        errors = []
        if self.schedule_red_pct < self.schedule_amber_pct:
            errors.append("schedule: the Red threshold must not be below the Amber one")
        if self.cost_red_pct < self.cost_amber_pct:
            errors.append("cost: the Red threshold must not be below the Amber one")
        if self.cpi_red > self.cpi_amber:
            errors.append("CPI: the Red threshold must not be above the Amber one")
        if not self.band_medium_from < self.band_high_from < self.band_critical_from:
            errors.append("risk bands: Medium, High and Critical must start at rising scores")
        if errors:
            raise ValueError("; ".join(errors))
        return self


def update_settings(
    changes: dict[str, Any],
    *,
    expected_versions: dict[str, int],
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    """Change settings together, or none: validated as a whole, each key version-checked.

    `expected_versions` holds the version of each setting as the form loaded it; a setting
    someone saved since is refused with a ConflictError naming the current values.
    """
    require_admin(session, actor, "change settings", entity="setting")
    unknown = sorted(set(changes) - set(DEFAULT_SETTINGS))
    if unknown:
        raise ValidationFailed({k: "is not a setting" for k in unknown})
    stored = {
        key: (value, version)
        for key, value, version in session.execute(
            sa.select(Setting.key, Setting.value, Setting.version)
        )
    }
    current = {**DEFAULT_SETTINGS, **{k: v for k, (v, _) in stored.items()}}
    validate(SettingsValues, {**current, **changes})
    changed = {k: v for k, v in changes.items() if current[k] != v}
    if not changed:
        return current
    moved = [k for k in changed if stored.get(k, (None, 0))[1] != expected_versions.get(k, 0)]
    if moved:
        raise ConflictError("setting", 0, _settings_conflict(session, current, moved))
    for key, value in changed.items():
        if key in stored:
            result = session.execute(
                sa.update(Setting)
                .where(Setting.key == key, Setting.version == stored[key][1])
                .values(value=value, version=stored[key][1] + 1, updated_at=utcnow())
            )
            if result.rowcount != 1:  # saved by someone between our read and our write
                session.rollback()
                raise ConflictError("setting", 0, _settings_conflict(session, current, [key]))
        else:
            session.execute(sa.insert(Setting).values(key=key, value=value, updated_at=utcnow()))
    audit(
        session,
        actor=actor,
        action="update",
        entity="setting",
        entity_id=None,
        project_id=None,
        before={k: current[k] for k in changed},
        after=changed,
    )
    commit(session)
    return {**current, **changed}


def _settings_conflict(session: Session, current: dict, keys: list[str]) -> dict[str, Any]:
    by = session.execute(
        sa.select(AuditLog.actor_name)
        .where(AuditLog.entity == "setting")
        .order_by(AuditLog.id.desc())
        .limit(1)
    ).scalar()
    versions = dict(session.execute(sa.select(Setting.key, Setting.version)).all())
    return {
        **{k: current[k] for k in keys},
        "version": max(versions[k] for k in keys),
        "_changed_by": by,
        "_versions": versions,
    }
