"""The power/interest grid (Mendelow): each stakeholder placed by influence and interest, the
four quadrants named, so the register says at a glance whom to manage closely."""

from __future__ import annotations

import altair as alt
import pandas as pd

from domain.stakeholders import QUADRANTS

QUADRANT_BOXES = pd.DataFrame(
    [
        {"x": 0.5, "x2": 3.5, "y": 3.5, "y2": 5.5, "label": QUADRANTS[(True, False)]},
        {"x": 3.5, "x2": 5.5, "y": 3.5, "y2": 5.5, "label": QUADRANTS[(True, True)]},
        {"x": 0.5, "x2": 3.5, "y": 0.5, "y2": 3.5, "label": QUADRANTS[(False, False)]},
        {"x": 3.5, "x2": 5.5, "y": 0.5, "y2": 3.5, "label": QUADRANTS[(False, True)]},
    ]
)
# Manage closely stands out; keep satisfied and keep informed are tinted; monitor stays plain.
SHADES = {
    QUADRANTS[(True, True)]: "#FBE3D6",
    QUADRANTS[(True, False)]: "#FDF3D9",
    QUADRANTS[(False, True)]: "#E3F2EC",
    QUADRANTS[(False, False)]: "#F3F6F9",
}
TICKS = [1, 2, 3, 4, 5]


def power_interest_grid(stakeholders: pd.DataFrame, title: str) -> alt.Chart:
    """`stakeholders`: name, role, interest (1-5), influence (1-5)."""
    scale = alt.Scale(domain=[0.5, 5.5], nice=False)
    boxes = (
        alt.Chart(QUADRANT_BOXES)
        .mark_rect(opacity=0.9)
        .encode(
            x=alt.X(
                "x:Q",
                scale=scale,
                title="Interest (1 low to 5 high)",
                axis=alt.Axis(values=TICKS, grid=False),
            ),
            x2=alt.X2("x2"),
            y=alt.Y(
                "y:Q",
                scale=scale,
                title="Influence (1 low to 5 high)",
                axis=alt.Axis(values=TICKS, grid=False),
            ),
            y2=alt.Y2("y2"),
            color=alt.Color(
                "label:N",
                scale=alt.Scale(domain=list(SHADES), range=list(SHADES.values())),
                legend=None,
            ),
        )
    )
    names = (
        alt.Chart(QUADRANT_BOXES)
        .mark_text(align="left", baseline="top", dx=4, dy=4, fontSize=13, color="#52606D")
        .encode(x=alt.X("x:Q"), y=alt.Y("y2:Q"), text=alt.Text("label:N"))
    )
    # Several people on one cell: spread them a little so every name shows.
    data = stakeholders.assign(
        rank=stakeholders.groupby(["interest", "influence"]).cumcount()
    ).assign(x=lambda d: d.interest, y=lambda d: d.influence - d["rank"] * 0.28)
    points = (
        alt.Chart(data)
        .mark_circle(size=140, color="#0072B2")
        .encode(
            x=alt.X("x:Q"),
            y=alt.Y("y:Q"),
            tooltip=[
                alt.Tooltip("name:N"),
                alt.Tooltip("role:N"),
                alt.Tooltip("interest:Q"),
                alt.Tooltip("influence:Q"),
            ],
        )
    )
    labels = (
        alt.Chart(data)
        .mark_text(align="left", dx=9, fontSize=13, color="#1F2933")
        .encode(x=alt.X("x:Q"), y=alt.Y("y:Q"), text=alt.Text("name:N"))
    )
    return (boxes + names + points + labels).properties(
        title=alt.Title(title, anchor="start", fontSize=15), height=420
    )
