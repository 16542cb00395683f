"""Milestone series by the rules of PMO_DOMAIN.md: burndown, BEI, trend analysis (MTA).

Pure functions over small DataFrames: the database has already counted, per day, how each
burndown line changes (`data_access.milestones.reads.burndown_deltas`); here those counts become
one value per ISO week, and one project's history becomes the steps of its MTA lines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from domain.formatting import iso_week

LINES = ("planned", "actual", "forecast", "scope")
# A portfolio can hold milestones years away: a weekly chart shows at most two years either
# side of today for one project, one year for a portfolio (whose projects come and go). The
# values still count everything before the window.
MAX_WEEKS_EACH_SIDE = 104
PORTFOLIO_WEEKS_EACH_SIDE = 52
BEI_WEEKS = 13
MTA_MAX_LINES = 20


def week_end(day: dt.date) -> dt.date:
    """The Sunday closing `day`'s ISO week."""
    return day + dt.timedelta(days=6 - day.weekday())


def as_of_days(start: dt.date, end: dt.date, today: dt.date) -> list[dt.date]:
    """One day per ISO week from `start`'s week to `end`'s: the week's Sunday, except the
    current week, which is measured today (its Sunday has not happened yet)."""
    first, last = week_end(start), week_end(end)
    weeks = (last - first).days // 7 + 1
    days = [first + dt.timedelta(weeks=w) for w in range(weeks)]
    return [today if d == week_end(today) else d for d in days]


def burndown_series(
    deltas: pd.DataFrame, today: dt.date, weeks_each_side: int = MAX_WEEKS_EACH_SIDE
) -> pd.DataFrame:
    """Weekly burndown values: one row per ISO week with `week`, `day` (the day measured),
    `planned`, `actual` (up to today), `forecast` (from today on) and `scope`.

    `deltas` has a `day` column and one change column per line; a line's value on a day is
    the sum of its changes up to and including it. The weeks run from the first to the last
    change, at most `weeks_each_side` weeks either side of today.
    """
    columns = ["week", "day", *LINES]
    if deltas.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    event_days = pd.to_datetime(pd.Series(deltas["day"])).to_numpy()
    limit = dt.timedelta(weeks=weeks_each_side)
    start = max(pd.Timestamp(event_days.min()).date(), today - limit)
    end = min(pd.Timestamp(event_days.max()).date(), today + limit)
    days = as_of_days(min(start, today), max(end, today), today)
    if days[-1] < end:  # a change later this week shows in the next week's point
        days.append(week_end(today) + dt.timedelta(weeks=1))
    # Index of the last change on or before each day (-1: none yet).
    upto = np.searchsorted(event_days, pd.to_datetime(days).to_numpy(), side="right") - 1
    out = pd.DataFrame({"week": [iso_week(d) for d in days], "day": days})
    for line in LINES:
        running = np.concatenate([[0], deltas[line].to_numpy().cumsum()])
        out[line] = running[upto + 1]
    past, future = out["day"] <= today, out["day"] >= today
    out["actual"] = out["actual"].astype("Int64").where(past)
    out["forecast"] = out["forecast"].astype("Int64").where(future)
    return out[columns]


@dataclass(frozen=True)
class BurndownStatus:
    """Where the burndown stands today, in the numbers a headline needs."""

    planned: int  # open milestones the baseline expected today
    actual: int  # open milestones today
    scope: int  # milestones in the plan today
    planned_finish: str | None  # ISO week the planned line reaches zero (None: not in view)
    forecast_finish: str | None  # ISO week the forecast line reaches zero

    @property
    def behind(self) -> int:
        """Milestones behind plan (negative: ahead)."""
        return self.actual - self.planned


def burndown_status(series: pd.DataFrame, today: dt.date) -> BurndownStatus | None:
    now = series[series["day"] == today]
    if now.empty:
        return None
    row = now.iloc[0]
    return BurndownStatus(
        planned=int(row.planned),
        actual=int(row.actual),
        scope=int(row.scope),
        planned_finish=_reaches_zero(series, "planned"),
        forecast_finish=_reaches_zero(series[series["day"] >= today], "forecast"),
    )


def _reaches_zero(series: pd.DataFrame, line: str) -> str | None:
    """The ISO week from which `line` stays at zero, if that happens within the series."""
    values = series[line].fillna(0).to_numpy()
    open_weeks = np.flatnonzero(values > 0)
    if not len(open_weeks):
        return series["week"].iloc[0] if len(series) else None
    last_open = open_weeks[-1]
    return series["week"].iloc[last_open + 1] if last_open + 1 < len(series) else None


def headline(status: BurndownStatus | None) -> str:
    """ "12 milestones behind plan": the first thing a reader of the burndown needs."""
    if status is None or status.scope == 0 and status.planned == 0:
        return "No milestones in the plan"
    n = abs(status.behind)
    word = "milestone" if n == 1 else "milestones"
    if status.behind > 0:
        return f"{n:,} {word} behind plan"
    if status.behind < 0:
        return f"{n:,} {word} ahead of plan"
    return "On plan"


def weeks_between(later: str | None, earlier: str | None) -> int | None:
    """Whole weeks from one ISO week label (2026-W48) to another."""
    if not later or not earlier:
        return None
    return (_monday(later) - _monday(earlier)).days // 7


def _monday(week: str) -> dt.date:
    year, number = week.split("-W")
    return dt.date.fromisocalendar(int(year), int(number), 1)


def bei_series(series: pd.DataFrame, today: dt.date, weeks: int = BEI_WEEKS) -> pd.DataFrame:
    """Baseline Execution Index for the last `weeks` ISO weeks up to today.

    BEI = milestones completed / milestones whose baseline date has passed (DCMA), both among
    the milestones in the plan on the day: completed = scope - actual, passed = scope - planned.
    `bei` is missing while no baseline date has passed.
    """
    past = series[series["day"] <= today].tail(weeks)
    completed = (past["scope"] - past["actual"]).astype(int)
    passed = (past["scope"] - past["planned"]).astype(int)
    bei = (completed / passed.where(passed > 0)).round(2)
    return pd.DataFrame(
        {
            "week": past["week"].to_numpy(),
            "day": past["day"].to_numpy(),
            "completed": completed.to_numpy(),
            "baseline_passed": passed.to_numpy(),
            "bei": bei.to_numpy(dtype=float),
        }
    )


# --- milestone trend analysis ------------------------------------------------------------


def mta_series(history: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """The points of one project's MTA lines: x = `reported_on`, y = `forecast_date`.

    One point per reported change (`point` "report", or "re-baselined"; the line steps
    there); then the line ends where the milestone ends: on the diagonal at its actual date
    when reached ("reached"), at its removal when taken out of the plan ("removed"),
    otherwise today at its current forecast ("today").
    `history` is `data_access.milestones.reads.project_history`.
    """
    columns = [
        "milestone_id",
        "milestone",
        "is_key",
        "reported_on",
        "forecast_date",
        "baseline_date",
        "slip_days",
        "change",
        "point",
    ]
    if history.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    h = history.copy()
    h["milestone"] = milestone_labels(h)
    reached = h["actual_date"].notna()
    removed = h["removed_on"].notna() & ~reached
    # A completion is drawn on the diagonal, so reports from its day on are not steps.
    steps = h[(h["change"] != "completed") & (h["change"] != "removed")]
    steps = steps[~reached[steps.index] | (steps["reported_on"] < steps["actual_date"])]
    steps = steps[~removed[steps.index] | (steps["reported_on"] <= steps["removed_on"])]
    steps = steps.assign(point=np.where(steps["change"] == "rebaselined", "re-baselined", "report"))

    ends = h.drop_duplicates("milestone_id", keep="last").copy()
    is_reached, is_removed = ends["actual_date"].notna(), ends["removed_on"].notna()
    ends["reported_on"] = np.where(
        is_reached, ends["actual_date"], np.where(is_removed, ends["removed_on"], today)
    )
    ends["forecast_date"] = np.where(is_reached, ends["actual_date"], ends["current_forecast"])
    ends["baseline_date"] = ends["current_baseline"]
    ends["change"] = np.where(is_reached, "completed", np.where(is_removed, "removed", "today"))
    ends["point"] = np.where(is_reached, "reached", np.where(is_removed, "removed", "today"))

    order = {mid: n for n, mid in enumerate(h["milestone_id"].drop_duplicates())}
    points = pd.concat([steps, ends], ignore_index=True)
    points["_order"] = points["milestone_id"].map(order)
    # Several reports on one day: the line shows the day's last word.
    points = points.sort_values(["_order", "reported_on"], kind="stable").drop_duplicates(
        ["milestone_id", "reported_on"], keep="last"
    )
    points["slip_days"] = (
        pd.to_datetime(points["forecast_date"]) - pd.to_datetime(points["baseline_date"])
    ).dt.days
    for col in ("reported_on", "forecast_date", "baseline_date"):
        points[col] = pd.to_datetime(points[col]).dt.date
    return points[columns].reset_index(drop=True)


def milestone_labels(history: pd.DataFrame) -> pd.Series:
    """Milestone names as line labels: key milestones marked, repeated names told apart."""
    names = history["milestone"] + np.where(history["is_key"], " (key)", "")
    firsts = history.drop_duplicates("milestone_id")
    repeated = set(names[firsts.index][names[firsts.index].duplicated()])
    return pd.Series(
        np.where(names.isin(repeated), names + " #" + history["milestone_id"].astype(str), names),
        index=history.index,
    )


def default_mta_selection(history: pd.DataFrame, limit: int = MTA_MAX_LINES) -> list[int]:
    """Which milestones to draw when there are more than `limit`: key milestones first, then
    those whose forecast moved most, then the earliest baselines. Returned in plan order."""
    if history.empty:
        return []
    first = history.groupby("milestone_id", sort=False).agg(
        is_key=("is_key", "first"),
        first_forecast=("forecast_date", "first"),
        current_forecast=("current_forecast", "first"),
        baseline=("current_baseline", "first"),
    )
    first["moved"] = (
        pd.to_datetime(first["current_forecast"]) - pd.to_datetime(first["first_forecast"])
    ).dt.days.abs()
    first["plan_order"] = range(len(first))
    chosen = first.sort_values(
        ["is_key", "moved", "baseline"], ascending=[False, False, True], kind="stable"
    ).head(limit)
    return chosen.sort_values("plan_order").index.tolist()
