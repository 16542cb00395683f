"""Reads for schedule imports: the project and the milestones earlier imports fed."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from data_access.core.db import read_df
from data_access.core.models import (
    Allocation,
    AuditLog,
    Milestone,
    Person,
    Project,
    ScheduleImport,
    ScheduleLink,
)
from data_access.core.sql import as_dates


def project_state(session: Session, project_id: int) -> tuple[dict | None, list[dict]]:
    """The project row and its schedule-fed milestones (with their task ids), as plain dicts."""
    project = session.execute(sa.select(Project.__table__).where(Project.id == project_id)).first()
    if project is None:
        return None, []
    milestone = Milestone.__table__
    rows = session.execute(
        sa.select(milestone, ScheduleLink.task_uid)
        .join(ScheduleLink, ScheduleLink.milestone_id == milestone.c.id)
        .where(ScheduleLink.project_id == project_id)
        .order_by(milestone.c.id)
    ).all()
    return dict(project._mapping), [dict(r._mapping) for r in rows]


# The audit row naming the allocations an import wrote: a re-import replaces those, and only
# those (allocations typed in by hand stay), without a column of its own on the allocation.
ALLOCATIONS_MARK = {"entity": "schedule_import", "action": "allocations"}


def people(session: Session) -> list[dict]:
    rows = session.execute(sa.select(Person.id, Person.name, Person.email)).all()
    return [dict(r._mapping) for r in rows]


def project_allocations(session: Session, project_id: int) -> tuple[list[dict], list[dict]]:
    """The project's allocations: (those the latest import with resources wrote, those typed
    in by hand), each as plain dicts."""
    mark = session.execute(
        sa.select(AuditLog.after)
        .where(
            AuditLog.project_id == project_id,
            AuditLog.entity == ALLOCATIONS_MARK["entity"],
            AuditLog.action == ALLOCATIONS_MARK["action"],
        )
        .order_by(AuditLog.id.desc())
        .limit(1)
    ).scalar()
    ids = set((mark or {}).get("allocation_ids") or ())
    table = Allocation.__table__
    rows = session.execute(
        sa.select(table).where(table.c.project_id == project_id).order_by(table.c.id)
    ).all()
    rows = [dict(r._mapping) for r in rows]
    return [r for r in rows if r["id"] in ids], [r for r in rows if r["id"] not in ids]


def followed_tasks(session: Session, project_id: int) -> frozenset[int]:
    """Task ids the project follows from earlier imports (a re-import keeps following them)."""
    uids = session.execute(
        sa.select(ScheduleLink.task_uid)
        .join(Milestone, Milestone.id == ScheduleLink.milestone_id)
        .where(ScheduleLink.project_id == project_id, Milestone.removed_on.is_(None))
    ).scalars()
    return frozenset(uids)


def project_for_file(session: Session, guid: str, code: str) -> int | None:
    """The project an earlier import of this file fed (by the file's GUID), else the project
    with this code."""
    if guid:
        found = session.execute(
            sa.select(ScheduleImport.project_id)
            .where(ScheduleImport.file_guid == guid)
            .order_by(ScheduleImport.id.desc())
            .limit(1)
        ).scalar()
        if found is not None:
            return found
    return session.execute(sa.select(Project.id).where(Project.code == code)).scalar()


def import_history(project_id: int, url: str | None = None) -> pd.DataFrame:
    df = read_df(
        """SELECT i.imported_at, i.file_name, i.baseline, i.status_date, i.created, i.changed,
                  p.name AS imported_by
           FROM schedule_import i LEFT JOIN person p ON p.id = i.actor_id
           WHERE i.project_id = :pid ORDER BY i.id DESC""",
        {"pid": project_id},
        url=url,
    )
    return as_dates(df, ["status_date"])


def export_source(project_id: int, url: str | None = None) -> tuple[dict, list[dict]]:
    """The project and its milestones in the plan (with the task id each was imported from)."""
    project = read_df("SELECT * FROM project WHERE id = :pid", {"pid": project_id}, url=url)
    milestones = read_df(
        """SELECT m.id, m.name, m.baseline_date, m.forecast_date, m.actual_date, l.task_uid
           FROM milestone m LEFT JOIN schedule_link l ON l.milestone_id = m.id
           WHERE m.project_id = :pid AND m.removed_on IS NULL
           ORDER BY m.forecast_date, m.id""",
        {"pid": project_id},
        url=url,
    )
    milestones = as_dates(milestones, ["baseline_date", "forecast_date", "actual_date"])
    project = as_dates(project, ["baseline_start", "baseline_finish", "forecast_finish"])
    milestones["task_uid"] = milestones.task_uid.astype(object).where(
        milestones.task_uid.notna(), None
    )
    return project.iloc[0].to_dict(), milestones.to_dict("records")
