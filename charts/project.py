"""Altair builders for the project page: milestone timeline and cost against budget."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from charts.health import no_data
from domain.formatting import RAG_COLOURS
from domain.project_view import MILESTONE_STATES

# Milestone states in the status colours, each with its own shape (colour is never alone).
STATE_SCALE = alt.Scale(
    domain=list(MILESTONE_STATES),
    range=[RAG_COLOURS["R"], RAG_COLOURS["A"], RAG_COLOURS["G"], RAG_COLOURS["C"]],
)
STATE_SHAPES = alt.Scale(
    domain=list(MILESTONE_STATES), range=["triangle-down", "diamond", "circle", "square"]
)
BASELINE_GREY = "#999999"
COST_SERIES = ["Approved budget", "Forecast at completion", "Actual cost to date"]
COST_COLOURS = ["#999999", "#E69F00", "#0072B2"]


def milestone_timeline(ms: pd.DataFrame, today: dt.date, *, title: str) -> alt.Chart:
    """Baseline (hollow grey tick) against forecast or actual (coloured shape) per milestone.

    `ms` as `domain.project_view.milestone_states` makes it, in the order to draw.
    """
    if ms.empty:
        return no_data("This project has no milestones in its plan.", title)
    data = ms.assign(
        baseline=pd.to_datetime(ms.baseline_date),
        due=pd.to_datetime(ms.due),
        order=range(len(ms)),
        label=ms.name.where(~ms.is_key, ms.name + " (key)"),
    )
    y = alt.Y(
        "label:N",
        sort=alt.EncodingSortField("order"),
        title=None,
        axis=alt.Axis(labelLimit=200, ticks=False, domain=False),
    )
    tooltip = [
        alt.Tooltip("name:N", title="Milestone"),
        alt.Tooltip("baseline:T", title="Baseline", format="%d %b %Y"),
        alt.Tooltip("due:T", title="Forecast or actual", format="%d %b %Y"),
        alt.Tooltip("slip_days:Q", title="Days late vs baseline"),
        alt.Tooltip("state:N", title="State"),
        alt.Tooltip("forecast_changes:Q", title="Forecast moves"),
    ]
    base = alt.Chart(data)
    link = base.mark_rule(color=BASELINE_GREY, strokeWidth=2).encode(
        x=alt.X("baseline:T", title="Date", axis=alt.Axis(format="%b %Y", tickCount="month")),
        x2=alt.X2("due:T"),
        y=y,
    )
    baseline = base.mark_point(
        shape="diamond", filled=False, color=BASELINE_GREY, size=110, strokeWidth=2
    ).encode(x=alt.X("baseline:T"), y=y, tooltip=tooltip)
    due = base.mark_point(filled=True, size=140, opacity=1).encode(
        x=alt.X("due:T"),
        y=y,
        color=alt.Color("state:N", scale=STATE_SCALE, title="Forecast or actual"),
        shape=alt.Shape("state:N", scale=STATE_SHAPES, title="Forecast or actual"),
        tooltip=tooltip,
    )
    now = (
        alt.Chart(pd.DataFrame({"today": [pd.Timestamp(today)]}))
        .mark_rule(strokeDash=[4, 3], color=BASELINE_GREY)
        .encode(x=alt.X("today:T"))
    )
    return (
        alt.layer(link, baseline, due, now)
        .properties(title=title, height=alt.Step(22))
        .configure_legend(orient="bottom", direction="horizontal", columns=2)
    )


def cost_chart(series: pd.DataFrame, *, currency: str, title: str) -> alt.Chart:
    """Actual cost to date and forecast at completion per status report, budget flat."""
    if series.empty:
        return no_data("No status report yet: no cost history to draw.", title)
    return (
        alt.Chart(series)
        .mark_line(point=alt.OverlayMarkDef(size=18), strokeWidth=2.5)
        .encode(
            x=alt.X("report_date:T", title="Status report", axis=alt.Axis(format="%d %b")),
            y=alt.Y("value:Q", title=currency, axis=alt.Axis(format="~s")),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=COST_SERIES, range=COST_COLOURS),
                title=None,
                legend=alt.Legend(orient="bottom", direction="horizontal"),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                scale=alt.Scale(domain=COST_SERIES, range=[[6, 3], [1, 0], [1, 0]]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("report_date:T", title="Reported", format="%d %b %Y"),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("value:Q", title=currency, format=",.0f"),
            ],
        )
        .properties(title=title, height=260)
    )
