"""Reads behind the entry forms: one record as it is now (with its version), a project's
milestones, risks and RAID items, the pickers' choices, and a project's audit history."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import SQLModel

from data_access.core.db import get_engine, read_df, session_scope
from data_access.core.models import (
    Department,
    Milestone,
    Person,
    Program,
    Project,
    RaidItem,
    Risk,
    StatusReport,
)
from data_access.core.permissions import may_edit_project
from data_access.core.writes import Actor


def record(model: type[SQLModel], row_id: int, url: str | None = None) -> dict[str, Any] | None:
    """One row as plain values (dates as dates on both databases), or None."""
    table = model.__table__
    with get_engine(url).connect() as conn:
        row = conn.execute(sa.select(table).where(table.c.id == row_id)).first()
    return dict(row._mapping) if row else None


def latest_report(project_id: int, url: str | None = None) -> dict[str, Any] | None:
    """The newest report by reporting date (the one a new update is pre-filled from), with
    `newest_id`: the highest report id, which a second update in the meantime changes."""
    table = StatusReport.__table__
    with get_engine(url).connect() as conn:
        row = conn.execute(
            sa.select(table, sa.func.max(table.c.id).over().label("newest_id"))
            .where(table.c.project_id == project_id)
            .order_by(table.c.report_date.desc(), table.c.id.desc())
            .limit(1)
        ).first()
    return dict(row._mapping) if row else None


def _rows(statement: sa.Select, url: str | None) -> pd.DataFrame:
    return read_df(statement, url=url)


def project_milestones(project_id: int, url: str | None = None) -> pd.DataFrame:
    """The milestones in the plan (removed ones left out), in baseline order."""
    m = Milestone.__table__
    return _rows(
        sa.select(
            m.c.id,
            m.c.name,
            m.c.is_key,
            m.c.baseline_date,
            m.c.forecast_date,
            m.c.actual_date,
            m.c.version,
        )
        .where(m.c.project_id == project_id, m.c.removed_on.is_(None))
        .order_by(m.c.baseline_date, m.c.id),
        url,
    )


def project_risks(project_id: int, url: str | None = None) -> pd.DataFrame:
    """Open risks first, highest score first."""
    r, p = Risk.__table__, Person.__table__
    score = (r.c.probability * r.c.impact).label("score")
    return _rows(
        sa.select(
            r.c.id,
            r.c.title,
            r.c.kind,
            r.c.status,
            r.c.probability,
            r.c.impact,
            score,
            r.c.residual_probability,
            r.c.residual_impact,
            p.c.name.label("owner"),
            r.c.response,
            r.c.response_due,
            r.c.proximity,
            r.c.last_assessed_on,
            r.c.version,
        )
        .select_from(r.outerjoin(p, p.c.id == r.c.owner_id))
        .where(r.c.project_id == project_id)
        .order_by(r.c.status.desc(), score.desc(), r.c.id),
        url,
    )


def project_raid_items(project_id: int, kind: str, url: str | None = None) -> pd.DataFrame:
    """Assumptions, issues, dependencies or decisions of a project, open ones first."""
    i, p, provider = RaidItem.__table__, Person.__table__, Project.__table__.alias("provider")
    return _rows(
        sa.select(
            i.c.id,
            i.c.title,
            i.c.status,
            p.c.name.label("owner"),
            i.c.due_date,
            provider.c.code.label("waits_on"),
            i.c.need_by,
            i.c.decided_on,
            i.c.raised_on,
            i.c.closed_on,
            i.c.version,
        )
        .select_from(
            i.outerjoin(p, p.c.id == i.c.owner_id).outerjoin(
                provider, provider.c.id == i.c.provider_project_id
            )
        )
        .where(i.c.project_id == project_id, i.c.kind == kind)
        .order_by(i.c.status.desc(), i.c.raised_on.desc(), i.c.id.desc()),
        url,
    )


def choices(url: str | None = None) -> dict[str, pd.DataFrame]:
    """What the pickers offer and imports resolve names against: people, programs,
    departments and projects (id plus the names users know them by)."""
    person, program, dept, project = (
        Person.__table__,
        Program.__table__,
        Department.__table__,
        Project.__table__,
    )
    return {
        "people": _rows(
            sa.select(person.c.id, person.c.name, person.c.email, person.c.role)
            .where(person.c.active.is_(True))
            .order_by(person.c.name),
            url,
        ),
        "programs": _rows(sa.select(program.c.id, program.c.name).order_by(program.c.name), url),
        "departments": _rows(
            sa.select(dept.c.id, dept.c.name, dept.c.code).order_by(dept.c.name), url
        ),
        "projects": _rows(
            sa.select(project.c.id, project.c.code, project.c.name).order_by(project.c.code), url
        ),
    }


# The record each audit row is about, in the words a reader knows it by.
AUDIT_SQL = """
SELECT a.id, a.at, a.actor_name, a.action, a.entity, a.entity_id, a.before, a.after,
       COALESCE(m.name, r.title, ri.title, pr.code) AS record
FROM audit_log a
LEFT JOIN milestone m ON a.entity = 'milestone' AND m.id = a.entity_id
LEFT JOIN risk r ON a.entity = 'risk' AND r.id = a.entity_id
LEFT JOIN raid_item ri ON a.entity = 'raid_item' AND ri.id = a.entity_id
LEFT JOIN project pr ON a.entity = 'project' AND pr.id = a.entity_id
WHERE a.project_id = :project_id
ORDER BY a.at DESC, a.id DESC
LIMIT :limit
"""


def project_audit(project_id: int, limit: int = 100, url: str | None = None) -> pd.DataFrame:
    """The newest `limit` audit rows of a project; `before`/`after` as dicts on both databases."""
    df = read_df(AUDIT_SQL, {"project_id": project_id, "limit": limit}, url=url)
    for column in ("before", "after"):
        # SQLite hands JSON back as text, PostgreSQL as parsed values.
        df[column] = [json.loads(v) if isinstance(v, str) else v for v in df[column]]
    df["at"] = pd.to_datetime(df["at"], utc=True, format="ISO8601")
    return df


def audit_count(project_id: int, url: str | None = None) -> int:
    return int(
        read_df(
            "SELECT COUNT(*) AS n FROM audit_log WHERE project_id = :p", {"p": project_id}, url=url
        ).n.item()
    )


def may_edit(actor: Actor, project_id: int, url: str | None = None) -> bool:
    """Whether the interface offers this person the project's forms (the writes check again)."""
    with session_scope(url) as session:
        return may_edit_project(session, actor, project_id)


def may_create_projects(actor: Actor) -> bool:
    """Whether to offer the new-project form: admins and portfolio managers may create
    projects (where exactly is checked by the write, per program and department)."""
    return actor.role in ("admin", "portfolio_manager")


# Tables as the import templates lay them out (references by code, name or e-mail), so an
# export can be edited and its new rows imported again.
EXPORT_SQL = {
    "projects": """
        SELECT p.code, p.name, p.description, pg.name AS program_id, d.name AS department_id,
               s.email AS sponsor_id, m.email AS manager_id, p.phase, p.status, p.priority,
               p.baseline_start, p.baseline_finish, p.forecast_finish, p.approved_budget,
               p.actual_cost, p.forecast_at_completion, p.percent_complete
        FROM project p
        JOIN program pg ON pg.id = p.program_id
        JOIN department d ON d.id = p.department_id
        LEFT JOIN person s ON s.id = p.sponsor_id
        LEFT JOIN person m ON m.id = p.manager_id
        WHERE p.id IN :ids ORDER BY p.code""",
    "milestones": """
        SELECT p.code AS project_id, ms.name, ms.baseline_date, ms.forecast_date,
               ms.actual_date, ms.is_key
        FROM milestone ms JOIN project p ON p.id = ms.project_id
        WHERE ms.removed_on IS NULL AND ms.project_id IN :ids
        ORDER BY p.code, ms.baseline_date, ms.id""",
    "risks": """
        SELECT p.code AS project_id, r.title, r.description, r.category, r.kind,
               r.probability, r.impact, r.residual_probability, r.residual_impact,
               o.email AS owner_id, r.response, r.mitigation, r.response_due, r.proximity,
               r.status, r.last_assessed_on
        FROM risk r JOIN project p ON p.id = r.project_id
        LEFT JOIN person o ON o.id = r.owner_id
        WHERE r.project_id IN :ids
        ORDER BY p.code, r.status DESC, r.probability * r.impact DESC, r.id""",
    "raid": """
        SELECT p.code AS project_id, i.kind, i.title, i.description, o.email AS owner_id,
               i.status, i.due_date, pp.code AS provider_project_id, i.need_by, i.decided_on
        FROM raid_item i JOIN project p ON p.id = i.project_id
        LEFT JOIN person o ON o.id = i.owner_id
        LEFT JOIN project pp ON pp.id = i.provider_project_id
        WHERE i.project_id IN :ids
        ORDER BY p.code, i.kind, i.status DESC, i.id""",
}


def export_table(kind: str, project_ids: list[int], url: str | None = None) -> pd.DataFrame:
    """Projects, milestones, risks or RAID items of the given projects, columns named by the
    stored field (references replaced by the code, name or e-mail users know)."""
    statement = sa.text(EXPORT_SQL[kind]).bindparams(sa.bindparam("ids", expanding=True))
    return read_df(statement, {"ids": [int(i) for i in project_ids] or [-1]}, url=url)
