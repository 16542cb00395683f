"""Capacity charts: the load heatmap and a department's demand against its capacity."""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts.encoding import conditional
from domain.capacity import BAND_TEXT, BANDS, cell_text

# Columns beyond which the % no longer fits in a cell: the tooltip still has it.
MAX_TEXT_COLUMNS = 30
ROW_HEIGHT = 22
GROUP_ROW_HEIGHT = 36  # two lines: the load and how many people are over
SELECTION = "cell"


def titled(title: str, subtitle: str) -> alt.TitleParams:
    """Title with a subtitle in a grey that reads on the light and the dark theme (the theme
    colours titles, not subtitles)."""
    return alt.TitleParams(
        title, subtitle=subtitle, anchor="start", subtitleColor="#8C8C8C", subtitleFontSize=13
    )


def no_data(message: str, title: str) -> alt.Chart:
    """An empty chart that says so in words."""
    return (
        alt.Chart(pd.DataFrame({"message": [message]}))
        .mark_text(fontSize=16, color="#888888")
        .encode(text=alt.Text("message:N"))
        .properties(title=title, height=80)
    )


def capacity_heatmap(
    cells: pd.DataFrame,
    *,
    rows: list[str],
    row_title: str,
    period_title: str,
    title: str,
    subtitle: str,
) -> alt.Chart:
    """Rows (people, departments or skills, in the order of `rows`) by period; colour = load
    band with a clear break at 100 %, the load printed in the cell when it fits, and a point
    selection named "cell" so a click lists the projects behind it."""
    if cells.empty:
        return no_data("Nobody to show: no person with capacity matches the filters.", title)
    # Dates travel as text: the spec stays plain JSON (exports render it outside Streamlit).
    data = cells.drop(columns=["first_day", "last_day"]).assign(
        ink=cells.band.map(BAND_TEXT),
        hours=cells.allocated.round(1).astype(str) + " h of " + cells.capacity.round(1).astype(str),
        first=pd.to_datetime(cells.first_day).dt.strftime("%d %b %Y"),
        last=pd.to_datetime(cells.last_day).dt.strftime("%d %b %Y"),
    )
    periods = list(dict.fromkeys(data.sort_values("order").period))
    pick = alt.selection_point(name=SELECTION, fields=["key", "period"], on="click")
    base = alt.Chart(data).encode(
        x=alt.X(
            "period:O",
            sort=periods,
            title=period_title,
            axis=alt.Axis(orient="top", labelAngle=-90 if len(periods) > 13 else 0),
        ),
        y=alt.Y("label:N", sort=rows, title=row_title, axis=alt.Axis(labelLimit=260)),
    )
    tooltip = [
        alt.Tooltip("label:N", title=row_title),
        alt.Tooltip("period:N", title=period_title),
        alt.Tooltip("text:N", title="Load"),
        alt.Tooltip("hours:N", title="Allocated (h)"),
        alt.Tooltip("band:N", title="Band"),
        alt.Tooltip("first:N", title="From"),
        alt.Tooltip("last:N", title="To"),
    ]
    if cells.people.max() > 1:
        tooltip += [
            alt.Tooltip("people:Q", title="People"),
            alt.Tooltip("people_over:Q", title="People over 100 % in a week"),
        ]
    rect = (
        base.mark_rect(stroke="#FFFFFF", strokeWidth=0.5, cursor="pointer")
        .encode(
            color=alt.Color(
                "band:N",
                scale=alt.Scale(domain=list(BANDS), range=list(BANDS.values())),
                legend=alt.Legend(
                    title="Allocated as % of capacity",
                    orient="top",
                    columns=6,
                    symbolType="square",
                    symbolSize=200,
                    labelFontSize=12,
                ),
            ),
            opacity=conditional(alt.OpacityValue, pick, alt.value(1.0), alt.value(0.3)),
            tooltip=tooltip,
        )
        .add_params(pick)
    )
    layers = [rect]
    groups = cells.people.max() > 1
    if len(periods) <= MAX_TEXT_COLUMNS:
        ink = alt.Color("ink:N", scale=None)
        layers.append(
            base.mark_text(fontSize=11, dy=-7 if groups else 0).encode(
                text=alt.Text("text:N"), color=ink, tooltip=tooltip
            )
        )
        if groups:
            # A department at 85 % can hide people at 150 %: say how many, under the load.
            layers.append(
                base.transform_filter("datum.people_over > 0")
                .transform_calculate(over_text="datum.people_over + ' over'")
                .mark_text(fontSize=9, dy=7)
                .encode(text=alt.Text("over_text:N"), color=ink, tooltip=tooltip)
            )
    return alt.layer(*layers).properties(
        title=titled(title, subtitle),
        height=alt.Step(GROUP_ROW_HEIGHT if groups else ROW_HEIGHT),
    )


def demand_chart(series: pd.DataFrame, *, title: str, subtitle: str) -> alt.Chart:
    """Allocated hours per week as bars (orange where they exceed capacity) under the capacity
    line: where demand rises above the line, the department is over-booked."""
    if series.empty:
        return no_data("No capacity or demand in this period.", title)
    data = series.drop(columns="monday").assign(
        state=series.over.map({True: "Demand above capacity", False: "Demand within capacity"}),
        load=cell_text(series.allocated, series.capacity),
    )
    weeks = data.week.tolist()
    x = alt.X("week:O", sort=weeks, title="ISO week", axis=alt.Axis(labelAngle=-45))
    tooltip = [
        alt.Tooltip("week:N", title="Week"),
        alt.Tooltip("allocated:Q", title="Demand (h)", format=",.0f"),
        alt.Tooltip("capacity:Q", title="Capacity (h)", format=",.0f"),
        alt.Tooltip("load:N", title="Load"),
    ]
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("allocated:Q", title="Hours per week"),
            color=alt.Color(
                "state:N",
                scale=alt.Scale(
                    domain=["Demand within capacity", "Demand above capacity"],
                    range=["#56B4E9", "#E69F00"],
                ),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=tooltip,
        )
    )
    line = (
        alt.Chart(data)
        .mark_line(interpolate="step", strokeWidth=3, color="#D55E00")
        .encode(x=x, y=alt.Y("capacity:Q"), tooltip=tooltip)
    )
    label = (
        alt.Chart(data.tail(1))
        .mark_text(align="right", dy=-10, fontSize=13, fontWeight="bold", color="#D55E00")
        .encode(x=x, y=alt.Y("capacity:Q"), text=alt.TextValue("Capacity (after absences)"))
    )
    return alt.layer(bars, line, label).properties(title=titled(title, subtitle), height=420)
