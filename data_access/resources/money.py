"""Money over time from the weekly status reports, aggregated in SQL (SQLite and PostgreSQL).

Per-project figures (budget, cost to date, forecast, percent complete, the latest planned value)
are already in data_access.portfolio.reads.project_facts; this module adds their history.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa

from data_access.core.db import read_df
from data_access.core.sql import as_dates

# Each project's figures are turned into week-on-week changes (LAG), summed per reporting day
# and accumulated (a window over the sums): a project that stops reporting keeps its last
# figures in the total instead of dropping out of it. Planned value is carried forward with a
# running MAX, so a report that leaves it empty neither removes nor repeats it.
SPEND_HISTORY_SQL = """
WITH r AS (
    SELECT s.project_id, s.report_date,
           s.cost_to_date - LAG(s.cost_to_date, 1, 0) OVER w AS d_ac,
           (s.percent_complete - LAG(s.percent_complete, 1, 0) OVER w) / 100.0
               * p.approved_budget AS d_ev,
           MAX(s.planned_value) OVER w AS pv
    FROM status_report s JOIN project p ON p.id = s.project_id
    {where}
    WINDOW w AS (PARTITION BY s.project_id ORDER BY s.report_date
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
d AS (
    SELECT report_date, d_ac, d_ev,
           COALESCE(pv, 0) - COALESCE(LAG(pv) OVER w, 0) AS d_pv,
           CASE WHEN LAG(report_date) OVER w IS NULL THEN 1 ELSE 0 END AS first_report,
           CASE WHEN pv IS NOT NULL AND LAG(pv) OVER w IS NULL THEN 1 ELSE 0 END AS first_pv
    FROM r
    WINDOW w AS (PARTITION BY project_id ORDER BY report_date)
)
SELECT report_date,
       SUM(SUM(d_ac)) OVER (ORDER BY report_date) AS ac,
       SUM(SUM(d_ev)) OVER (ORDER BY report_date) AS ev,
       SUM(SUM(d_pv)) OVER (ORDER BY report_date) AS pv,
       SUM(SUM(first_report)) OVER (ORDER BY report_date) AS projects,
       SUM(SUM(first_pv)) OVER (ORDER BY report_date) AS projects_with_pv
FROM d
GROUP BY report_date
ORDER BY report_date
"""


def spend_history(project_ids: Sequence[int] | None = None, url: str | None = None) -> pd.DataFrame:
    """Cumulative actual cost (AC), earned value (EV = % complete x budget) and reported
    planned value (PV) of the projects, per reporting day, with how many projects reported
    so far and how many of them reported a planned value."""
    if project_ids is None:
        statement, params = sa.text(SPEND_HISTORY_SQL.format(where="")), {}
    else:
        statement = sa.text(
            SPEND_HISTORY_SQL.format(where="WHERE s.project_id IN :ids")
        ).bindparams(sa.bindparam("ids", expanding=True))
        params = {"ids": list(project_ids)}
    df = read_df(statement, params, url=url)
    for col in ("ac", "ev", "pv"):
        df[col] = df[col].astype(float)
    return as_dates(df, ("report_date",))


def projects_without_plan(
    project_ids: Sequence[int] | None = None, url: str | None = None
) -> pd.DataFrame:
    """Projects that have status reports but never reported a planned value: their planned
    spend is derived from baseline dates and budget."""
    where = "" if project_ids is None else "AND p.id IN :ids"
    statement = sa.text(
        f"""SELECT p.id, p.approved_budget, p.baseline_start, p.baseline_finish
            FROM project p
            WHERE EXISTS (SELECT 1 FROM status_report s WHERE s.project_id = p.id)
              AND NOT EXISTS (SELECT 1 FROM status_report s WHERE s.project_id = p.id
                              AND s.planned_value IS NOT NULL)
              {where}"""
    )
    params = {}
    if project_ids is not None:
        statement = statement.bindparams(sa.bindparam("ids", expanding=True))
        params = {"ids": list(project_ids)}
    df = read_df(statement, params, url=url)
    return as_dates(df, ("baseline_start", "baseline_finish"))


def project_reports(project_id: int, url: str | None = None) -> pd.DataFrame:
    """One project's money history: one row per status report."""
    df = read_df(
        """SELECT s.report_date, s.cost_to_date AS ac,
                  s.percent_complete / 100.0 * p.approved_budget AS ev,
                  s.planned_value AS pv, s.forecast_at_completion AS eac, s.percent_complete
           FROM status_report s JOIN project p ON p.id = s.project_id
           WHERE s.project_id = :id ORDER BY s.report_date""",
        {"id": project_id},
        url=url,
    )
    return as_dates(df, ("report_date",))
