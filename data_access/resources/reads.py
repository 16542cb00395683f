"""People, capacity and allocations: reads aggregated in SQL, on SQLite and PostgreSQL.

Load is computed per ISO week (Monday to Friday) by the database: allocations and absences
are turned into day numbers, and their overlap with each week into working days, so the
page receives one row per heatmap row and week however many people and allocations exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa

from data_access.core.db import get_engine, read_df
from data_access.core.sql import as_dates

ROW_COLUMNS = {"person": "p.id", "department": "p.department", "skill": "p.skill"}


def _sql_dialect(url: str | None) -> dict[str, str]:
    """The few date and min/max spellings that differ between SQLite and PostgreSQL."""
    if get_engine(url).dialect.name == "sqlite":
        # julianday(d) - 1721424.5 is Python's date.toordinal()
        return {"day": "CAST(julianday({}) - 1721424.5 AS INTEGER)", "min": "MIN", "max": "MAX"}
    return {"day": "({} - DATE '0001-01-01' + 1)", "min": "LEAST", "max": "GREATEST"}


def _scope(project_ids: Sequence[int] | None, departments: Sequence[str] | None) -> str:
    """People in view: everyone, or those working on the filtered projects in the horizon
    plus the members of the filtered departments."""
    if project_ids is None and not departments:
        return "SELECT id AS person_id FROM person"
    parts = [
        "SELECT person_id FROM allocation WHERE project_id IN :project_ids "
        "AND start_date <= :last_day AND end_date >= :first_day"
    ]
    if departments:
        parts.append(
            "SELECT p.id FROM person p JOIN department d ON d.id = p.department_id "
            "WHERE d.name IN :departments"
        )
    return " UNION ".join(parts)


def _weekly_cte(sql: dict[str, str], scope: str) -> str:
    day, lo, hi = sql["day"].format, sql["min"], sql["max"]
    # Overlap of [s, e] with the week's working days [ws, ws + 4], in days.
    overlap = f"({lo}(x.e, k.ws + 4) - {hi}(x.s, k.ws) + 1)"
    return f"""
WITH RECURSIVE weeks(w, ws) AS (
    SELECT CAST(0 AS INTEGER), CAST(:d0 AS INTEGER)
    UNION ALL SELECT w + 1, ws + 7 FROM weeks WHERE w + 1 < :n_weeks
),
alloc AS (
    SELECT id, person_id, project_id, {day("start_date")} AS s, {day("end_date")} AS e,
           hours_per_week AS h
    FROM allocation WHERE start_date <= :last_day AND end_date >= :first_day
),
people AS (
    SELECT p.id, p.name, p.department_id, COALESCE(d.name, '(no department)') AS department,
           CASE WHEN p.skill = '' THEN '(no skill)' ELSE p.skill END AS skill,
           p.weekly_capacity_hours AS cap
    FROM person p LEFT JOIN department d ON d.id = p.department_id
    WHERE p.id IN ({scope})
      AND ((p.active AND p.weekly_capacity_hours > 0)
           OR p.id IN (SELECT person_id FROM alloc))
),
demand AS (
    SELECT x.person_id, k.w, SUM(x.h * {overlap}) / 5.0 AS hours
    FROM alloc x JOIN weeks k ON x.s <= k.ws + 4 AND x.e >= k.ws
    GROUP BY x.person_id, k.w
),
away AS (
    SELECT x.person_id, k.w, SUM({overlap}) AS days
    FROM (SELECT person_id, {day("start_date")} AS s, {day("end_date")} AS e FROM absence
          WHERE start_date <= :last_day AND end_date >= :first_day) x
    JOIN weeks k ON x.s <= k.ws + 4 AND x.e >= k.ws
    GROUP BY x.person_id, k.w
),
pw AS (
    SELECT p.id AS person_id, k.w,
           p.cap * (5 - {lo}(COALESCE(a.days, 0), 5)) / 5.0 AS capacity,
           COALESCE(d.hours, 0) AS allocated
    FROM people p CROSS JOIN weeks k
    LEFT JOIN demand d ON d.person_id = p.id AND d.w = k.w
    LEFT JOIN away a ON a.person_id = p.id AND a.w = k.w
)"""


def _params(
    first_monday: dt.date,
    n_weeks: int,
    project_ids: Sequence[int] | None,
    departments: Sequence[str] | None,
) -> dict:
    return {
        "d0": first_monday.toordinal(),
        "n_weeks": n_weeks,
        "first_day": first_monday,
        "last_day": first_monday + dt.timedelta(weeks=n_weeks, days=-1),
        "project_ids": list(project_ids or []),
        "departments": list(departments or []),
    }


def _expanding(sql: str, params: dict) -> sa.TextClause:
    statement = sa.text(sql)
    for name in ("project_ids", "departments"):
        if f":{name}" in sql:
            statement = statement.bindparams(sa.bindparam(name, expanding=True))
    return statement


def weekly_load(
    first_monday: dt.date,
    n_weeks: int,
    rows: str = "person",
    *,
    project_ids: Sequence[int] | None = None,
    departments: Sequence[str] | None = None,
    limit: int | None = None,
    order: str = "loaded",
    over_tolerance: float = 0.05,
    url: str | None = None,
) -> pd.DataFrame:
    """Capacity and allocated hours per heatmap row (person, department or skill) and week.

    Columns: key, label, detail (a person's department), w (week index from `first_monday`),
    capacity, allocated, people,
    people_over (people in the row allocated beyond their capacity that week), n_rows (rows
    before `limit`). With `limit`, the rows kept are the most loaded (`order="loaded"`: most
    hours beyond capacity first) or the most idle (`order="idle"`: lowest average load first),
    ranked as `domain.capacity.row_order` ranks them.
    """
    if rows not in ROW_COLUMNS:
        raise ValueError(f"rows must be one of {sorted(ROW_COLUMNS)}")
    sql = _sql_dialect(url)
    key = ROW_COLUMNS[rows]
    label = "p.name" if rows == "person" else key
    detail = "p.department" if rows == "person" else "''"
    group = f"{key}, {label}, p.department" if rows == "person" else key
    # Most loaded: the most hours beyond capacity over the horizon (size and duration of the
    # over-allocation), then the highest average load. Most idle: the lowest average load.
    average = "SUM(pw.allocated) / (SUM(pw.capacity) + 1e-9)"
    ranking = (
        "SUM(CASE WHEN pw.allocated > pw.capacity THEN pw.allocated - pw.capacity ELSE 0 END) "
        f"DESC, {average} DESC"
        if order == "loaded"
        else f"{average} ASC"
    )
    query = (
        _weekly_cte(sql, _scope(project_ids, departments))
        + f""",
grouped AS (
    SELECT {key} AS key, {label} AS label, {detail} AS detail, pw.w,
           SUM(pw.capacity) AS capacity,
           SUM(pw.allocated) AS allocated, COUNT(*) AS people,
           SUM(CASE WHEN pw.allocated > pw.capacity + :tolerance THEN 1 ELSE 0 END)
               AS people_over
    FROM pw JOIN people p ON p.id = pw.person_id
    GROUP BY {group}, pw.w
),
ranked AS (
    SELECT key, label, COUNT(*) OVER () AS n_rows
    FROM grouped pw GROUP BY key, label
    ORDER BY {ranking}, label, key
    {"LIMIT :limit" if limit else ""}
)
SELECT g.key, g.label, g.detail, g.w, g.capacity, g.allocated, g.people, g.people_over, r.n_rows
FROM grouped g JOIN ranked r ON r.key = g.key AND r.label = g.label
ORDER BY g.label, g.key, g.w"""
    )
    params = {
        **_params(first_monday, n_weeks, project_ids, departments),
        "tolerance": over_tolerance,
        "limit": limit,
    }
    df = read_df(_expanding(query, params), params, url=url)
    df["key"] = df.key.astype(str)
    return df


def people_in_view(
    first_monday: dt.date,
    n_weeks: int,
    *,
    project_ids: Sequence[int] | None = None,
    departments: Sequence[str] | None = None,
    url: str | None = None,
) -> int:
    """How many people the heatmap would show (to choose people or departments as rows)."""
    query = _weekly_cte(_sql_dialect(url), _scope(project_ids, departments))
    query += "\nSELECT COUNT(*) AS n FROM people"
    params = _params(first_monday, n_weeks, project_ids, departments)
    return int(read_df(_expanding(query, params), params, url=url).n.iloc[0])


def cell_allocations(
    first_day: dt.date,
    last_day: dt.date,
    rows: str,
    key: str,
    *,
    project_ids: Sequence[int] | None = None,
    departments: Sequence[str] | None = None,
    url: str | None = None,
) -> pd.DataFrame:
    """The allocations behind one heatmap cell: who works on which project in the period,
    with the average hours per week they bring to it (partial weeks counted by working day)."""
    sql = _sql_dialect(url)
    first_monday = first_day - dt.timedelta(days=first_day.weekday())
    n_weeks = (last_day - first_monday).days // 7 + 1
    params = {
        **_params(first_monday, n_weeks, project_ids, departments),
        "key": int(key) if rows == "person" else key,
    }
    overlap = f"({sql['min']}(x.e, k.ws + 4) - {sql['max']}(x.s, k.ws) + 1)"
    query = (
        _weekly_cte(sql, _scope(project_ids, departments))
        + f"""
SELECT pr.id AS project_id, pr.code, pr.name AS project, p.name AS person, p.id AS person_id,
       al.start_date, al.end_date, al.hours_per_week,
       SUM(x.h * {overlap}) / 5.0 / :n_weeks AS hours_in_period
FROM alloc x
JOIN weeks k ON x.s <= k.ws + 4 AND x.e >= k.ws
JOIN people p ON p.id = x.person_id
JOIN allocation al ON al.id = x.id
JOIN project pr ON pr.id = x.project_id
WHERE {ROW_COLUMNS[rows]} = :key
GROUP BY pr.id, pr.code, pr.name, p.name, p.id, al.start_date, al.end_date, al.hours_per_week
ORDER BY hours_in_period DESC, pr.code, p.name"""
    )
    df = read_df(_expanding(query, params), params, url=url)
    return as_dates(df, ("start_date", "end_date"))


# --- lists for the forms -----------------------------------------------------------------


def open_projects(url: str | None = None) -> pd.DataFrame:
    """Projects that can still take allocations (not completed or cancelled), by code."""
    return read_df(
        "SELECT id, code, name FROM project WHERE status NOT IN ('completed', 'cancelled') "
        "ORDER BY code",
        url=url,
    )


def people(url: str | None = None) -> pd.DataFrame:
    """Everyone who can be allocated, with department, skill, capacity and version."""
    return read_df(
        """SELECT p.id, p.name, p.email, COALESCE(d.name, '') AS department, p.skill,
                  p.weekly_capacity_hours, p.active, p.version
           FROM person p LEFT JOIN department d ON d.id = p.department_id
           ORDER BY p.name, p.id""",
        url=url,
    )


def allocations(
    *, project_id: int | None = None, person_id: int | None = None, url: str | None = None
) -> pd.DataFrame:
    """Allocations of one project or one person, with names, for the editors."""
    where, params = [], {}
    if project_id is not None:
        where.append("a.project_id = :project_id")
        params["project_id"] = project_id
    if person_id is not None:
        where.append("a.person_id = :person_id")
        params["person_id"] = person_id
    df = read_df(
        f"""SELECT a.id, a.person_id, pe.name AS person, pe.email, a.project_id, pr.code,
                   pr.name AS project, a.start_date, a.end_date, a.hours_per_week, a.version
            FROM allocation a JOIN person pe ON pe.id = a.person_id
            JOIN project pr ON pr.id = a.project_id
            {"WHERE " + " AND ".join(where) if where else ""}
            ORDER BY a.start_date, pe.name, a.id""",
        params,
        url=url,
    )
    return as_dates(df, ("start_date", "end_date"))


def absences(person_id: int, url: str | None = None) -> pd.DataFrame:
    df = read_df(
        """SELECT id, person_id, start_date, end_date, reason, version FROM absence
           WHERE person_id = :person_id ORDER BY start_date""",
        {"person_id": person_id},
        url=url,
    )
    return as_dates(df, ("start_date", "end_date"))


def count_people(url: str | None = None) -> int:
    return int(read_df("SELECT COUNT(*) AS n FROM person", url=url).n.iloc[0])
