"""Intake charts: the efficient frontier, the capacity a scenario uses per pool and quarter,
and benefits realised against plan."""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts.capacity import no_data, titled

# Okabe-Ito: the frontier in blue, the selection being looked at in vermillion.
FRONTIER = "#0072B2"
CHOSEN = "#D55E00"
# Share of the available hours a scenario uses: fine, tight, over.
USE_BANDS = {"up to 80 %": "#BFE1F5", "80-100 %": "#E69F00", "over 100 %": "#D55E00"}


def frontier_chart(
    points: pd.DataFrame, chosen: tuple[float, float] | None, currency: str = "EUR"
) -> alt.Chart:
    """Best total priority for each budget (columns budget, value, cost) as a step line, and
    the selection on screen (cost, value) as a marked point on or under it."""
    title = titled(
        "Efficient frontier",
        "Best total priority each budget can buy; the orange point is the selection shown",
    )
    if points.empty:
        return no_data("No proposals to select from.", "Efficient frontier")
    x = alt.X("budget:Q", title=f"Budget ({currency})", axis=alt.Axis(format="~s"))
    y = alt.Y("value:Q", title="Total priority")
    line = (
        alt.Chart(points)
        .mark_line(interpolate="step-after", color=FRONTIER, strokeWidth=3, point=True)
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("budget:Q", title="Budget", format=",.0f"),
                alt.Tooltip("value:Q", title="Best total priority", format=",.0f"),
                alt.Tooltip("cost:Q", title="Cost of that set", format=",.0f"),
            ],
        )
    )
    layers = [line]
    if chosen is not None:
        here = pd.DataFrame({"budget": [chosen[0]], "value": [chosen[1]]})
        layers.append(
            alt.Chart(here)
            .mark_point(shape="diamond", size=260, filled=True, color=CHOSEN)
            .encode(
                x=x,
                y=y,
                tooltip=[
                    alt.Tooltip("budget:Q", title="Selection's cost", format=",.0f"),
                    alt.Tooltip("value:Q", title="Its total priority", format=",.0f"),
                ],
            )
        )
    return alt.layer(*layers).properties(title=title, height=320)


def _band(share: float) -> str:
    if share > 1.0 + 1e-9:
        return "over 100 %"
    return "80-100 %" if share >= 0.8 else "up to 80 %"


def capacity_use_heatmap(use: pd.DataFrame) -> alt.Chart:
    """Hours a scenario needs as a share of what is available, per pool (rows, one block per
    scenario) and quarter. Columns: scenario, pool, period, hours, available."""
    title = titled("Capacity used", "Hours the chosen proposals need / hours still free")
    if use.empty:
        return no_data("The chosen proposals need no people counted here.", "Capacity used")
    data = use.assign(
        share=(use.hours / use.available.where(use.available > 0)).fillna(float("inf")),
        row=use.scenario + " · " + use.pool,
    )
    data = data.assign(
        band=data.share.map(_band),
        text=data.share.map(lambda s: "no one free" if s == float("inf") else f"{s:.0%}"),
    )
    data["share"] = data.share.replace(float("inf"), None)
    rows = sorted(data.row.unique())
    base = alt.Chart(data).encode(
        x=alt.X("period:O", title="Quarter", axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("row:N", sort=rows, title=None, axis=alt.Axis(labelLimit=320, labelOverlap=False)),
    )
    cells = base.mark_rect(stroke="#FFFFFF").encode(
        color=alt.Color(
            "band:N",
            scale=alt.Scale(domain=list(USE_BANDS), range=list(USE_BANDS.values())),
            legend=alt.Legend(title="Used", orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("scenario:N", title="Scenario"),
            alt.Tooltip("pool:N", title="Skill or department"),
            alt.Tooltip("period:N", title="Quarter"),
            alt.Tooltip("hours:Q", title="Hours needed", format=",.0f"),
            alt.Tooltip("available:Q", title="Hours free", format=",.0f"),
            alt.Tooltip("text:N", title="Used"),
        ],
    )
    text = base.mark_text(fontSize=13, color="#000000").encode(text=alt.Text("text:N"))
    return (cells + text).properties(title=title, height=alt.Step(24))


def benefits_chart(summary: pd.DataFrame, group_title: str) -> alt.Chart:
    """Planned vs realised per group (driver or program): bars of the share of the planned
    improvement realised so far, the 100 % line as the plan. Columns: group, achieved,
    benefits, measured."""
    title = titled(
        f"Benefits realised by {group_title.lower()}",
        "Share of the planned improvement (baseline to target) measured so far",
    )
    if summary.empty:
        return no_data("No benefit of a delivered project measured yet.", title.text)
    data = summary.assign(label=summary.achieved.map(lambda a: f"{a:.0%}"))
    order = list(data.sort_values("achieved", ascending=False).group)
    y = alt.Y("group:N", sort=order, title=group_title, axis=alt.Axis(labelLimit=260))
    bars = (
        alt.Chart(data)
        .mark_bar(color=FRONTIER)
        .encode(
            x=alt.X("achieved:Q", title="Realised / planned", axis=alt.Axis(format="%")),
            y=y,
            tooltip=[
                alt.Tooltip("group:N", title=group_title),
                alt.Tooltip("achieved:Q", title="Realised / planned", format=".0%"),
                alt.Tooltip("benefits:Q", title="Planned benefits"),
                alt.Tooltip("measured:Q", title="Measured"),
            ],
        )
    )
    text = bars.mark_text(align="left", dx=4, fontSize=13).encode(text=alt.Text("label:N"))
    plan = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[6, 4]).encode(x=alt.X("x:Q"))
    return (bars + text + plan).properties(title=title, height=alt.Step(34))
