"""Compliance as recorded at the end of each past week (`compliance_week`): what the worker
writes once a week has ended, and the counts compliance over time reads, aggregated here.

A record, not a change of anyone's data: no audit row. Writing one bumps the table's version,
so that the chart reads it at the next rerun (and nothing else is read again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from data_access.core.db import bump_data_version, read_df
from data_access.core.models import COMPLIANCE_POLICIES, COMPLIANCE_STATES
from data_access.core.sql import as_dates, in_scope, scoped_query

_COLUMNS = ", ".join(COMPLIANCE_POLICIES)
# Recorded once: a second worker (or a second run) writing the same week adds nothing.
_INSERT = sa.text(
    f"INSERT INTO compliance_week (week_end, project_id, {_COLUMNS}) "
    f"VALUES (:week_end, :project_id, {', '.join(':' + p for p in COMPLIANCE_POLICIES)}) "
    "ON CONFLICT (week_end, project_id) DO NOTHING"
).bindparams(sa.bindparam("week_end", type_=sa.Date()))
_WEEKS = sa.bindparam("weeks", expanding=True, type_=sa.Date())


def recorded_weeks(week_ends: Sequence[dt.date], url: str | None = None) -> set[dt.date]:
    """Which of `week_ends` have been recorded."""
    if not week_ends:
        return set()
    statement = sa.text(
        "SELECT DISTINCT week_end FROM compliance_week WHERE week_end IN :weeks"
    ).bindparams(_WEEKS)
    df = read_df(statement, {"weeks": list(week_ends)}, url=url)
    return set(as_dates(df, ("week_end",)).week_end)


def compliance_counts(
    week_ends: Sequence[dt.date], project_ids: Sequence[int] | None, url: str | None = None
) -> pd.DataFrame:
    """Per recorded week's end among `week_ends`, policy (its key) and state: how many of the
    projects (`project_ids`, None for all) had it. Columns week_end, policy, state, n.

    One pass over the weeks' rows, counting every policy and state side by side (a GROUP BY
    per policy reads them five times)."""
    columns = ["week_end", "policy", "state", "n"]
    if not week_ends:
        return pd.DataFrame(columns=columns)
    pairs = [(p, s) for p in COMPLIANCE_POLICIES for s in COMPLIANCE_STATES]
    sums = ", ".join(f"SUM(CASE WHEN {p} = '{s}' THEN 1 ELSE 0 END) AS {p}_{s}" for p, s in pairs)
    sql = (
        f"SELECT week_end, {sums} FROM compliance_week "
        f"WHERE week_end IN :weeks{in_scope('project_id', project_ids, url)} GROUP BY week_end"
    )
    params: dict = {"weeks": list(week_ends)}
    statement = scoped_query(sql, params, project_ids, url).bindparams(_WEEKS)
    wide = as_dates(read_df(statement, params, url=url), ("week_end",))
    if wide.empty:
        return pd.DataFrame(columns=columns)
    long = wide.melt(id_vars="week_end", var_name="policy_state", value_name="n")
    long[["policy", "state"]] = long.policy_state.str.split("_", n=1, expand=True)
    long["n"] = long.n.astype(int)
    return long.loc[long.n > 0, columns].reset_index(drop=True)


def record_weeks(states: pd.DataFrame, *, session: Session) -> int:
    """Record each project's policy states at a week's end (`domain.gates.weekly_states`
    rows); weeks already recorded are kept as they are. Returns the rows written."""
    if states.empty:
        return 0
    rows = states[["week_end", "project_id", *COMPLIANCE_POLICIES]].to_dict("records")
    written = session.execute(_INSERT, rows).rowcount
    if written:
        bump_data_version(session)
    session.commit()
    return written
