"""What changed between two days, read from the history tables.

"As of a day" means the latest history row on or before that day: the status report snapshot
for health, the risk assessment for scores, the milestone history row for dates. A change
"since D" happened after D and on or before the end day. Everything is compared in SQL (window
functions pick the row as of each day), so the result has one row per changed thing however
long the history is.

Each read takes `project_ids` (None: every project) so that after a save the meeting page reads
again only the projects the save changed (components.common.cache, `by_project`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa

from data_access.core.db import read_df
from data_access.core.models import AuditLog, Project
from data_access.core.sql import as_dates, in_scope, scoped_query

CLOSED_STATUSES = ("completed", "cancelled")


def band_case(score: str) -> str:
    """SQL for the risk band of a score, with the thresholds as bind parameters."""
    return (
        f"CASE WHEN {score} >= :critical_from THEN 'Critical' "
        f"WHEN {score} >= :high_from THEN 'High' "
        f"WHEN {score} >= :medium_from THEN 'Medium' ELSE 'Low' END"
    )


def band_params(settings: dict) -> dict[str, int]:
    return {
        "medium_from": settings["band_medium_from"],
        "high_from": settings["band_high_from"],
        "critical_from": settings["band_critical_from"],
    }


def _pairs(table: str, key: str, day: str, scope: str = "") -> str:
    """For each `key` with a row in the window: the id of its row as of `:until`
    (`after_id`) and as of `:since` (`before_id`, NULL if it had none yet).

    Only keys active in the window are looked at, each through the (key, day) index, so the
    cost follows what changed, not the length of the history. Ties on a day go to the later
    insert. `scope`: more conditions on the window's rows (the projects read).
    """
    return f"""
    SELECT w.{key},
           (SELECT MAX(t.id) FROM {table} t
            WHERE t.{key} = w.{key} AND t.{day} = w.last_day) AS after_id,
           (SELECT MAX(t.id) FROM {table} t
            WHERE t.{key} = w.{key} AND t.{day} = (
                SELECT MAX(e.{day}) FROM {table} e
                WHERE e.{key} = w.{key} AND e.{day} <= :since)) AS before_id
    FROM (SELECT {key}, MAX({day}) AS last_day FROM {table}
          WHERE {day} > :since AND {day} <= :until{scope} GROUP BY {key}) w"""


HEALTH_CHANGES_SQL = f"""
WITH pairs AS ({_pairs("status_report", "project_id", "report_date", "{scope}")})
SELECT p.id AS project_id, p.code, p.name, p.approved_budget,
       b.overall_rag AS from_rag, a.overall_rag AS to_rag,
       b.report_date AS from_date, a.report_date AS to_date,
       b.schedule_rag AS from_schedule, a.schedule_rag AS to_schedule,
       b.cost_rag AS from_cost, a.cost_rag AS to_cost,
       b.scope_rag AS from_scope, a.scope_rag AS to_scope,
       b.risk_rag AS from_risk, a.risk_rag AS to_risk,
       a.override_rag, a.override_reason, a.summary
FROM pairs
JOIN status_report a ON a.id = pairs.after_id
JOIN status_report b ON b.id = pairs.before_id
JOIN project p ON p.id = pairs.project_id
WHERE a.overall_rag <> b.overall_rag
"""


def _read(sql: str, params: dict, project_ids, url) -> pd.DataFrame:
    params = dict(params)
    return read_df(scoped_query(sql, params, project_ids, url), params, url=url)


def health_changes(
    since: dt.date, until: dt.date, url: str | None = None, project_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Projects whose reported overall health differs between the two days, dimensions beside."""
    sql = HEALTH_CHANGES_SQL.format(scope=in_scope("project_id", project_ids, url))
    df = _read(sql, {"since": since, "until": until}, project_ids, url)
    return as_dates(df, ("from_date", "to_date"))


_RISK_COLUMNS = "r.id AS risk_id, r.project_id, p.code, p.name, r.title, r.kind"

NEW_RISKS_SQL = f"""
SELECT {_RISK_COLUMNS}, r.probability * r.impact AS score,
       {band_case("r.probability * r.impact")} AS band, r.raised_on AS day
FROM risk r JOIN project p ON p.id = r.project_id
WHERE r.raised_on > :since AND r.raised_on <= :until{{scope}}
"""

CLOSED_RISKS_SQL = f"""
SELECT {_RISK_COLUMNS}, r.probability * r.impact AS score,
       {band_case("r.probability * r.impact")} AS band, r.closed_on AS day
FROM risk r JOIN project p ON p.id = r.project_id
WHERE r.status = 'closed' AND r.closed_on > :since AND r.closed_on <= :until{{scope}}
"""

BAND_MOVES_SQL = f"""
WITH pairs AS ({_pairs("risk_assessment", "risk_id", "assessed_on", "{scope}")}),
moved AS (
    SELECT pairs.risk_id, b.probability * b.impact AS from_score,
           a.probability * a.impact AS to_score, a.assessed_on AS day,
           {band_case("b.probability * b.impact")} AS from_band,
           {band_case("a.probability * a.impact")} AS to_band
    FROM pairs
    JOIN risk_assessment a ON a.id = pairs.after_id
    JOIN risk_assessment b ON b.id = pairs.before_id
    WHERE a.status = 'open' AND b.status = 'open'
)
SELECT {_RISK_COLUMNS}, m.from_score, m.to_score, m.from_band, m.to_band, m.day
FROM moved m JOIN risk r ON r.id = m.risk_id JOIN project p ON p.id = r.project_id
WHERE m.from_band <> m.to_band
"""


def risk_changes(
    since: dt.date,
    until: dt.date,
    bands: dict[str, int],
    url: str | None = None,
    project_ids: Sequence[int] | None = None,
) -> dict[str, pd.DataFrame]:
    """New risks, closed risks and open risks whose score moved to another band."""
    params = {"since": since, "until": until, **bands}
    return {
        name: as_dates(_read(sql.format(scope=scope), params, project_ids, url), ("day",))
        for name, sql, scope in (
            ("new", NEW_RISKS_SQL, in_scope("r.project_id", project_ids, url)),
            ("closed", CLOSED_RISKS_SQL, in_scope("r.project_id", project_ids, url)),
            ("band", BAND_MOVES_SQL, in_scope("project_id", project_ids, url)),
        )
    }


# One row per milestone that changed, classified in SQL. A milestone that entered the plan in
# the window is "added" whatever happened to it next; otherwise removal, completion, then a
# forecast moved later ("slipped") or earlier ("pulled in").
MILESTONE_CHANGES_SQL = f"""
WITH pairs AS ({_pairs("milestone_history", "milestone_id", "reported_on", "{scope}")}),
classified AS (
    SELECT a.milestone_id, b.forecast_date AS from_forecast, a.forecast_date AS to_forecast,
           a.baseline_date, a.actual_date, a.reported_on AS day, a.reason,
           CASE
               WHEN b.milestone_id IS NULL THEN 'added'
               WHEN a.change = 'removed' AND b.change <> 'removed' THEN 'removed'
               WHEN a.actual_date IS NOT NULL AND b.actual_date IS NULL THEN 'completed'
               WHEN a.actual_date IS NULL AND a.change <> 'removed'
                    AND a.forecast_date > b.forecast_date THEN 'slipped'
               WHEN a.actual_date IS NULL AND a.change <> 'removed'
                    AND a.forecast_date < b.forecast_date THEN 'pulled in'
           END AS kind
    FROM pairs
    JOIN milestone_history a ON a.id = pairs.after_id
    LEFT JOIN milestone_history b ON b.id = pairs.before_id
)
SELECT c.kind, c.milestone_id, m.project_id, p.code, p.name AS project, m.name AS milestone,
       c.baseline_date, c.from_forecast, c.to_forecast, c.actual_date, c.day, c.reason
FROM classified c
JOIN milestone m ON m.id = c.milestone_id
JOIN project p ON p.id = m.project_id
WHERE c.kind IS NOT NULL
"""


def milestone_changes(
    since: dt.date, until: dt.date, url: str | None = None, project_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Milestones added, removed, completed, slipped or pulled in between the two days."""
    sql = MILESTONE_CHANGES_SQL.format(scope=in_scope("project_id", project_ids, url))
    df = _read(sql, {"since": since, "until": until}, project_ids, url)
    df = as_dates(df, ("baseline_date", "from_forecast", "to_forecast", "actual_date", "day"))
    # Day differences in pandas: SQLite and PostgreSQL subtract dates differently.
    moved = pd.to_datetime(df.to_forecast) - pd.to_datetime(df.from_forecast)
    df["moved_days"] = moved.dt.days.astype("Int64")
    return df


def _audit_window(since: dt.date, until: dt.date):
    # Audit times are UTC timestamps; a day's changes run to midnight at its end.
    start = dt.datetime.combine(since + dt.timedelta(days=1), dt.time(), dt.UTC)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
    return AuditLog.at >= start, AuditLog.at < end


def project_changes(
    since: dt.date, until: dt.date, url: str | None = None, project_ids: Sequence[int] | None = None
) -> dict:
    """Projects created in the app, and projects completed or cancelled, between the two days.

    Closure comes from the audit trail (a status change to completed or cancelled) and, for
    records loaded without one, from the actual finish date of a completed project.
    """
    after_window, before_end = _audit_window(since, until)
    project = (Project.id.label("project_id"), Project.code, Project.name, Project.status)
    scope = Project.id.in_(project_ids) if project_ids is not None else sa.true()
    created = (
        sa.select(*project, sa.func.min(AuditLog.at).label("day"))
        .join(AuditLog, sa.and_(AuditLog.entity == "project", AuditLog.entity_id == Project.id))
        .where(AuditLog.action == "create", after_window, before_end, scope)
        .group_by(Project.id, Project.code, Project.name, Project.status)
        .order_by(sa.func.min(AuditLog.at), Project.code)
    )
    status_after = AuditLog.after["status"].as_string()
    audited = (
        sa.select(AuditLog.entity_id.label("project_id"), sa.func.max(AuditLog.at).label("at"))
        .where(
            AuditLog.entity == "project",
            AuditLog.action == "update",
            status_after.in_(CLOSED_STATUSES),
            after_window,
            before_end,
        )
        .group_by(AuditLog.entity_id)
        .subquery()
    )
    closed = (
        sa.select(
            *project,
            sa.func.coalesce(sa.func.date(audited.c.at), Project.actual_finish).label("day"),
        )
        .outerjoin(audited, audited.c.project_id == Project.id)
        .where(
            scope,
            Project.status.in_(CLOSED_STATUSES),
            sa.or_(
                audited.c.project_id.is_not(None),
                sa.and_(Project.actual_finish > since, Project.actual_finish <= until),
            ),
        )
    )
    return {
        "new": as_dates(read_df(created, url=url), ("day",)),
        "closed": as_dates(read_df(closed, url=url), ("day",)),
    }


def change_tables(
    since: dt.date,
    until: dt.date,
    settings: dict,
    *,
    url: str | None = None,
    project_ids: Sequence[int] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every change between the two days, as the tables `domain.changes.build_changes` takes,
    each with a `project_id` column."""
    risks = risk_changes(since, until, band_params(settings), url, project_ids)
    projects = project_changes(since, until, url, project_ids)
    return {
        "health": health_changes(since, until, url, project_ids),
        "risks_new": risks["new"],
        "risks_closed": risks["closed"],
        "risks_band": risks["band"],
        "milestones": milestone_changes(since, until, url, project_ids),
        "projects_new": projects["new"],
        "projects_closed": projects["closed"],
    }
