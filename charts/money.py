"""Money charts: spend over time against plan, and forecast variance by group."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from charts.capacity import no_data, titled
from domain.formatting import RAG_COLOURS, RAG_LABELS

SERIES_COLOURS = {
    "Actual cost (AC)": "#D55E00",
    "Earned value (EV)": "#0072B2",
    "Planned (PV)": "#888888",
}
# Money axis labels: 1.2 bn, 350 M, 12,000; the title names the currency.
MONEY_LABELS = (
    "abs(datum.value) >= 1e9 ? format(datum.value / 1e9, ',.1f') + ' bn' : "
    "abs(datum.value) >= 1e6 ? format(datum.value / 1e6, ',.1f') + ' M' : "
    "format(datum.value, ',.0f')"
)


def spend_chart(
    curve: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    currency: str,
    today: dt.date,
    levels: dict[str, float] | None = None,
) -> alt.Chart:
    """Cumulative actual cost, earned value and planned spend (long format: report_date,
    series, amount); optional horizontal `levels` such as the budget and the forecast at
    completion, and a today marker."""
    if curve.empty:
        return no_data("No status report with cost yet for these projects.", title)
    data = curve.assign(report_date=pd.to_datetime(curve.report_date))
    series = [s for s in SERIES_COLOURS if s in set(data.series)]
    x = alt.X(
        "report_date:T",
        title="ISO week (reporting day)",
        axis=alt.Axis(format="%G-W%V", labelAngle=-45),
    )
    y = alt.Y(
        "amount:Q",
        title=f"Cumulative cost ({currency})",
        axis=alt.Axis(labelExpr=MONEY_LABELS),
    )
    # A legend, not labels at the line ends: earned value and plan often end on top of each
    # other (that is the point of the chart when the project is on plan).
    legend = alt.Legend(title=None, orient="top", symbolStrokeWidth=3, labelFontSize=13)
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=series, range=[SERIES_COLOURS[s] for s in series]),
        legend=legend,
    )
    lines = (
        alt.Chart(data)
        .mark_line(strokeWidth=3)
        .encode(
            x=x,
            y=y,
            color=colour,
            strokeDash=alt.StrokeDash(
                "series:N",
                scale=alt.Scale(
                    domain=series, range=[[6, 4] if "PV" in s else [1, 0] for s in series]
                ),
                legend=legend,
            ),
            tooltip=[
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("report_date:T", title="Day", format="%d %b %Y"),
                alt.Tooltip("amount:Q", title=currency, format=",.0f"),
            ],
        )
    )
    layers = [lines]
    if levels:
        level_data = pd.DataFrame({"name": list(levels), "amount": list(levels.values())})
        level_data["label"] = level_data.name + " " + level_data.amount.map("{:,.0f}".format)
        # The higher level is labelled above its line, the lower one below: close levels
        # (a forecast near the budget) never print on top of each other.
        level_data["offset"] = [
            -8 if a >= level_data.amount.max() else 12 for a in level_data.amount
        ]
        layers += [
            alt.Chart(level_data).mark_rule(strokeDash=[2, 2], color="#777777").encode(y=y),
            alt.Chart(level_data)
            .mark_text(align="left", x=4, fontSize=12, color="#777777")
            .encode(y=y, yOffset=alt.YOffset("offset:Q", scale=None), text=alt.Text("label:N")),
        ]
    marker = pd.DataFrame({"report_date": [pd.Timestamp(today)], "label": ["today"]})
    layers += [
        alt.Chart(marker).mark_rule(color="#777777").encode(x=x),
        alt.Chart(marker)
        .mark_text(align="left", baseline="top", dx=4, y=4, color="#777777")
        .encode(x=x, text=alt.Text("label:N")),
    ]
    return alt.layer(*layers).properties(title=titled(title, subtitle), height=480)


def variance_bars(
    groups: pd.DataFrame,
    *,
    by: str,
    title: str,
    subtitle: str,
    amber_pct: float,
    red_pct: float,
) -> alt.Chart:
    """Forecast at completion over (or under) budget in % per group, worst first, coloured and
    lettered by the cost thresholds of health, with the thresholds drawn."""
    data = groups.dropna(subset=["variance_pct"])
    if data.empty:
        return no_data("No approved budget in these projects.", title)
    data = data.assign(
        status=data.rag.map(RAG_LABELS),
        label=data.rag + "  " + data.variance_pct.map("{:+.1f} %".format),
    )
    order = data.sort_values("variance_pct", ascending=False)[by].tolist()
    y = alt.Y(f"{by}:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    x = alt.X("variance_pct:Q", title="Forecast at completion vs budget (%)")
    letters = ["R", "A", "G"]
    colour = alt.Color(
        "rag:N",
        scale=alt.Scale(domain=letters, range=[RAG_COLOURS[k] for k in letters]),
        legend=None,
    )
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=x,
            y=y,
            color=colour,
            tooltip=[
                alt.Tooltip(f"{by}:N"),
                alt.Tooltip("status:N", title="Cost"),
                alt.Tooltip("variance_pct:Q", title="EAC vs budget (%)", format="+.1f"),
                alt.Tooltip("bac:Q", title="Budget", format=",.0f"),
                alt.Tooltip("eac:Q", title="Forecast at completion", format=",.0f"),
                alt.Tooltip("projects:Q", title="Projects"),
            ],
        )
    )
    text = (
        alt.Chart(data)
        .mark_text(align="left", dx=4, fontSize=13, fontWeight="bold")
        # In the bar's own colour: readable on the light and the dark theme alike.
        .encode(x=alt.X("max_x:Q"), y=y, text=alt.Text("label:N"), color=colour)
        .transform_calculate(max_x="max(datum.variance_pct, 0)")
    )
    rules = pd.DataFrame(
        {"at": [0.0, amber_pct, red_pct], "what": ["budget", "Amber above", "Red above"]}
    )
    thresholds = (
        alt.Chart(rules)
        .mark_rule(strokeDash=[4, 3], color="#777777")
        .encode(x=alt.X("at:Q"), tooltip=[alt.Tooltip("what:N"), alt.Tooltip("at:Q", title="%")])
    )
    return alt.layer(bars, thresholds, text).properties(
        title=titled(title, subtitle),
        height=alt.Step(26),
    )
