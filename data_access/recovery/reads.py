"""Reads of the path to green: the recovery state of projects, the history of their expected
back-to-green date, open recovery actions and escalations. Aggregated in SQL; dates come
back as `datetime.date`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from data_access.core.db import read_df
from data_access.core.sql import as_dates

# The current off-Green episode of a project starts after its last Green report. Within it:
# since when it is off Green, its newest plan, and how often the expected back-to-green date
# moved later from one plan to the next (a slip). Each part reads only the projects asked for.
RECOVERY_SQL = """
WITH green AS (
    SELECT project_id, MAX(report_date) AS green_on
    FROM status_report WHERE overall_rag = 'G' {only_project} GROUP BY project_id
),
off_green AS (
    SELECT sr.project_id, MIN(sr.report_date) AS off_green_since
    FROM status_report sr LEFT JOIN green g ON g.project_id = sr.project_id
    WHERE sr.overall_rag <> 'G' AND (g.green_on IS NULL OR sr.report_date > g.green_on)
          {only_sr}
    GROUP BY sr.project_id
),
plans AS (
    SELECT rp.project_id, rp.report_date, rp.expected_green_date, rp.cause, rp.confidence,
           rp.note,
           LAG(rp.expected_green_date) OVER (
               PARTITION BY rp.project_id ORDER BY rp.report_date, rp.id) AS previous_date,
           ROW_NUMBER() OVER (
               PARTITION BY rp.project_id ORDER BY rp.report_date DESC, rp.id DESC) AS newest
    FROM recovery_plan rp LEFT JOIN green g ON g.project_id = rp.project_id
    WHERE (g.green_on IS NULL OR rp.report_date > g.green_on) {only_rp}
),
episode AS (
    SELECT project_id, COUNT(*) AS plans,
           SUM(CASE WHEN expected_green_date > previous_date THEN 1 ELSE 0 END) AS slips,
           MIN(expected_green_date) AS first_green_date
    FROM plans GROUP BY project_id
),
actions AS (
    SELECT project_id, COUNT(*) AS open_actions,
           SUM(CASE WHEN due_date < :today THEN 1 ELSE 0 END) AS overdue_actions
    FROM action WHERE origin = 'recovery' AND status = 'open' {only_project}
    GROUP BY project_id
),
escalations AS (
    SELECT project_id, COUNT(*) AS open_escalations,
           SUM(CASE WHEN needed_by < :today THEN 1 ELSE 0 END) AS overdue_escalations
    FROM escalation WHERE status = 'open' {only_project} GROUP BY project_id
)
SELECT p.id AS project_id, o.off_green_since, pl.report_date AS plan_reported_on,
       pl.expected_green_date, pl.cause, pl.confidence, pl.note,
       COALESCE(e.plans, 0) AS plans, COALESCE(e.slips, 0) AS slips, e.first_green_date,
       COALESCE(a.open_actions, 0) AS open_actions,
       COALESCE(a.overdue_actions, 0) AS overdue_actions,
       COALESCE(x.open_escalations, 0) AS open_escalations,
       COALESCE(x.overdue_escalations, 0) AS overdue_escalations
FROM project p
LEFT JOIN off_green o ON o.project_id = p.id
LEFT JOIN plans pl ON pl.project_id = p.id AND pl.newest = 1
LEFT JOIN episode e ON e.project_id = p.id
LEFT JOIN actions a ON a.project_id = p.id
LEFT JOIN escalations x ON x.project_id = p.id
WHERE 1 = 1 {only_p}
ORDER BY p.id
"""

DATES = ("off_green_since", "plan_reported_on", "expected_green_date", "first_green_date")
COUNTS = ("plans", "slips", "open_actions", "overdue_actions")
COUNTS += ("open_escalations", "overdue_escalations")


def _ids_clause(project_ids, column: str) -> tuple[str, dict]:
    if project_ids is None:
        return "", {}
    ids = [int(i) for i in project_ids] or [-1]
    names = {f"id{i}": v for i, v in enumerate(ids)}
    return f"WHERE {column} IN ({', '.join(':' + n for n in names)})", names


def _only(project_ids, column: str) -> tuple[str, dict]:
    """`AND column IN (...)` for the projects asked for (nothing for all)."""
    where, params = _ids_clause(project_ids, column)
    return where.replace("WHERE", "AND", 1), params


def recovery_status(today: dt.date, project_ids=None, url: str | None = None) -> pd.DataFrame:
    """One row per project (all, or `project_ids`): its current off-Green episode."""
    sql = RECOVERY_SQL.format(
        **{
            name: _only(project_ids, column)[0]
            for name, column in (
                ("only_project", "project_id"),
                ("only_sr", "sr.project_id"),
                ("only_rp", "rp.project_id"),
                ("only_p", "p.id"),
            )
        }
    )
    params = _only(project_ids, "p.id")[1]
    df = read_df(sql, {"today": today, **params}, url=url)
    for column in COUNTS:
        df[column] = df[column].astype(int)
    return as_dates(df, DATES)


def green_date_history(project_ids, url: str | None = None) -> pd.DataFrame:
    """Every plan of the projects in report order: the expected back-to-green date as it was
    reported, with whether it moved later than the project's plan before (a slip)."""
    where, params = _ids_clause(project_ids, "rp.project_id")
    df = read_df(
        f"""
        SELECT rp.project_id, rp.report_date, rp.expected_green_date, rp.cause, rp.confidence,
               sr.overall_rag,
               CASE WHEN rp.expected_green_date > LAG(rp.expected_green_date) OVER (
                   PARTITION BY rp.project_id ORDER BY rp.report_date, rp.id)
                    THEN 1 ELSE 0 END AS slipped
        FROM recovery_plan rp JOIN status_report sr ON sr.id = rp.status_report_id
        {where}
        ORDER BY rp.project_id, rp.report_date, rp.id
        """,
        params,
        url=url,
    )
    df["slipped"] = df["slipped"].astype(bool)
    return as_dates(df, ("report_date", "expected_green_date"))


def latest_plan(project_id: int, url: str | None = None) -> dict[str, Any] | None:
    """The plan carried by the project's newest status update, or None when it had none."""
    df = read_df(
        """
        SELECT rp.cause, rp.expected_green_date, rp.confidence, rp.note
        FROM recovery_plan rp
        WHERE rp.status_report_id = (
            SELECT id FROM status_report WHERE project_id = :pid
            ORDER BY report_date DESC, id DESC LIMIT 1)
        """,
        {"pid": project_id},
        url=url,
    )
    return as_dates(df, ("expected_green_date",)).iloc[0].to_dict() if len(df) else None


def recovery_actions(project_ids, *, open_only: bool = False, url: str | None = None):
    """The projects' recovery actions, open ones first by due date, then the done ones."""
    where, params = _ids_clause(project_ids, "a.project_id")
    conditions = [where.removeprefix("WHERE ") or "1 = 1", "a.origin = 'recovery'"]
    if open_only:
        conditions.append("a.status = 'open'")
    df = read_df(
        f"""
        SELECT a.id, a.project_id, a.title, a.owner_id, o.name AS owner, a.due_date, a.status,
               a.closed_on, a.version
        FROM action a LEFT JOIN person o ON o.id = a.owner_id
        WHERE {" AND ".join(conditions)}
        ORDER BY a.project_id, CASE WHEN a.status = 'open' THEN 0 ELSE 1 END, a.due_date, a.id
        """,
        params,
        url=url,
    )
    return as_dates(df, ("due_date", "closed_on"))


ESCALATIONS_SQL = """
SELECT x.id, x.project_id, p.code, p.name AS project, x.ask, x.reason, x.asked_of,
       x.asked_person_id, ap.name AS asked_person, rb.name AS raised_by, x.raised_on,
       x.needed_by, x.status, x.answered_on, d.title AS decision, d.description AS decision_details,
       x.version
FROM escalation x
JOIN project p ON p.id = x.project_id
LEFT JOIN person ap ON ap.id = x.asked_person_id
LEFT JOIN person rb ON rb.id = x.raised_by_id
LEFT JOIN raid_item d ON d.id = x.decision_id
{where}
ORDER BY CASE WHEN x.status = 'open' THEN 0 ELSE 1 END, x.needed_by, x.id
"""


def escalations(
    today: dt.date,
    *,
    project_ids=None,
    open_only: bool = False,
    asked_person_id: int | None = None,
    url: str | None = None,
) -> pd.DataFrame:
    """Escalations with who asked what of whom, by when, whether overdue (open past the
    date needed) and the decision that answered them."""
    where, params = _ids_clause(project_ids, "x.project_id")
    conditions = [where.removeprefix("WHERE ")] if where else []
    if open_only:
        conditions.append("x.status = 'open'")
    if asked_person_id is not None:
        conditions.append("x.asked_person_id = :person")
        params["person"] = asked_person_id
    clause = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    df = as_dates(
        read_df(ESCALATIONS_SQL.format(where=clause), params, url=url),
        ("raised_on", "needed_by", "answered_on"),
    )
    df["overdue"] = (df.status == "open") & df.needed_by.map(lambda d: d is not None and d < today)
    return df
