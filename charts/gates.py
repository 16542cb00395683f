"""Altair builders for the methodology: a project's lifecycle bar and the compliance heatmaps.

Colour is never the only signal: the lifecycle bar prints done / current / next in each
phase, compliance cells print their share (or the letter of the state).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts.encoding import conditional
from charts.health import INK, no_data
from domain.gates import COMPLIANCE_COLOURS, COMPLIANCE_LETTERS, COMPLIANCE_ORDER, POLICIES

STATE_COLOURS = {"done": "#0072B2", "current": "#E69F00", "next": "#DDDDDD", "stopped": "#D55E00"}
ROW = 28
# A group's share of compliant projects, in the colours of missing, late and compliant.
SHARE_BANDS = ("60 % or less compliant", "up to 90 %", "over 90 %")


def lifecycle_bar(phases: pd.DataFrame, *, title: str) -> alt.Chart:
    """One segment per phase, in order, coloured and labelled by its state."""
    if phases.empty:
        return no_data("This project follows no lifecycle template.", title)
    data = phases.assign(
        row="",
        order=range(len(phases)),
        text=[f"{m} {n}" for m, n in zip(phases.mark, phases.phase, strict=True)],
    )
    x = alt.X(
        "phase:N",
        sort=alt.EncodingSortField("order"),
        axis=None,
        scale=alt.Scale(paddingInner=0.04),
    )
    tooltip = [
        alt.Tooltip("phase:N", title="Phase"),
        alt.Tooltip("state:N", title="State"),
        alt.Tooltip("gate:N", title="Gate at its end"),
    ]
    y = alt.Y("row:N", axis=None)
    base = alt.Chart(data)
    bars = base.mark_rect(cornerRadius=3).encode(
        x,
        y,
        color=alt.Color(
            "state:N",
            scale=alt.Scale(domain=list(STATE_COLOURS), range=list(STATE_COLOURS.values())),
            legend=None,
        ),
        tooltip=tooltip,
    )
    labels = base.mark_text(fontSize=14, fontWeight="bold").encode(
        x,
        y,
        text=alt.Text("text:N"),
        color=conditional(
            alt.ColorValue,
            alt.FieldOneOfPredicate("state", ["done", "stopped"]),
            alt.value("#FFFFFF"),
            alt.value(INK),
        ),
        tooltip=tooltip,
    )
    return alt.layer(bars, labels).properties(title=title, height=48)


def compliance_heatmap(cells: pd.DataFrame, *, rows: str, title: str) -> alt.Chart:
    """Share of compliant projects by `rows` (department or program) and policy."""
    if cells.empty:
        return no_data("No project matches the filters.", title)
    data = cells.assign(
        band=pd.cut(cells.share, [-0.01, 0.6, 0.9, 1.0], labels=SHARE_BANDS).astype(str)
    )
    return _heatmap(
        data,
        rows=rows,
        text="label",
        bands=SHARE_BANDS,
        tooltip=[
            alt.Tooltip(f"{rows}:N", title=rows.capitalize()),
            alt.Tooltip("policy:N", title="Policy"),
            alt.Tooltip("label:N", title="Compliant"),
            alt.Tooltip("projects:Q", title="Projects"),
        ],
        title=title,
    )


def project_heatmap(results: pd.DataFrame, *, title: str) -> alt.Chart:
    """Each project by policy: compliant (✓), late (L) or missing (✗), with the reason."""
    if results.empty:
        return no_data("No project matches the filters.", title)
    data = results.assign(
        project=results.code + " · " + results.name,
        band=results.state,
        letter=results.state.map(COMPLIANCE_LETTERS),
    )
    return _heatmap(
        data,
        rows="project",
        text="letter",
        bands=COMPLIANCE_ORDER,
        tooltip=[
            alt.Tooltip("project:N", title="Project"),
            alt.Tooltip("policy:N", title="Policy"),
            alt.Tooltip("state:N", title="State"),
            alt.Tooltip("reason:N", title="Why"),
        ],
        title=title,
    )


# A label longer than 14 characters is cut into two lines at its last space before the 14th.
_CUT = "lastindexof(slice(datum.label, 0, 14), ' ')"
WRAP_LABEL = (
    f"length(datum.label) > 14 ? [slice(datum.label, 0, {_CUT}), "
    f"slice(datum.label, {_CUT} + 1)] : datum.label"
)


def _heatmap(data: pd.DataFrame, *, rows: str, text: str, bands, tooltip: list, title: str):
    x = alt.X(
        "policy:N",
        sort=list(POLICIES.values()),
        title=None,
        axis=alt.Axis(
            orient="top",
            labelAngle=0,
            # Two lines for the longer names ("Status report / on time"): five columns share
            # a laptop's 800 px with the row names.
            labelExpr=WRAP_LABEL,
            labelLimit=0,
            ticks=False,
            domain=False,
        ),
    )
    y = alt.Y(
        f"{rows}:N",
        title=None,
        sort=None,
        axis=alt.Axis(labelLimit=260, ticks=False, domain=False),
    )
    colour = alt.Color(
        "band:N",
        scale=alt.Scale(
            domain=list(bands), range=[COMPLIANCE_COLOURS[k] for k in COMPLIANCE_ORDER]
        ),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    base = alt.Chart(data)
    rect = base.mark_rect(cornerRadius=2).encode(x, y, color=colour, tooltip=tooltip)
    label = base.mark_text(fontWeight="bold", fontSize=13, color=INK).encode(
        x, y, text=alt.Text(f"{text}:N"), tooltip=tooltip
    )
    # As wide as the page's column, whatever the screen: the five policies share it.
    return alt.layer(rect, label).properties(title=title, width="container", height=alt.Step(ROW))


# One colour per policy (Okabe-Ito, safe for colour-blind readers), in the heatmap's order.
POLICY_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00"]


def compliance_trend(weeks: pd.DataFrame, *, title: str) -> alt.Chart:
    """Share of projects compliant with each policy, week by week: one line per policy.

    Lines on one 0-100 % scale rather than small multiples or a heatmap: in a review the lead
    asks "which policy is slipping, since when", and a falling line among its neighbours
    answers both at a glance; the counts behind each point are in its tooltip."""
    if weeks.empty:
        return no_data("No project matches the filters.", title)
    data = weeks.assign(week_end=pd.to_datetime(weeks.week_end))
    policy = alt.Color(
        "policy:N",
        sort=list(POLICIES.values()),
        scale=alt.Scale(domain=list(POLICIES.values()), range=POLICY_COLOURS),
        # One row above the plot (five short names fit 800 px): read before the lines.
        legend=alt.Legend(title=None, orient="top", columns=5, labelLimit=220),
    )
    return (
        alt.Chart(data)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=alt.X("week_end:T", title="Week ending", axis=alt.Axis(format="%d %b")),
            y=alt.Y(
                "share:Q",
                title="Projects compliant",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            color=policy,
            tooltip=[
                alt.Tooltip("week_end:T", title="Week ending", format="%d %b %Y"),
                alt.Tooltip("policy:N", title="Policy"),
                alt.Tooltip("share:Q", title="Compliant", format=".0%"),
                alt.Tooltip("compliant:Q", title="Projects compliant"),
                alt.Tooltip("late:Q", title="Late"),
                alt.Tooltip("missing:Q", title="Missing"),
                alt.Tooltip("projects:Q", title="Projects then"),
            ],
        )
        .properties(title=title, height=300)
    )
