"""Reads for the review slides: a project's next milestones and top risks, the portfolio's
milestones due or overdue, its top risks and the probability x impact counts.

`project_ids=None` means the whole portfolio; a list restricts to those projects (the
shared filters). Limits are applied in SQL, with the full count beside, so a slide says
"and N more" honestly without fetching N rows.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from data_access.core.db import read_df
from data_access.core.sql import as_dates
from data_access.meeting.changes import band_case


def _scoped(sql: str, project_ids, column: str) -> tuple[sa.TextClause, dict]:
    """Add `AND <column> IN (:ids)` where the caller restricts to some projects."""
    if project_ids is None:
        return sa.text(sql.replace("/*scope*/", "")), {}
    statement = sa.text(sql.replace("/*scope*/", f"AND {column} IN :ids")).bindparams(
        sa.bindparam("ids", expanding=True)
    )
    return statement, {"ids": [int(i) for i in project_ids] or [-1]}


PROJECT_MILESTONES_SQL = """
SELECT * FROM (
    SELECT m.project_id, m.id AS milestone_id, m.name AS milestone, m.baseline_date,
           m.forecast_date, m.actual_date, m.is_key,
           ROW_NUMBER() OVER (PARTITION BY m.project_id ORDER BY m.forecast_date, m.id) AS rn,
           COUNT(*) OVER (PARTITION BY m.project_id) AS open_count
    FROM milestone m
    WHERE m.actual_date IS NULL AND m.removed_on IS NULL /*scope*/
) ranked WHERE rn <= :per_project
ORDER BY project_id, rn
"""


def project_milestones(project_ids, per_project: int = 6, url: str | None = None) -> pd.DataFrame:
    """Each project's next open milestones (overdue ones first, as they come earliest)."""
    sql, params = _scoped(PROJECT_MILESTONES_SQL, project_ids, "m.project_id")
    df = read_df(sql, {**params, "per_project": per_project}, url=url)
    return as_dates(df, ("baseline_date", "forecast_date", "actual_date"))


DUE_MILESTONES_SQL = """
SELECT * FROM (
    SELECT m.project_id, p.code, p.name AS project, m.id AS milestone_id, m.name AS milestone,
           m.baseline_date, m.forecast_date, m.is_key,
           COUNT(*) OVER () AS total,
           SUM(CASE WHEN m.forecast_date < :today THEN 1 ELSE 0 END) OVER () AS overdue_total
    FROM milestone m JOIN project p ON p.id = m.project_id
    WHERE m.actual_date IS NULL AND m.removed_on IS NULL AND m.forecast_date <= :horizon
      AND p.status IN ('active', 'on hold') /*scope*/
) due
ORDER BY forecast_date, milestone_id
LIMIT :limit
"""


def milestones_due(
    today: dt.date, horizon_days: int = 28, project_ids=None, limit: int = 12, url=None
) -> pd.DataFrame:
    """Open milestones overdue or due within the horizon, earliest first, with the totals."""
    sql, params = _scoped(DUE_MILESTONES_SQL, project_ids, "m.project_id")
    horizon = today + dt.timedelta(days=horizon_days)
    df = read_df(sql, {**params, "today": today, "horizon": horizon, "limit": limit}, url=url)
    return as_dates(df, ("baseline_date", "forecast_date"))


_OPEN_THREAT_COLUMNS = f"""
    r.project_id, p.code, p.name AS project, r.id AS risk_id, r.title,
    r.probability, r.impact, r.probability * r.impact AS score,
    {band_case("r.probability * r.impact")} AS band, o.name AS owner, r.response,
    r.response_due"""

TOP_RISKS_SQL = f"""
SELECT * FROM (
    SELECT {_OPEN_THREAT_COLUMNS},
           ROW_NUMBER() OVER (PARTITION BY r.project_id
                              ORDER BY r.probability * r.impact DESC, r.id) AS project_rank,
           COUNT(*) OVER () AS total
    FROM risk r JOIN project p ON p.id = r.project_id LEFT JOIN person o ON o.id = r.owner_id
    WHERE r.status = 'open' AND r.kind = 'threat' /*scope*/
) ranked
WHERE project_rank <= :per_project
ORDER BY score DESC, risk_id
LIMIT :limit
"""


def top_risks(
    bands: dict[str, int],
    project_ids=None,
    *,
    limit: int = 10,
    per_project: int = 1000,
    url: str | None = None,
) -> pd.DataFrame:
    """Open threats by score, highest first; `per_project` caps each project's share."""
    sql, params = _scoped(TOP_RISKS_SQL, project_ids, "r.project_id")
    df = read_df(sql, {**params, **bands, "limit": limit, "per_project": per_project}, url=url)
    return as_dates(df, ("response_due",))


MATRIX_SQL = """
SELECT r.probability, r.impact, COUNT(*) AS risks
FROM risk r
WHERE r.status = 'open' AND r.kind = 'threat' /*scope*/
GROUP BY r.probability, r.impact
"""


def risk_matrix(project_ids=None, url: str | None = None) -> pd.DataFrame:
    """Open threats counted per probability x impact cell (cells without risks are absent)."""
    sql, params = _scoped(MATRIX_SQL, project_ids, "r.project_id")
    return read_df(sql, params, url=url)
