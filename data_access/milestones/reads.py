"""Milestone reads: burndown event counts, trend (MTA) history and slippage lists.

Everything that scales with the portfolio is aggregated by the database: the burndown comes
back as one row per day on which some count changes (a few thousand rows at most, however many
milestones and history rows are stored), the lists come back as their first rows and a total.

`project_ids=None` means every project; otherwise only those projects' milestones count.
`baseline` is "current" (the milestone's baseline now) or "original" (the baseline it was
created with, kept in the 'created' history row; re-baselining never rewrites it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa

from data_access.core.db import get_engine, read_df, read_scalar
from data_access.core.sql import as_dates

BASELINES = ("current", "original")

# The original baseline of each milestone; a milestone written without history keeps its own.
# Only re-baselined milestones can differ, and they are few: look only those up.
_ORIGINAL_CTE = """original AS MATERIALIZED (
    SELECT milestone_id, MIN(baseline_date) AS baseline_date
    FROM milestone_history
    WHERE change = 'created' AND milestone_id IN (
        SELECT milestone_id FROM milestone_history WHERE change = 'rebaselined'
    )
    GROUP BY milestone_id
),"""


def _least(x: str, y: str) -> str:
    """The earlier of two dates where NULL means 'never' (portable: no LEAST/MIN(a, b))."""
    return f"CASE WHEN {x} IS NOT NULL AND ({y} IS NULL OR {x} < {y}) THEN {x} ELSE {y} END"


# Each milestone counts in a line on the half-open interval [added_on, end): the line's value
# on a day is (intervals started by then) - (intervals ended by then). So the database only has
# to count starts and ends per day; the page turns them into weekly values by cumulative sums.
#   scope:    in the plan until removed
#   planned:  ... and its baseline date is after the day
#   actual:   ... and not completed by the day
#   forecast: ... and its forecast date is after the day; an open milestone whose forecast
#             date has passed is counted as due tomorrow, so the forecast starts where the
#             actual line is today instead of dropping by the overdue milestones.
_BURNDOWN_SQL = """
WITH {original}
ms AS (
    SELECT m.added_on AS a, m.removed_on AS r, m.actual_date AS c,
           CASE WHEN m.forecast_date > :today THEN m.forecast_date ELSE :tomorrow END AS f,
           {baseline} AS b
    FROM milestone m {original_join}
    WHERE 1 = 1 {milestone_filter}
),
ends AS (
    SELECT a, r AS e_scope, {planned_end} AS e_planned, {actual_end} AS e_actual, f
    FROM ms
),
spans AS (
    SELECT a, e_scope, e_planned, e_actual, {forecast_end} AS e_forecast FROM ends
)
SELECT day, SUM(scope) AS scope, SUM(planned) AS planned, SUM(actual) AS actual,
       SUM(forecast) AS forecast
FROM (
    SELECT a AS day,
           CASE WHEN e_scope IS NULL OR e_scope > a THEN 1 ELSE 0 END AS scope,
           CASE WHEN e_planned > a THEN 1 ELSE 0 END AS planned,
           CASE WHEN e_actual IS NULL OR e_actual > a THEN 1 ELSE 0 END AS actual,
           CASE WHEN e_forecast > a THEN 1 ELSE 0 END AS forecast
    FROM spans
    UNION ALL SELECT e_scope, -1, 0, 0, 0 FROM spans WHERE e_scope > a
    UNION ALL SELECT e_planned, 0, -1, 0, 0 FROM spans WHERE e_planned > a
    UNION ALL SELECT e_actual, 0, 0, -1, 0 FROM spans WHERE e_actual > a
    UNION ALL SELECT e_forecast, 0, 0, 0, -1 FROM spans WHERE e_forecast > a
) events
GROUP BY day
ORDER BY day
"""

DELTA_COLUMNS = ("scope", "planned", "actual", "forecast")


def _check_baseline(baseline: str) -> None:
    if baseline not in BASELINES:
        raise ValueError(f"baseline must be one of {BASELINES}")


def _scoped(sql: str, project_ids: Sequence[int] | None, baseline: str, **fmt) -> sa.TextClause:
    """Fill the project filter and baseline choice into `sql`, with `:ids` as an IN list."""
    _check_baseline(baseline)
    original = baseline == "original"
    text = sql.format(
        original=_ORIGINAL_CTE if original else "",
        original_join="LEFT JOIN original o ON o.milestone_id = m.id" if original else "",
        baseline="COALESCE(o.baseline_date, m.baseline_date)" if original else "m.baseline_date",
        milestone_filter="AND m.project_id IN :ids" if project_ids is not None else "",
        **fmt,
    )
    statement = sa.text(text)
    if project_ids is not None:
        statement = statement.bindparams(sa.bindparam("ids", expanding=True))
    return statement


def _params(project_ids: Sequence[int] | None, **values) -> dict:
    return {**values, **({"ids": list(project_ids)} if project_ids is not None else {})}


def burndown_deltas(
    today: dt.date,
    project_ids: Sequence[int] | None = None,
    baseline: str = "current",
    url: str | None = None,
) -> pd.DataFrame:
    """Per day: how much each burndown line (scope, planned, actual, forecast) changes.

    A line's value on a day is the sum of its deltas up to and including that day.
    """
    statement = _scoped(
        _BURNDOWN_SQL,
        project_ids,
        baseline,
        planned_end=_least("r", "b"),
        actual_end=_least("r", "c"),
        forecast_end=_least("e_actual", "f"),
    )
    params = _params(project_ids, today=today, tomorrow=today + dt.timedelta(days=1))
    df = read_df(statement, params, url=url)
    df = as_dates(df, ("day",))
    for col in DELTA_COLUMNS:
        df[col] = df[col].astype(int)
    return df


def report_dates(today: dt.date, url: str | None = None) -> tuple[dt.date | None, dt.date | None]:
    """The portfolio's latest reporting date on or before `today` and the one before it."""
    latest = read_scalar(
        "SELECT MAX(report_date) FROM status_report WHERE report_date <= :today",
        {"today": today},
        url=url,
    )
    if latest is None:
        return None, None
    previous = read_scalar(
        "SELECT MAX(report_date) FROM status_report WHERE report_date < :latest",
        {"latest": latest},
        url=url,
    )
    return _to_date(latest), _to_date(previous)


def _to_date(value) -> dt.date | None:
    return None if value is None else pd.Timestamp(value).date()


def project_history(project_id: int, url: str | None = None) -> pd.DataFrame:
    """Every dated change of one project's milestones, with the milestone's current state.

    One project has a few dozen milestones at most, so its history rows are few.
    """
    df = read_df(
        """
        SELECT h.milestone_id, m.name AS milestone, m.is_key, h.reported_on, h.change,
               h.baseline_date, h.forecast_date, m.baseline_date AS current_baseline,
               m.forecast_date AS current_forecast, m.actual_date, m.removed_on
        FROM milestone_history h
        JOIN milestone m ON m.id = h.milestone_id
        WHERE h.project_id = :project_id
        ORDER BY m.baseline_date, h.milestone_id, h.reported_on, h.id
        """,
        {"project_id": project_id},
        url=url,
    )
    df["is_key"] = df["is_key"].astype(bool)
    return as_dates(
        df,
        (
            "reported_on",
            "baseline_date",
            "forecast_date",
            "current_baseline",
            "current_forecast",
            "actual_date",
            "removed_on",
        ),
    )


# --- slippage lists ---------------------------------------------------------------------

LISTS = ("slipped", "most_slipped", "due_2_weeks", "due_4_weeks", "overdue")

# Open milestones: not completed, still in the plan.
_OPEN_SQL = """
WITH {original}
{extra}
ms AS (
    SELECT m.id AS milestone_id, p.code, p.name AS project, m.name AS milestone, m.is_key,
           {baseline} AS baseline_date, m.forecast_date
    FROM milestone m JOIN project p ON p.id = m.project_id {original_join}
    WHERE m.actual_date IS NULL AND m.removed_on IS NULL {milestone_filter}
)
SELECT ms.*, {columns}, COUNT(*) OVER () AS total
FROM ms {join}
WHERE {where}
ORDER BY {order}
LIMIT :limit
"""

# The forecast each changed milestone had at the previous report.
_PREVIOUS_CTE = """changed AS (
    SELECT DISTINCT milestone_id FROM milestone_history
    WHERE reported_on > :since AND reported_on <= :today {history_filter}
),
previous AS (
    SELECT h.milestone_id, h.forecast_date,
           ROW_NUMBER() OVER (
               PARTITION BY h.milestone_id ORDER BY h.reported_on DESC, h.id DESC
           ) AS rn
    FROM milestone_history h JOIN changed c ON c.milestone_id = h.milestone_id
    WHERE h.reported_on <= :since
),"""


def _days(later: str, earlier: str, dialect: str) -> str:
    """Whole days from `earlier` to `later` in the database's own date arithmetic."""
    if dialect == "sqlite":
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
    return f"({later} - {earlier})"


def slippage_lists(
    today: dt.date,
    since: dt.date,
    project_ids: Sequence[int] | None = None,
    baseline: str = "current",
    limit: int = 200,
    url: str | None = None,
) -> dict[str, pd.DataFrame]:
    """The open milestones a PMO chases, each list worst first, at most `limit` rows each.

    - slipped: forecast later now than at the report of `since` (`slipped_days`)
    - most_slipped: forecast later than the baseline (`slip_days`)
    - due_2_weeks / due_4_weeks: forecast from today to 14 / 28 days ahead (`due_in_days`)
    - overdue: forecast before today (`overdue_days`)
    Every row has `total`: how many rows the list has before the limit.
    """
    dialect = get_engine(url).dialect.name
    slip = _days("ms.forecast_date", "ms.baseline_date", dialect)
    due_in = _days("ms.forecast_date", ":today", dialect)
    specs = {
        "slipped": {
            "columns": f"pr.forecast_date AS previous_forecast, "
            f"{_days('ms.forecast_date', 'pr.forecast_date', dialect)} AS slipped_days",
            "join": "JOIN previous pr ON pr.milestone_id = ms.milestone_id AND pr.rn = 1",
            "where": "ms.forecast_date > pr.forecast_date",
            "order": "slipped_days DESC, ms.forecast_date, ms.milestone_id",
        },
        "most_slipped": {
            "columns": f"{slip} AS slip_days",
            "where": "ms.forecast_date > ms.baseline_date",
            "order": "slip_days DESC, ms.forecast_date, ms.milestone_id",
        },
        "due_2_weeks": {
            "columns": f"{due_in} AS due_in_days",
            "where": "ms.forecast_date >= :today AND ms.forecast_date <= :in_2_weeks",
            "order": "ms.forecast_date, ms.milestone_id",
        },
        "due_4_weeks": {
            "columns": f"{due_in} AS due_in_days",
            "where": "ms.forecast_date >= :today AND ms.forecast_date <= :in_4_weeks",
            "order": "ms.forecast_date, ms.milestone_id",
        },
        "overdue": {
            "columns": f"{_days(':today', 'ms.forecast_date', dialect)} AS overdue_days",
            "where": "ms.forecast_date < :today",
            "order": "ms.forecast_date, ms.milestone_id",
        },
    }
    history_filter = "AND project_id IN :ids" if project_ids is not None else ""
    params = _params(
        project_ids,
        today=today,
        since=since,
        limit=limit,
        in_2_weeks=today + dt.timedelta(days=14),
        in_4_weeks=today + dt.timedelta(days=28),
    )
    lists = {}
    for name, spec in specs.items():
        statement = _scoped(
            _OPEN_SQL,
            project_ids,
            baseline,
            extra=_PREVIOUS_CTE.format(history_filter=history_filter) if name == "slipped" else "",
            join=spec.get("join", ""),
            columns=spec["columns"],
            where=spec["where"],
            order=spec["order"],
        )
        df = read_df(statement, params, url=url)
        df["is_key"] = df["is_key"].astype(bool)
        dates = ["baseline_date", "forecast_date"]
        if "previous_forecast" in df:
            dates.append("previous_forecast")
        lists[name] = as_dates(df, dates)
    return lists
