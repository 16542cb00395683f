"""Portfolio reads: one row per project with everything health needs, aggregated in SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from data_access.core.db import read_df
from data_access.core.sql import as_dates, in_scope, latest_rows_cte, scoped_query


def latest_report_cte(scope: str = "") -> str:
    """The latest status report per project on or before :today, so a project never gets two
    rows (`scope`: of some projects only, ` AND project_id ...`)."""
    return latest_rows_cte("latest", "status_report", "project_id", "report_date", ":today", scope)


# One row per project from the CTEs `latest` (project_id, id of its report), `overdue`
# (project_id, overdue_milestones) and `risk_max` (project_id, max_risk_score, high_risks).
PROJECT_ROWS_SQL = """
SELECT p.id, p.code, p.name, p.program_id, pg.name AS program, pg.portfolio_id,
       pf.name AS portfolio, p.department_id, d.name AS department, p.manager_id,
       m.name AS manager, p.sponsor_id, s.name AS sponsor, p.phase, p.status, p.priority,
       p.baseline_start, p.baseline_finish, p.forecast_finish, p.actual_finish,
       p.approved_budget, p.actual_cost, p.forecast_at_completion, p.percent_complete,
       p.version,
       sr.report_date AS last_report_date, sr.scope_rag AS reported_scope_rag,
       sr.schedule_rag AS reported_schedule_rag, sr.cost_rag AS reported_cost_rag,
       sr.risk_rag AS reported_risk_rag, sr.override_rag, sr.override_reason,
       sr.planned_value, sr.summary, ra.name AS report_author,
       COALESCE(o.overdue_milestones, 0) AS overdue_milestones,
       COALESCE(r.max_risk_score, 0) AS max_risk_score,
       COALESCE(r.high_risks, 0) AS high_risks
FROM project p
JOIN program pg ON pg.id = p.program_id
JOIN portfolio pf ON pf.id = pg.portfolio_id
JOIN department d ON d.id = p.department_id
LEFT JOIN person m ON m.id = p.manager_id
LEFT JOIN person s ON s.id = p.sponsor_id
LEFT JOIN latest l ON l.project_id = p.id
LEFT JOIN status_report sr ON sr.id = l.id
LEFT JOIN person ra ON ra.id = sr.author_id
LEFT JOIN overdue o ON o.project_id = p.id
LEFT JOIN risk_max r ON r.project_id = p.id
WHERE 1 = 1{scope}
"""


def project_facts_sql(only) -> str:
    """Latest status report per project, overdue milestones and the highest open threat score,
    aggregated by the database, so the page receives one row per project however much history
    is stored. `only(column)`: the condition (` AND ...`) keeping some projects' rows."""
    return f"""
WITH {latest_report_cte(only("project_id"))},
overdue AS (
    SELECT project_id, COUNT(*) AS overdue_milestones
    FROM milestone
    WHERE actual_date IS NULL AND removed_on IS NULL AND forecast_date < :today{only("project_id")}
    GROUP BY project_id
),
risk_max AS (
    SELECT project_id,
           MAX(probability * impact) AS max_risk_score,
           SUM(CASE WHEN probability * impact >= :high_from THEN 1 ELSE 0 END) AS high_risks
    FROM risk WHERE status = 'open' AND kind = 'threat'{only("project_id")}
    GROUP BY project_id
)
{PROJECT_ROWS_SQL.format(scope=only("p.id"))}"""


DATE_COLUMNS = (
    "baseline_start",
    "baseline_finish",
    "forecast_finish",
    "actual_finish",
    "last_report_date",
)


def project_facts(
    today: dt.date,
    high_from: int = 10,
    url: str | None = None,
    project_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """One row per project (of `project_ids` only, if given): record, latest report, overdue
    milestones, worst open risk."""
    params = {"today": today, "high_from": high_from}
    sql = project_facts_sql(lambda column: in_scope(column, project_ids, url))
    df = read_df(scoped_query(sql, params, project_ids, url), params, url=url)
    return as_dates(df, DATE_COLUMNS)


def filter_options(url: str | None = None) -> dict[str, list[str]]:
    """Distinct values for the sidebar filters, ordered for a picker."""
    queries = {
        "portfolio": "SELECT name FROM portfolio ORDER BY name",
        "program": "SELECT name FROM program ORDER BY name",
        "department": "SELECT name FROM department ORDER BY name",
        "manager": "SELECT DISTINCT m.name FROM project p JOIN person m ON m.id = p.manager_id "
        "ORDER BY m.name",
    }
    return {key: read_df(sql, url=url)["name"].tolist() for key, sql in queries.items()}
