"""SQL helpers shared by the reads of every feature: a latest-row CTE, date columns, reads
of some projects only."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data_access.core.db import get_engine


def latest_rows_cte(
    name: str, table: str, key: str, day_column: str, until: str, scope: str = ""
) -> str:
    """SQL for a CTE `name` (key, id): per `key`, the id of its latest row of `table` whose
    `day_column` is on or before `until` (and that meets `scope`, ` AND ...`); the highest id
    breaks a tie between rows of the same day (a correction). Two GROUP BYs on the (key, day)
    index: no window function to sort."""
    return f"""
{name}_day AS (
    SELECT {key}, MAX({day_column}) AS day
    FROM {table} WHERE {day_column} <= {until}{scope} GROUP BY {key}
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

    SQLite returns ISO strings, PostgreSQL returns dates. Converted through numpy's day
    units: `Series.dt.date` builds each date in Python, 7-9 times slower on large reads."""
    for col in columns:
        if col in df:
            stamps = pd.to_datetime(df[col], format="ISO8601")
            if stamps.dt.tz is not None:  # the day where the time was taken, as .dt.date
                stamps = stamps.dt.tz_localize(None)
            days = stamps.to_numpy(dtype="datetime64[D]")
            known = ~np.isnat(days)
            dates = np.full(len(days), None, dtype=object)
            dates[known] = days[known].astype(object)
            df[col] = pd.Series(dates, index=df.index, dtype=object)
    return df


# --- reads of some projects only ------------------------------------------------------------


def _postgres(url: str | None) -> bool:
    return get_engine(url).dialect.name == "postgresql"


def member_of(column: str, url: str | None) -> str:
    """`column` is one of the :ids. PostgreSQL gets one array parameter, which it can hash
    (a list of 5,000 separate parameters is compared one by one); SQLite gets an IN list."""
    return f"{column} = ANY(CAST(:ids AS INTEGER[]))" if _postgres(url) else f"{column} IN :ids"


def in_scope(column: str, project_ids: Sequence[int] | None, url: str | None) -> str:
    """` AND column is one of project_ids`, or nothing when they are None (every project)."""
    return "" if project_ids is None else f" AND {member_of(column, url)}"


def scoped_query(
    sql: str, params: dict, project_ids: Sequence[int] | None, url: str | None
) -> sa.TextClause:
    """`sql` as a statement, with `project_ids` put in `params` as `in_scope` reads them."""
    statement = sa.text(sql)
    if project_ids is not None:
        params["ids"] = list(project_ids)
        if not _postgres(url):
            statement = statement.bindparams(sa.bindparam("ids", expanding=True))
    return statement
