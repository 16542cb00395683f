"""Health inputs as they stood on a past day, and the weekly health snapshots.

`project_facts_as_of(day)` gives the same columns as `portfolio.project_facts`, rebuilt from
the append-only history: the latest status report on or before the day, each milestone's
state from its history, each risk's latest assessment, and the project record with every
audited change made after the day undone. The portfolio page compares today with the
previous reporting week through it, so both sides go through the same health rules.

`weekly_overall` reads the overall RAG that each weekly status report recorded.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from contextlib import suppress

import pandas as pd
import sqlalchemy as sa

from data_access.core.db import read_df
from data_access.core.sql import as_dates, in_scope, latest_rows_cte, scoped_query
from data_access.portfolio.reads import DATE_COLUMNS, PROJECT_ROWS_SQL, latest_report_cte


def project_facts_as_of_sql(only) -> str:
    """`only(column)`: the condition (` AND ...`) keeping some projects' rows."""
    return f"""
WITH {latest_report_cte(only("project_id"))},
{
        latest_rows_cte(
            "ms_last",
            "milestone_history",
            "milestone_id",
            "reported_on",
            ":today",
            only("project_id"),
        )
    },
ms_state AS (
    SELECT h.project_id, h.change, h.forecast_date, h.actual_date
    FROM milestone_history h JOIN ms_last l ON l.id = h.id
    UNION ALL
    -- Milestones written without history rows (direct loads) count as they stand.
    SELECT m.project_id,
           CASE WHEN m.removed_on <= :today THEN 'removed' ELSE 'created' END,
           m.forecast_date,
           CASE WHEN m.actual_date <= :today THEN m.actual_date END
    FROM milestone m
    WHERE m.added_on <= :today{only("m.project_id")}
      AND NOT EXISTS (SELECT 1 FROM milestone_history h WHERE h.milestone_id = m.id)
),
overdue AS (
    SELECT project_id, COUNT(*) AS overdue_milestones
    FROM ms_state
    WHERE change <> 'removed' AND actual_date IS NULL AND forecast_date < :today
    GROUP BY project_id
),
{
        latest_rows_cte(
            "risk_last", "risk_assessment", "risk_id", "assessed_on", ":today", only("project_id")
        )
    },
risk_state AS (
    SELECT r.project_id, a.probability * a.impact AS score
    FROM risk_assessment a JOIN risk_last l ON l.id = a.id JOIN risk r ON r.id = a.risk_id
    WHERE a.status = 'open' AND r.kind = 'threat'
    UNION ALL
    -- Risks written without assessments count from their raising to their closing.
    SELECT r.project_id, r.probability * r.impact
    FROM risk r
    WHERE r.kind = 'threat' AND r.raised_on <= :today{only("r.project_id")}
      AND (r.closed_on IS NULL OR r.closed_on > :today)
      AND NOT EXISTS (SELECT 1 FROM risk_assessment a WHERE a.risk_id = r.id)
),
risk_max AS (
    SELECT project_id, MAX(score) AS max_risk_score,
           SUM(CASE WHEN score >= :high_from THEN 1 ELSE 0 END) AS high_risks
    FROM risk_state GROUP BY project_id
)
{PROJECT_ROWS_SQL.format(scope=only("p.id"))}"""


# Project changes audited after the day, oldest first: the first change of a field after the
# day holds, in `before`, the value the field had on the day.
PROJECT_CHANGES_SQL = """
SELECT entity_id AS project_id, action, before
FROM audit_log
WHERE entity = 'project' AND action IN ('create', 'update') AND at >= :after{scope}
ORDER BY id
"""

# Fields of the project record that health or the tiles read, undone to their value on the day.
ROLLBACK_FIELDS = (
    "phase",
    "status",
    "baseline_start",
    "baseline_finish",
    "forecast_finish",
    "actual_finish",
    "approved_budget",
    "actual_cost",
    "forecast_at_completion",
    "percent_complete",
)


def project_facts_as_of(
    day: dt.date,
    high_from: int = 10,
    url: str | None = None,
    project_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """One row per project (of `project_ids` only, if given) that existed at the end of `day`,
    with its health inputs then."""
    params = {"today": day, "high_from": high_from}
    sql = project_facts_as_of_sql(lambda column: in_scope(column, project_ids, url))
    facts = read_df(scoped_query(sql, params, project_ids, url), params, url=url)
    # Audit times are UTC; the day ends at midnight UTC.
    params = {"after": dt.datetime.combine(day + dt.timedelta(days=1), dt.time())}
    sql = PROJECT_CHANGES_SQL.format(scope=in_scope("entity_id", project_ids, url))
    statement = scoped_query(sql, params, project_ids, url).bindparams(
        sa.bindparam("after", type_=sa.DateTime())
    )
    changes = read_df(statement, params, url=url)
    created_later = changes.loc[changes.action == "create", "project_id"]
    facts = facts[~facts.id.isin(created_later)].set_index("id", drop=False)
    updates = changes[changes.action == "update"]
    # One row per (project, field) changed after the day; keep the first change's old value.
    undo = pd.DataFrame(
        [
            (pid, field, value)
            for pid, before in zip(updates.project_id, updates.before, strict=True)
            for field, value in _as_dict(before).items()
            if field in ROLLBACK_FIELDS
        ],
        columns=["project_id", "field", "value"],
    ).drop_duplicates(["project_id", "field"], keep="first")
    undo = undo[undo.project_id.isin(facts.index)]
    for field, rows in undo.groupby("field"):
        dtype = facts[field].dtype
        facts[field] = facts[field].astype(object)
        facts.loc[rows.project_id, field] = rows.value.to_numpy()
        # Back to the column's type (figures stay numbers), so facts on any day look alike.
        with suppress(TypeError, ValueError):
            facts[field] = facts[field].astype(dtype)
    return as_dates(facts.reset_index(drop=True), DATE_COLUMNS)


def _as_dict(value) -> dict:
    # PostgreSQL returns JSON columns decoded, SQLite as text.
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


# The overall RAG in force at the end of each week: the latest report on or before the week's
# end. LEAD() gives each report the date it was replaced, so a report covers the weeks from its
# date up to (not including) its successor's, and each week matches exactly one report. Only
# the reports inside the period, plus the one in force when it began, are ordered.
WEEKLY_OVERALL_SQL = f"""
WITH weeks(week_end, stale_before) AS (VALUES {{weeks}}),
{latest_rows_cte("carried", "status_report", "project_id", "report_date", ":first_end", "{scope}")},
candidates AS (
    SELECT sr.id, sr.project_id, sr.report_date, sr.overall_rag FROM status_report sr
    WHERE sr.report_date > :first_end AND sr.report_date <= :last_end{{only}}
    UNION ALL
    SELECT sr.id, sr.project_id, sr.report_date, sr.overall_rag
    FROM status_report sr JOIN carried c ON c.id = sr.id
    WHERE 1 = 1{{only}}
),
spans AS (
    SELECT project_id, report_date, overall_rag,
           LEAD(report_date) OVER (PARTITION BY project_id ORDER BY report_date, id) AS replaced_on
    FROM candidates
)
SELECT s.project_id, w.week_end, s.report_date,
       CASE
           WHEN p.status = 'completed' AND p.actual_finish <= w.week_end THEN 'C'
           WHEN s.overall_rag = 'G' AND s.report_date <= w.stale_before
                AND p.status NOT IN ('completed', 'cancelled', 'proposed') THEN 'S'
           ELSE s.overall_rag
       END AS rag
FROM spans s
JOIN weeks w ON s.report_date <= w.week_end
            AND (s.replaced_on IS NULL OR s.replaced_on > w.week_end)
JOIN project p ON p.id = s.project_id
"""


def weekly_overall(
    week_ends: list[dt.date],
    stale_days: int = 14,
    project_ids: Sequence[int] | None = None,
    url: str | None = None,
) -> pd.DataFrame:
    """Per project and week: the overall RAG its latest report recorded by the week's end.

    Columns project_id, week_end, report_date, rag (G/A/R as reported; S when that report was
    Green but `stale_days` or more old; C once a completed project has finished). Weeks
    before a project's first report have no row. `project_ids`: those projects only.
    """
    columns = ["project_id", "week_end", "report_date", "rag"]
    if not week_ends:
        return pd.DataFrame(columns=columns)
    week_ends = sorted(week_ends)
    params: dict = {"first_end": week_ends[0], "last_end": week_ends[-1]}
    rows = []
    for i, end in enumerate(week_ends):
        params[f"e{i}"], params[f"s{i}"] = end, end - dt.timedelta(days=stale_days)
        rows.append(f"(:e{i}, :s{i})")
    sql = WEEKLY_OVERALL_SQL.format(
        weeks=", ".join(rows),
        only=in_scope("sr.project_id", project_ids, url),
        scope=in_scope("project_id", project_ids, url),
    )
    df = read_df(scoped_query(sql, params, project_ids, url), params, url=url)
    return as_dates(df, ("week_end", "report_date"))[columns]
