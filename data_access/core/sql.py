"""SQL helpers shared by the reads of every feature: a latest-row CTE and date columns."""

from __future__ import annotations

import pandas as pd


def latest_rows_cte(name: str, table: str, key: str, day_column: str, until: str) -> str:
    """SQL for a CTE `name` (key, id): per `key`, the id of its latest row of `table` whose
    `day_column` is on or before `until`; the highest id breaks a tie between rows of the same
    day (a correction). Two GROUP BYs on the (key, day) index: no window function to sort."""
    return f"""
{name}_day AS (
    SELECT {key}, MAX({day_column}) AS day
    FROM {table} WHERE {day_column} <= {until} GROUP BY {key}
),
{name} AS (
    SELECT t.{key}, MAX(t.id) AS id
    FROM {table} t JOIN {name}_day d ON d.{key} = t.{key} AND t.{day_column} = d.day
    GROUP BY t.{key}
)"""


def days_between(later: str, earlier: str, sqlite: bool) -> str:
    """SQL for the whole days from `earlier` to `later` (date expressions) in the database's
    own date arithmetic."""
    if sqlite:
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
    return f"({later} - {earlier})"


def as_dates(df: pd.DataFrame, columns) -> pd.DataFrame:
    """`columns` of `df` as plain `datetime.date` (or None).

    SQLite returns ISO strings, PostgreSQL returns dates."""
    for col in columns:
        if col in df:
            stamps = pd.to_datetime(df[col])
            df[col] = stamps.dt.date.astype(object).where(stamps.notna(), None)
    return df
