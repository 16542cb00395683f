"""Reads for the one-screen status report of a single project (the project page)."""

from __future__ import annotations

import pandas as pd

from data_access.core.db import read_df
from data_access.core.sql import as_dates

REPORTS_SQL = """
SELECT sr.id, sr.report_date, sr.schedule_rag, sr.cost_rag, sr.scope_rag, sr.risk_rag,
       sr.overall_rag, sr.override_rag, sr.override_reason, sr.summary, sr.achievements,
       sr.next_steps, sr.blockers, sr.percent_complete, sr.cost_to_date,
       sr.forecast_at_completion, sr.planned_value, sr.created_at, a.name AS author
FROM status_report sr
LEFT JOIN person a ON a.id = sr.author_id
WHERE sr.project_id = :project_id
ORDER BY sr.report_date, sr.id
"""

MILESTONES_SQL = """
SELECT m.id, m.name, m.baseline_date, m.forecast_date, m.actual_date, m.is_key,
       m.added_on, COALESCE(h.moves, 0) AS forecast_changes
FROM milestone m
LEFT JOIN (
    SELECT milestone_id, COUNT(*) AS moves
    FROM milestone_history
    WHERE change = 'forecast' AND project_id = :project_id
    GROUP BY milestone_id
) h ON h.milestone_id = m.id
WHERE m.project_id = :project_id AND m.removed_on IS NULL
ORDER BY m.baseline_date, m.id
"""

OPEN_RISKS_SQL = """
SELECT r.id, r.title, r.kind, r.category, r.probability, r.impact,
       r.probability * r.impact AS score, r.residual_probability * r.residual_impact AS residual,
       o.name AS owner, r.response, r.mitigation, r.response_due, r.proximity,
       r.last_assessed_on
FROM risk r
LEFT JOIN person o ON o.id = r.owner_id
WHERE r.project_id = :project_id AND r.status = 'open'
ORDER BY r.kind DESC, score DESC, r.id
"""


def reports(project_id: int, url: str | None = None) -> pd.DataFrame:
    """Every status report of the project, oldest first, with its author's name."""
    df = read_df(REPORTS_SQL, {"project_id": project_id}, url=url)
    return as_dates(df, ("report_date",))


def milestones(project_id: int, url: str | None = None) -> pd.DataFrame:
    """The project's milestones in the plan, by baseline date, with how often they moved."""
    df = read_df(MILESTONES_SQL, {"project_id": project_id}, url=url)
    df["is_key"] = df.is_key.astype(bool)
    return as_dates(df, ("baseline_date", "forecast_date", "actual_date", "added_on"))


def open_risks(project_id: int, url: str | None = None) -> pd.DataFrame:
    """Open threats, highest score first, then open opportunities."""
    df = read_df(OPEN_RISKS_SQL, {"project_id": project_id}, url=url)
    return as_dates(df, ("response_due", "proximity", "last_assessed_on"))
