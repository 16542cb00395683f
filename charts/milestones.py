"""Altair builders for the milestone page: burndown, BEI trend, milestone trend analysis.

Each takes the series DataFrame built in `domain.milestones` and returns an `alt.Chart`
(layered); none calls Streamlit. Time axes are labelled in ISO weeks.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from domain.formatting import RAG_COLOURS, fmt_date

WEEK_FORMAT = "%G-W%V"
DATE_FORMAT = "%d %b %Y"
# Okabe-Ito, like the status colours: the baseline in reddish purple, what happened in blue
# (solid up to today, dashed as a forecast), the scope as a thin grey dotted line.
LINE_STYLE = {
    "Planned": ("#CC79A7", [1, 0], 2.5),
    "Actual": ("#0072B2", [1, 0], 3.5),
    "Forecast": ("#0072B2", [7, 4], 2.5),
    "Scope": ("#999999", [2, 3], 1.5),
}
TODAY_COLOUR = "#D55E00"
NEUTRAL = "#888888"


def _empty(message: str, height: int) -> alt.Chart:
    return (
        alt.Chart(pd.DataFrame({"text": [message]}))
        .mark_text(fontSize=16, color=NEUTRAL)
        .encode(text=alt.Text("text:N"))
        .properties(height=height)
    )


def _today_rule(today: dt.date, label: str, domain: list[str] | None = None) -> alt.LayerChart:
    frame = pd.DataFrame({"day": [pd.Timestamp(today)], "label": [label]})
    scale = alt.Scale(domain=domain) if domain else alt.Undefined
    base = alt.Chart(frame).encode(x=alt.X("day:T", scale=scale))
    rule = base.mark_rule(color=TODAY_COLOUR, strokeWidth=2, strokeDash=[3, 3])
    text = base.mark_text(
        align="left", baseline="top", dx=6, dy=4, color=TODAY_COLOUR, fontWeight="bold"
    ).encode(y=alt.YValue(0), text=alt.Text("label:N"))
    return rule + text


def burndown_chart(
    series: pd.DataFrame, today: dt.date, *, baseline: str = "current", height: int = 420
) -> alt.Chart:
    """Open milestones per ISO week: planned (against `baseline`), actual, forecast, scope.

    The gap between actual and planned up to today is shaded: the milestones behind plan.
    """
    if series.empty:
        return _empty("No milestones in this selection.", height)
    frame = series.assign(day=pd.to_datetime(series["day"]))
    long = frame.melt(
        id_vars=["week", "day"],
        value_vars=["planned", "actual", "forecast", "scope"],
        var_name="line",
        value_name="milestones",
    ).dropna(subset=["milestones"])
    long["line"] = long["line"].str.capitalize()
    long["milestones"] = long["milestones"].astype(int)
    names = list(LINE_STYLE)
    x = alt.X(
        "day:T",
        title="ISO week",
        axis=alt.Axis(format=WEEK_FORMAT, labelAngle=0, labelOverlap=True, tickCount=12),
    )
    lines = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=x,
            y=alt.Y(
                "milestones:Q",
                title="Open milestones (count)",
                # Headroom above the highest line for the today label.
                scale=alt.Scale(domain=[0, int(long["milestones"].max() * 1.12) + 1]),
            ),
            color=alt.Color(
                "line:N",
                title=None,
                scale=alt.Scale(domain=names, range=[s[0] for s in LINE_STYLE.values()]),
                legend=alt.Legend(orient="top", symbolStrokeWidth=3, labelFontSize=13),
            ),
            strokeDash=alt.StrokeDash(
                "line:N",
                scale=alt.Scale(domain=names, range=[s[1] for s in LINE_STYLE.values()]),
                legend=None,
            ),
            strokeWidth=alt.StrokeWidth(
                "line:N",
                scale=alt.Scale(domain=names, range=[s[2] for s in LINE_STYLE.values()]),
                legend=None,
            ),
        )
    )
    past = frame[frame["day"] <= pd.Timestamp(today)].dropna(subset=["actual"])
    gap = (
        alt.Chart(past)
        .mark_area(color=TODAY_COLOUR, opacity=0.18)
        .encode(x=x, y=alt.Y("planned:Q"), y2=alt.Y2("actual:Q"))
    )
    # An invisible rule per week carries the tooltip with every line's value.
    hover = (
        alt.Chart(frame)
        .mark_rule(opacity=0, strokeWidth=10)
        .encode(
            x=x,
            tooltip=[
                alt.Tooltip("week:N", title="Week"),
                alt.Tooltip("day:T", title="Measured on", format=DATE_FORMAT),
                alt.Tooltip("planned:Q", title="Planned open"),
                alt.Tooltip("actual:Q", title="Actually open"),
                alt.Tooltip("forecast:Q", title="Forecast open"),
                alt.Tooltip("scope:Q", title="In the plan (scope)"),
            ],
        )
    )
    label = f"Today {fmt_date(today)}"
    layers = [gap, lines, hover]
    now = frame[frame["day"] == pd.Timestamp(today)]
    if len(now) and now["actual"].iloc[0] != now["planned"].iloc[0]:
        behind = int(now["actual"].iloc[0]) - int(now["planned"].iloc[0])
        label += f": {abs(behind):,} {'behind' if behind > 0 else 'ahead of'} plan"
        layers.append(_gap_bracket(now.iloc[0], behind))
    layers.append(_today_rule(today, label))
    against = "original" if baseline == "original" else "current"
    return alt.layer(*layers).properties(
        height=height,
        title=alt.Title(
            "Open milestones: planned vs actual vs forecast",
            subtitle=f"Planned line against the {against} baseline; shaded: behind plan.",
            anchor="start",
            subtitleColor=NEUTRAL,
        ),
    )


def _gap_bracket(now: pd.Series, behind: int) -> alt.Chart:
    """Today's distance between the actual and the planned line, drawn as a thick bar."""
    frame = pd.DataFrame(
        {
            "day": [now["day"]],
            "low": [min(now["actual"], now["planned"])],
            "high": [max(now["actual"], now["planned"])],
        }
    )
    colour = TODAY_COLOUR if behind > 0 else RAG_COLOURS["G"]
    return (
        alt.Chart(frame)
        .mark_rule(color=colour, strokeWidth=6)
        .encode(x=alt.X("day:T"), y=alt.Y("low:Q"), y2=alt.Y2("high:Q"))
    )


def bei_chart(bei: pd.DataFrame, target: float, *, height: int = 420) -> alt.Chart:
    """BEI per ISO week with the target line; points below target are marked and labelled."""
    frame = bei.dropna(subset=["bei"])
    if frame.empty:
        return _empty("No baseline date has passed yet: no BEI.", height)
    frame = frame.assign(
        day=pd.to_datetime(frame["day"]),
        status=["meets target" if v >= target else "below target" for v in frame["bei"]],
    )
    x = alt.X("day:T", title="ISO week", axis=alt.Axis(format=WEEK_FORMAT, labelAngle=-40))
    low = min(frame["bei"].min(), target)
    high = max(frame["bei"].max(), target, 1.0)
    y = alt.Y(
        "bei:Q",
        title="BEI (completed / baseline passed)",
        scale=alt.Scale(domain=[max(0.0, round(low - 0.05, 1)), high + 0.02]),
    )
    base = alt.Chart(frame).encode(x=x, y=y)
    line = base.mark_line(color="#0072B2", strokeWidth=2.5)
    points = base.mark_point(filled=True, size=90, opacity=1).encode(
        color=alt.Color(
            "status:N",
            title=None,
            scale=alt.Scale(
                domain=["meets target", "below target"],
                range=[RAG_COLOURS["G"], RAG_COLOURS["R"]],
            ),
            legend=alt.Legend(orient="bottom"),
        ),
        shape=alt.Shape(
            "status:N",
            scale=alt.Scale(
                domain=["meets target", "below target"], range=["circle", "triangle-down"]
            ),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("week:N", title="Week"),
            alt.Tooltip("bei:Q", title="BEI", format=".2f"),
            alt.Tooltip("completed:Q", title="Completed"),
            alt.Tooltip("baseline_passed:Q", title="Baseline date passed"),
        ],
    )
    # Only the latest value is written: thirteen labels would overlap.
    latest = (
        alt.Chart(frame.tail(1))
        .mark_text(align="right", dx=-4, dy=14, fontSize=14, fontWeight="bold", color=NEUTRAL)
        .encode(x=x, y=y, text=alt.Text("bei:Q", format=".2f"))
    )
    goal = pd.DataFrame({"bei": [target], "label": [f"target {target:.2f}"]})
    rule = alt.Chart(goal).mark_rule(color=NEUTRAL, strokeDash=[5, 4]).encode(y=y)
    rule_text = (
        alt.Chart(goal)
        .mark_text(align="right", dx=-2, dy=-7, color=NEUTRAL)
        .encode(y=y, x=alt.XValue(alt.ExprRef("width")), text=alt.Text("label:N"))
    )
    return alt.layer(rule, rule_text, line, points, latest).properties(
        height=height,
        title=alt.Title(
            "Baseline Execution Index, last 13 weeks",
            subtitle="1.0 = on plan",
            anchor="start",
            subtitleColor=NEUTRAL,
        ),
    )


def mta_chart(
    points: pd.DataFrame, today: dt.date, *, width: int = 1000, height: int = 680
) -> alt.Chart:
    """Milestone trend analysis: reporting date (x) against forecast date (y), one stepped
    line per milestone, the diagonal y = x where a reached milestone ends."""
    if points.empty:
        return _empty("No milestone history for this project.", height)
    frame = points.assign(
        reported_on=pd.to_datetime(points["reported_on"]),
        forecast_date=pd.to_datetime(points["forecast_date"]),
        baseline_date=pd.to_datetime(points["baseline_date"]),
    )
    # Same range on both axes, so the diagonal runs corner to corner.
    low = min(frame["reported_on"].min(), frame["forecast_date"].min())
    high = max(frame["reported_on"].max(), frame["forecast_date"].max(), pd.Timestamp(today))
    pad = pd.Timedelta(days=7)
    domain = [(low - pad).isoformat(), (high + pad).isoformat()]
    axis = alt.Axis(format=WEEK_FORMAT, labelAngle=0, labelOverlap=True)
    x = alt.X("reported_on:T", title="Reporting date (ISO week)", scale=alt.Scale(domain=domain))
    x = x.axis(axis)
    y = alt.Y("forecast_date:T", title="Forecast date (ISO week)", scale=alt.Scale(domain=domain))
    y = y.axis(axis)
    order = frame.drop_duplicates("milestone_id")["milestone"].tolist()
    colour = alt.Color(
        "milestone:N",
        title="Milestone",
        sort=order,
        scale=alt.Scale(scheme="category20" if len(order) > 10 else "tableau10"),
        legend=alt.Legend(orient="right", labelLimit=260, symbolStrokeWidth=3),
    )
    tooltip = [
        alt.Tooltip("milestone:N", title="Milestone"),
        alt.Tooltip("reported_on:T", title="Reported on", format=DATE_FORMAT),
        alt.Tooltip("forecast_date:T", title="Forecast", format=DATE_FORMAT),
        alt.Tooltip("baseline_date:T", title="Baseline", format=DATE_FORMAT),
        alt.Tooltip("slip_days:Q", title="Days vs baseline"),
        alt.Tooltip("change:N", title="What happened"),
    ]
    base = alt.Chart(frame).encode(x=x, y=y, color=colour)
    lines = base.mark_line(interpolate="step-after").encode(
        strokeWidth=alt.StrokeWidth(
            "is_key:N", scale=alt.Scale(domain=[True, False], range=[4, 2]), legend=None
        ),
        detail=alt.Detail("milestone_id:N"),
    )
    changes = base.transform_filter(alt.datum.point == "report").mark_point(size=40, filled=True)
    changes = changes.encode(tooltip=tooltip)
    marks = ["reached", "today", "removed", "re-baselined"]
    ends = base.transform_filter(alt.datum.point != "report").mark_point(filled=True, size=140)
    ends = ends.encode(
        shape=alt.Shape(
            "point:N",
            title="Marks",
            scale=alt.Scale(domain=marks, range=["circle", "triangle-right", "cross", "diamond"]),
            legend=alt.Legend(orient="right", symbolFillColor=NEUTRAL, symbolStrokeColor=NEUTRAL),
        ),
        tooltip=tooltip,
    )
    diagonal = (
        alt.Chart(pd.DataFrame({"reported_on": domain, "forecast_date": domain}))
        .mark_line(color=NEUTRAL, strokeDash=[6, 4], strokeWidth=1.5)
        .encode(x=x, y=y)
    )
    return alt.layer(
        diagonal, _today_rule(today, "Today", domain), lines, changes, ends
    ).properties(
        width=width,
        height=height,
        title=alt.Title(
            "Milestone trend: forecast date at each report",
            subtitle="Flat = on plan, rising = slipping, falling = ahead; "
            "a reached milestone ends on the diagonal.",
            anchor="start",
            subtitleColor=NEUTRAL,
        ),
    )
