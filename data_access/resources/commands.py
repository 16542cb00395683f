"""Write functions for allocations, a person's capacity and absences, and the allocation import.

Same pattern as data_access.updates.commands: permission check, validation through the model's
schema (every problem at once), versioned rows, an audit row per change and the data-version
bump, committed together. A batch (the bulk editor, an import) is one transaction: all or nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from data_access.core.models import (
    Absence,
    AbsenceBase,
    AbsenceCreate,
    Allocation,
    AllocationBase,
    AllocationCreate,
    Person,
    PersonBase,
    Project,
)
from data_access.core.permissions import refuse, require_project_edit
from data_access.core.writes import (
    Actor,
    ValidationFailed,
    commit,
    committed,
    delete_row,
    fetch_row,
    insert_row,
    update_row,
    validate,
)

# --- shared checks -----------------------------------------------------------------------


def fmt_day(day: dt.date) -> str:
    """25 Nov 2026, as everywhere in the app (the data layer cannot import domain)."""
    return day.strftime("%d %b %Y")


# Plain words for a field left empty (pydantic would say "Input should be a valid integer").
MISSING = {
    "person_id": "choose a person",
    "project_id": "choose a project",
    "start_date": "choose the first day",
    "end_date": "choose the last day",
    "hours_per_week": "give the hours a week",
    "weekly_capacity_hours": "give the weekly hours",
}


def _field_errors(schema, data: dict[str, Any]) -> dict[str, str]:
    try:
        validate(schema, data)
    except ValidationFailed as exc:
        return {
            field: MISSING[field] if data.get(field) is None and field in MISSING else message
            for field, message in exc.errors.items()
        }
    return {}


def _exists(session: Session, model, row_id) -> bool:
    if not isinstance(row_id, int):
        return False
    table = model.__table__
    return session.execute(sa.select(table.c.id).where(table.c.id == row_id)).first() is not None


def _allocation_errors(session: Session, data: dict[str, Any]) -> dict[str, str]:
    """Every problem of one allocation: fields, dates in order, person and project known."""
    errors = _field_errors(AllocationCreate, data)
    if "person_id" not in errors and not _exists(session, Person, data.get("person_id")):
        errors["person_id"] = "choose a person who exists"
    if "project_id" not in errors and not _exists(session, Project, data.get("project_id")):
        errors["project_id"] = "choose a project that exists"
    return errors


def _overlaps(rows: list[dict]) -> list[tuple[dict, dict]]:
    """Pairs (earlier, later) of allocations of the same person on the same project whose
    dates overlap; each later row is paired with the earlier row reaching furthest."""
    pairs = []
    ordered = sorted(rows, key=lambda r: (r["person_id"], r["project_id"], r["start_date"]))
    reach = None  # the row of the current person and project that ends last so far
    for row in ordered:
        same = reach is not None and (reach["person_id"], reach["project_id"]) == (
            row["person_id"],
            row["project_id"],
        )
        if same and row["start_date"] <= reach["end_date"]:
            pairs.append((reach, row))
        if not same or row["end_date"] > reach["end_date"]:
            reach = row
    return pairs


def _stored_allocations(session: Session, pairs: Iterable[tuple[int, int]]) -> list[dict]:
    pairs = set(pairs)
    if not pairs:
        return []
    table = Allocation.__table__
    persons = {p for p, _ in pairs}
    rows = session.execute(sa.select(table).where(table.c.person_id.in_(persons))).mappings()
    return [{**dict(r), "ref": None} for r in rows if (r["person_id"], r["project_id"]) in pairs]


def _overlap_errors(session: Session, final: list[dict], replaced: set[int]) -> dict[str, str]:
    """Refuse two allocations of one person on one project at the same time: a second range
    that overlaps is almost always a typing mistake, and it would double the load silently.

    `final` are the rows being written (with a `ref` naming them for the user), `replaced` the
    stored ids they change or delete; the other stored rows of the same person and project
    are checked against them.
    """
    stored = [
        r
        for r in _stored_allocations(session, ((r["person_id"], r["project_id"]) for r in final))
        if r["id"] not in replaced
    ]
    errors: dict[str, str] = {}
    for earlier, later in _overlaps([*final, *stored]):
        mine, other = (later, earlier) if later["ref"] is not None else (earlier, later)
        if mine["ref"] is None:
            continue
        errors.setdefault(
            f"{mine['ref']}start_date",
            f"this person is already on this project from {fmt_day(other['start_date'])} to "
            f"{fmt_day(other['end_date'])}; change that allocation or choose dates after it",
        )
    return errors


def _merged(current: dict, changes: dict, schema) -> dict:
    """The record as it would be after `changes`, in the fields a user may set."""
    return {k: v for k, v in {**current, **changes}.items() if k in schema.model_fields}


# --- allocations ---------------------------------------------------------------------------


def create_allocation(data: dict[str, Any], *, session: Session, actor: Actor) -> int:
    """Allocate a person to a project for a date range at some hours per week."""
    return save_allocations(added=[data], session=session, actor=actor)[0]


def update_allocation(
    allocation_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> None:
    save_allocations(
        edited=[(allocation_id, expected_version, changes)], session=session, actor=actor
    )


def delete_allocation(
    allocation_id: int, *, expected_version: int, session: Session, actor: Actor
) -> None:
    save_allocations(deleted=[(allocation_id, expected_version)], session=session, actor=actor)


def stage_allocations(
    *,
    added: list[dict[str, Any]] = (),
    edited: list[tuple[int, int, dict[str, Any]]] = (),
    deleted: list[tuple[int, int]] = (),
    session: Session,
    actor: Actor,
    refs: dict[str, list[str]] | None = None,
) -> list[int]:
    """`save_allocations` without the commit, for a larger transaction (a schedule import).

    Every row is checked first and all problems are raised together (ValidationFailed keys
    are `<ref>field`, where ref names the row for the user, "" for a single record); a
    version conflict on any row refuses the whole batch. `refs` gives the user's names for
    the rows ({"added": [...], "edited": [...]}, e.g. "Row 3 · ").
    """
    refs = refs or {}
    added_refs = refs.get("added") or [""] * len(added)
    edited_refs = refs.get("edited") or [""] * len(edited)
    errors: dict[str, str] = {}
    final: list[dict] = []
    current_rows: dict[int, dict] = {}

    for ref, data in zip(added_refs, added, strict=True):
        problems = _allocation_errors(session, data)
        errors.update({f"{ref}{k}": v for k, v in problems.items()})
        if not problems:
            final.append({**validate(AllocationCreate, data).model_dump(), "ref": ref})
    for ref, (row_id, _version, changes) in zip(edited_refs, edited, strict=True):
        current = current_rows[row_id] = fetch_row(session, Allocation, row_id)
        merged = _merged(current, changes, AllocationBase)
        problems = _allocation_errors(session, merged)
        errors.update({f"{ref}{k}": v for k, v in problems.items()})
        if not problems:
            final.append({**merged, "id": row_id, "ref": ref})
    for row_id, _version in deleted:
        current_rows[row_id] = fetch_row(session, Allocation, row_id)
    replaced = {row_id for row_id, *_ in edited} | {row_id for row_id, _ in deleted}
    errors.update(_overlap_errors(session, final, replaced))
    if errors:
        raise ValidationFailed(errors)

    projects = {r["project_id"] for r in final} | {
        current_rows[i]["project_id"] for i, _ in deleted
    }
    projects |= {current_rows[i]["project_id"] for i, *_ in edited}
    for project_id in sorted(projects):
        require_project_edit(
            session, actor, project_id, "change this project's allocations", entity="allocation"
        )

    for row_id, version, changes in edited:
        update_row(
            session,
            Allocation,
            row_id,
            changes,
            expected_version=version,
            schema=AllocationBase,
            actor=actor,
            project_id=current_rows[row_id]["project_id"],
        )
    for row_id, version in deleted:
        delete_row(
            session,
            Allocation,
            row_id,
            expected_version=version,
            actor=actor,
            project_id=current_rows[row_id]["project_id"],
        )
    new_ids = [
        insert_row(
            session,
            Allocation,
            validate(AllocationCreate, data).model_dump(),
            actor=actor,
            project_id=data["project_id"],
        )
        for data in added
    ]
    return new_ids


save_allocations = committed(
    stage_allocations,
    "Apply a batch of allocation changes in one transaction; returns the new ids.",
)


# --- a person's capacity and absences ----------------------------------------------------


def _require_person_edit(
    session: Session, actor: Actor, person_id: int, what: str, *, entity: str, own: bool
) -> None:
    """An admin, a portfolio manager of the person's department, or (for `own` records such
    as absences) the person themself."""
    if actor.role == "admin" or (own and actor.person_id == person_id):
        return
    if actor.role == "portfolio_manager" and actor.person_id is not None:
        departments = dict(
            session.execute(
                sa.select(Person.id, Person.department_id).where(
                    Person.id.in_([person_id, actor.person_id])
                )
            ).all()
        )
        if departments.get(person_id) is not None and departments.get(person_id) == departments.get(
            actor.person_id
        ):
            return
    refuse(session, actor, what, entity=entity, entity_id=person_id, project_id=None)


def set_capacity(
    person_id: int,
    weekly_capacity_hours: float,
    *,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    """Change how many hours a week a person has for project work (part-time, new contract)."""
    _require_person_edit(
        session, actor, person_id, "change this person's capacity", entity="person", own=False
    )
    row = update_row(
        session,
        Person,
        person_id,
        {"weekly_capacity_hours": weekly_capacity_hours},
        expected_version=expected_version,
        schema=PersonBase,
        actor=actor,
        project_id=None,
    )
    commit(session)
    return row


def _absence_errors(session: Session, data: dict[str, Any], replaced: int | None) -> dict:
    errors = _field_errors(AbsenceCreate, data)
    if "person_id" not in errors and not _exists(session, Person, data.get("person_id")):
        errors["person_id"] = "choose a person who exists"
    if errors:
        return errors
    table = Absence.__table__
    clash = session.execute(
        sa.select(table.c.start_date, table.c.end_date).where(
            table.c.person_id == data["person_id"],
            table.c.id != (replaced or -1),
            table.c.start_date <= data["end_date"],
            table.c.end_date >= data["start_date"],
        )
    ).first()
    if clash:
        # Overlapping absences would count the same day off twice.
        errors["start_date"] = (
            f"this person is already away from {fmt_day(clash.start_date)} to "
            f"{fmt_day(clash.end_date)}; change that absence instead"
        )
    return errors


def add_absence(data: dict[str, Any], *, session: Session, actor: Actor) -> int:
    """Record that a person is away (leave, training...) from start to end date inclusive."""
    errors = _absence_errors(session, data, None)
    if errors:
        raise ValidationFailed(errors)
    absence = validate(AbsenceCreate, data)
    what = "record this person's absence"
    _require_person_edit(session, actor, absence.person_id, what, entity="absence", own=True)
    new_id = insert_row(session, Absence, absence.model_dump(), actor=actor, project_id=None)
    commit(session)
    return new_id


def update_absence(
    absence_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    current = fetch_row(session, Absence, absence_id)
    merged = _merged(current, changes, AbsenceBase)
    errors = _absence_errors(session, merged, absence_id)
    if errors:
        raise ValidationFailed(errors)
    _require_person_edit(
        session, actor, current["person_id"], "change this absence", entity="absence", own=True
    )
    row = update_row(
        session,
        Absence,
        absence_id,
        changes,
        expected_version=expected_version,
        schema=AbsenceBase,
        actor=actor,
        project_id=None,
    )
    commit(session)
    return row


def delete_absence(
    absence_id: int, *, expected_version: int, session: Session, actor: Actor
) -> None:
    current = fetch_row(session, Absence, absence_id)
    _require_person_edit(
        session, actor, current["person_id"], "remove this absence", entity="absence", own=True
    )
    delete_row(
        session,
        Absence,
        absence_id,
        expected_version=expected_version,
        actor=actor,
        project_id=None,
    )
    commit(session)


# --- import from CSV or Excel ------------------------------------------------------------

IMPORT_COLUMNS = ["person_email", "project_code", "start_date", "end_date", "hours_per_week"]


def template() -> pd.DataFrame:
    """The import file's columns with one example row."""
    return pd.DataFrame(
        [["jane.doe@example.org", "PRJ-0001", "2027-01-04", "2027-03-26", 16]],
        columns=IMPORT_COLUMNS,
    )


def read_sheet(filename: str, content: bytes) -> pd.DataFrame:
    """A CSV or Excel file as text cells (nothing guessed), columns named in lower case."""
    name = filename.lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            frame = pd.read_excel(io.BytesIO(content), dtype=object)
        elif name.endswith(".csv"):
            frame = pd.read_csv(
                io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig"
            )
        else:
            raise ValidationFailed({"file": "choose a .csv or .xlsx file"})
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        if isinstance(exc, ValidationFailed):
            raise
        raise ValidationFailed({"file": f"the file cannot be read: {exc}"}) from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def _cell(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return value.strip() if isinstance(value, str) else value


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    try:
        return float(str(value).replace(",", "")) if value != "" else None
    except ValueError:
        return None


def check_import(frame: pd.DataFrame, *, session: Session) -> tuple[list[dict], dict[str, str]]:
    """Rows ready to save and every problem, keyed "Row N · field" with N the spreadsheet row
    (the header is row 1). Nothing is written."""
    missing = [c for c in IMPORT_COLUMNS if c not in frame.columns]
    if missing:
        return [], {"file": f"missing column(s): {', '.join(missing)}"}
    if frame.empty:
        return [], {"file": "the file has no rows"}
    emails = {str(_cell(v)).lower() for v in frame.person_email}
    codes = {str(_cell(v)) for v in frame.project_code}
    person_ids = dict(
        session.execute(sa.select(Person.email, Person.id).where(Person.email.in_(emails))).all()
    )
    project_ids = dict(
        session.execute(sa.select(Project.code, Project.id).where(Project.code.in_(codes))).all()
    )
    rows, valid, errors = [], [], {}
    for n, record in enumerate(frame[IMPORT_COLUMNS].to_dict("records"), start=2):
        ref = f"Row {n} · "
        cells = {k: _cell(v) for k, v in record.items()}
        problems = {}
        email, code = str(cells["person_email"]).lower(), str(cells["project_code"])
        if email not in person_ids:
            problems["person_email"] = f"no person has the e-mail '{email}'"
        if code not in project_ids:
            problems["project_code"] = f"no project has the code '{code}'"
        data = {
            "person_id": person_ids.get(email),
            "project_id": project_ids.get(code),
            "start_date": _date(cells["start_date"]),
            "end_date": _date(cells["end_date"]),
            "hours_per_week": _number(cells["hours_per_week"]),
        }
        for field in ("start_date", "end_date"):
            if data[field] is None:
                problems[field] = "write a date as YYYY-MM-DD"
        if data["hours_per_week"] is None:
            problems["hours_per_week"] = "write the hours per week as a number"
        for field, message in _field_errors(AllocationCreate, data).items():
            if field not in problems and field not in ("person_id", "project_id"):
                problems[field] = message
        errors.update({f"{ref}{k}": v for k, v in problems.items()})
        rows.append({**data, "ref": ref})
        if not problems:
            valid.append(rows[-1])
    errors.update(_overlap_errors(session, valid, set()))
    return [{k: v for k, v in r.items() if k != "ref"} for r in rows], errors


def import_allocations(frame: pd.DataFrame, *, session: Session, actor: Actor) -> list[int]:
    """Import every row or none: one bad row refuses the file and names the row."""
    rows, errors = check_import(frame, session=session)
    if errors:
        raise ValidationFailed(errors)
    refs = [f"Row {n} · " for n in range(2, len(rows) + 2)]
    return save_allocations(added=rows, session=session, actor=actor, refs={"added": refs})
