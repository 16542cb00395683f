"""Reads for schedule imports: the project and the milestones earlier imports fed."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from data_access.db import read_df
from data_access.models import Milestone, Project, ScheduleImport, ScheduleLink
from data_access.portfolio import as_dates


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
