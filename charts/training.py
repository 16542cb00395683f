"""The competence matrix: people by course, each cell held, expiring, expired or missing."""

from __future__ import annotations

import altair as alt
import pandas as pd

from domain.formatting import RAG_COLOURS
from domain.training import STATE_LABELS, STATES

# Okabe-Ito, as the health colours, each state with its mark in the cell: readable without
# telling the colours apart.
COLOURS = (RAG_COLOURS["G"], RAG_COLOURS["A"], RAG_COLOURS["R"], "#D9D9D9")
MARKS = {"held": "✓", "expiring": "!", "expired": "✗", "missing": "–"}
INKS = {"held": "#FFFFFF", "expiring": "#1B1F24", "expired": "#FFFFFF", "missing": "#1B1F24"}


def competence_heatmap(grid: pd.DataFrame) -> alt.Chart:
    data = grid.assign(
        label=grid.state.map(STATE_LABELS),
        mark=grid.state.map(MARKS),
        ink=grid.state.map(INKS),
        expires=grid.expires_on.map(lambda d: "" if d is None or pd.isna(d) else d.isoformat()),
    )[["person", "course", "label", "mark", "ink", "expires"]]
    labels = [STATE_LABELS[s] for s in STATES]
    tooltip = [
        alt.Tooltip("person:N", title="Person"),
        alt.Tooltip("course:N", title="Course"),
        alt.Tooltip("label:N", title="State"),
        alt.Tooltip("expires:N", title="Expires"),
    ]
    base = alt.Chart(data).encode(
        x=alt.X(
            "course:N",
            title=None,
            # Every course named: Vega would drop overlapping labels.
            axis=alt.Axis(orient="top", labelAngle=-30, labelLimit=200, labelOverlap=False),
        ),
        y=alt.Y("person:N", title=None, axis=alt.Axis(labelLimit=200)),
        tooltip=tooltip,
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "label:N",
            title="Certification",
            scale=alt.Scale(domain=labels, range=list(COLOURS)),
            legend=alt.Legend(orient="top"),
        )
    )
    marks = base.mark_text(fontSize=13, fontWeight="bold").encode(
        text=alt.Text("mark:N"), color=alt.Color("ink:N", scale=None)
    )
    return alt.layer(cells, marks).properties(height=alt.Step(22))
