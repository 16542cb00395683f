"""Portfolio reads: one row per project with everything health needs, aggregated in SQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access.core.db import read_df
from data_access.core.sql import as_dates, latest_rows_cte

# The latest status report per project on or before :today, so a project never gets two rows.
LATEST_REPORT_CTE = latest_rows_cte(
    "latest", "status_report", "project_id", "report_date", ":today"
)

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
"""

# Latest status report per project, overdue milestones and the highest open threat score are
# aggregated by the database, so the page receives one row per project however much history
# is stored.
PROJECT_FACTS_SQL = f"""
WITH {LATEST_REPORT_CTE},
overdue AS (
    SELECT project_id, COUNT(*) AS overdue_milestones
    FROM milestone
    WHERE actual_date IS NULL AND removed_on IS NULL AND forecast_date < :today
    GROUP BY project_id
),
risk_max AS (
    SELECT project_id,
           MAX(probability * impact) AS max_risk_score,
           SUM(CASE WHEN probability * impact >= :high_from THEN 1 ELSE 0 END) AS high_risks
    FROM risk WHERE status = 'open' AND kind = 'threat'
    GROUP BY project_id
)
{PROJECT_ROWS_SQL}"""

DATE_COLUMNS = (
    "baseline_start",
    "baseline_finish",
    "forecast_finish",
    "actual_finish",
    "last_report_date",
)


def project_facts(today: dt.date, high_from: int = 10, url: str | None = None) -> pd.DataFrame:
    """One row per project: record, latest report, overdue milestones, worst open risk."""
    df = read_df(PROJECT_FACTS_SQL, {"today": today, "high_from": high_from}, url=url)
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
