"""Per-project figures for the feed, aggregated in SQL: the Baseline Execution Index on the day
(as domain.milestones.bei_series counts it) and the open threats' total exposure."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access.core.db import read_df

# Among the milestones in the plan on the day: completed by then / baseline date passed.
PROJECT_EXTRAS_SQL = """
SELECT p.id,
       COALESCE(m.completed, 0) AS milestones_completed,
       COALESCE(m.passed, 0) AS milestones_baseline_passed,
       COALESCE(r.exposure, 0) AS risk_exposure
FROM project p
LEFT JOIN (
    SELECT project_id,
           SUM(CASE WHEN actual_date IS NOT NULL AND actual_date <= :today THEN 1 ELSE 0 END)
               AS completed,
           SUM(CASE WHEN baseline_date <= :today THEN 1 ELSE 0 END) AS passed
    FROM milestone
    WHERE added_on <= :today AND (removed_on IS NULL OR removed_on > :today)
    GROUP BY project_id
) m ON m.project_id = p.id
LEFT JOIN (
    SELECT project_id, SUM(probability * impact) AS exposure
    FROM risk WHERE status = 'open' AND kind = 'threat'
    GROUP BY project_id
) r ON r.project_id = p.id
"""


def project_extras(today: dt.date, url: str | None = None) -> pd.DataFrame:
    """One row per project: id, milestones completed and baseline-passed, risk exposure."""
    return read_df(PROJECT_EXTRAS_SQL, {"today": today}, url=url)
