"""The competence matrix: people by course, each cell held, expiring, expired or missing."""

from __future__ import annotations

import altair as alt
import pandas as pd

from domain.training import STATE_LABELS, STATES

COLOURS = ("#2e7d32", "#f9a825", "#c62828", "#d9d9d9")


def competence_heatmap(grid: pd.DataFrame) -> alt.Chart:
    data = grid.assign(
        label=grid.state.map(STATE_LABELS),
        expires=grid.expires_on.map(lambda d: "" if d is None or pd.isna(d) else d.isoformat()),
    )[["person", "course", "label", "expires"]]
    labels = [STATE_LABELS[s] for s in STATES]
    return (
        alt.Chart(data)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X(
                "course:N",
                title=None,
                # Every course named: Vega would drop overlapping labels.
                axis=alt.Axis(orient="top", labelAngle=-30, labelLimit=200, labelOverlap=False),
            ),
            y=alt.Y("person:N", title=None, axis=alt.Axis(labelLimit=200)),
            color=alt.Color(
                "label:N",
                title="Certification",
                scale=alt.Scale(domain=labels, range=list(COLOURS)),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("person:N", title="Person"),
                alt.Tooltip("course:N", title="Course"),
                alt.Tooltip("label:N", title="State"),
                alt.Tooltip("expires:N", title="Expires"),
            ],
        )
        .properties(height=alt.Step(22))
    )
