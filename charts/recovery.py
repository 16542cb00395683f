"""The back-to-green trend of a project, in the style of the milestone trend analysis:
reporting date (x) against the expected back-to-green date (y), with the diagonal y = x.
Flat = the date holds, rising = it slips (each slip marked), reaching the diagonal = the day
it was due."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from charts.milestones import DATE_FORMAT, NEUTRAL, WEEK_FORMAT, _empty, _today_rule
from domain.formatting import RAG_COLOURS

HELD_COLOUR = "#0072B2"


def green_date_chart(
    history: pd.DataFrame, today: dt.date, *, width: int = 560, height: int = 380
) -> alt.Chart:
    """`history`: report_date, expected_green_date, slipped, cause, confidence (one row per
    status update that carried a recovery plan)."""
    if history.empty:
        return _empty("No recovery plan reported yet.", height)
    frame = history.assign(
        report_date=pd.to_datetime(history["report_date"]),
        expected_green_date=pd.to_datetime(history["expected_green_date"]),
        mark=history["slipped"].map({True: "slipped", False: "held or pulled in"}),
    )
    low = min(frame["report_date"].min(), frame["expected_green_date"].min())
    high = max(frame["report_date"].max(), frame["expected_green_date"].max(), pd.Timestamp(today))
    pad = pd.Timedelta(days=7)
    domain = [(low - pad).isoformat(), (high + pad).isoformat()]
    axis = alt.Axis(format=WEEK_FORMAT, labelAngle=0, labelOverlap=True)
    x = alt.X("report_date:T", title="Reporting date (ISO week)", scale=alt.Scale(domain=domain))
    y = alt.Y(
        "expected_green_date:T",
        title="Expected back to Green (ISO week)",
        scale=alt.Scale(domain=domain),
    )
    x, y = x.axis(axis), y.axis(axis)
    tooltip = [
        alt.Tooltip("report_date:T", title="Reported on", format=DATE_FORMAT),
        alt.Tooltip("expected_green_date:T", title="Back to Green by", format=DATE_FORMAT),
        alt.Tooltip("mark:N", title="Change"),
        alt.Tooltip("cause:N", title="Cause"),
        alt.Tooltip("confidence:N", title="Confidence"),
    ]
    base = alt.Chart(frame).encode(x=x, y=y)
    line = base.mark_line(interpolate="step-after", color=HELD_COLOUR, strokeWidth=3)
    points = base.mark_point(filled=True, size=90).encode(
        color=alt.Color(
            "mark:N",
            title="At each report",
            scale=alt.Scale(
                domain=["held or pulled in", "slipped"], range=[HELD_COLOUR, RAG_COLOURS["R"]]
            ),
            legend=alt.Legend(orient="bottom"),
        ),
        shape=alt.Shape(
            "mark:N",
            scale=alt.Scale(
                domain=["held or pulled in", "slipped"], range=["circle", "triangle-up"]
            ),
            legend=None,
        ),
        tooltip=tooltip,
    )
    diagonal = (
        alt.Chart(pd.DataFrame({"report_date": domain, "expected_green_date": domain}))
        .mark_line(color=NEUTRAL, strokeDash=[6, 4], strokeWidth=1.5)
        .encode(x=x, y=y)
    )
    slips = int(history["slipped"].sum())
    return alt.layer(diagonal, _today_rule(today, "Today", domain), line, points).properties(
        width=width,
        height=height,
        padding={"top": 12, "left": 5, "right": 5, "bottom": 5},
        title=alt.Title(
            "Back-to-Green date at each status update",
            # Short lines, so that a narrow column never cuts the subtitle.
            subtitle=[
                f"Slipped {slips}× so far.",
                "Flat = holding, rising = slipping;",
                "the diagonal is the reporting day.",
            ],
            anchor="start",
            subtitleColor=NEUTRAL,
        ),
    )
