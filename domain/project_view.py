"""What the project page shows, as plain tables: milestone states for the timeline, the cost
series, and the open risks with their bands. Pure functions, tested on their values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

# Milestone states on the timeline, worst first; each has its own colour and shape.
MILESTONE_STATES = ("Overdue", "Slipped", "On plan", "Done")
MAX_MILESTONES = 25  # rows a one-screen timeline shows; the rest are counted in words
RISK_BANDS = ("Critical", "High", "Medium", "Low")


def milestone_states(milestones: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Each milestone with its `state`, `slip_days` (forecast or actual vs baseline) and the
    date it is drawn at (`due`: the actual date once done, else the forecast)."""
    ms = milestones.copy()
    done = ms.actual_date.notna()
    due = ms.actual_date.where(done, ms.forecast_date)
    slip = (pd.to_datetime(due) - pd.to_datetime(ms.baseline_date)).dt.days
    overdue = ~done & (pd.to_datetime(ms.forecast_date) < pd.Timestamp(today))
    ms["due"] = due
    ms["slip_days"] = slip.astype(int) if len(ms) else slip
    ms["state"] = np.select(
        [done, overdue, slip > 0], ["Done", "Overdue", "Slipped"], "On plan"
    ).astype(object)
    return ms


def timeline_rows(ms: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """The milestones a one-screen timeline shows: open ones first by due date (the next
    `MAX_MILESTONES`), then the most recently done, back in baseline order."""
    if len(ms) <= MAX_MILESTONES:
        return ms
    open_first = ms.assign(is_done=ms.state == "Done", key=pd.to_datetime(ms.due))
    open_ms = open_first[~open_first.is_done].sort_values("key")
    done_ms = open_first[open_first.is_done].sort_values("key", ascending=False)
    keep = pd.concat([open_ms, done_ms]).head(MAX_MILESTONES).index
    return ms.loc[sorted(keep, key=list(ms.index).index)]


def cost_series(reports: pd.DataFrame, budget: float) -> pd.DataFrame:
    """Long table (report_date, series, value) of cost to date and forecast at completion per
    report, with the approved budget as a flat series over the same dates."""
    if reports.empty:
        return pd.DataFrame(columns=["report_date", "series", "value"])
    wide = pd.DataFrame(
        {
            "report_date": pd.to_datetime(reports.report_date),
            "Actual cost to date": reports.cost_to_date.astype(float),
            "Forecast at completion": reports.forecast_at_completion.astype(float),
            "Approved budget": float(budget),
        }
    )
    return wide.melt("report_date", var_name="series", value_name="value")


def risk_bands(scores: pd.Series, settings: dict) -> pd.Series:
    """The band of each risk score by the band settings (Low, Medium, High, Critical)."""
    values = scores.astype(int)
    return pd.Series(
        np.select(
            [
                values >= settings["band_critical_from"],
                values >= settings["band_high_from"],
                values >= settings["band_medium_from"],
            ],
            list(RISK_BANDS[:3]),
            "Low",
        ),
        index=scores.index,
    )
