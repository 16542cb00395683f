"""Chart builders for the review slides, in large type for a projector.

Each builder takes the DataFrame a slide block carries (see domain/slides.py) and returns an
`alt.Chart`; `width`/`height` are pixels for the exported images, or "container" in the browser.
Type sizes are set on the marks and axes, not in a config, so that they hold inside Streamlit's
theme (light or dark) and in the exported PNG alike.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from domain.formatting import BAND_COLOURS, RAG_COLOURS
from domain.slides import text_colour_on

FONT = 24
TITLE_FONT = 28
INK = "#1B1F24"  # text beside the marks; the browser passes the dark theme's light ink
WEEK_FORMAT = "%G-W%V"  # ISO weeks on time axes
LATE, SLIPPING, ON_PLAN = "Overdue", "Behind baseline", "On plan"
STATUS_COLOURS = {LATE: RAG_COLOURS["R"], SLIPPING: RAG_COLOURS["A"], ON_PLAN: RAG_COLOURS["G"]}


def _title(text: str) -> alt.TitleParams:
    return alt.TitleParams(text, fontSize=TITLE_FONT, anchor="start", offset=12)


def _axis(title: str | None, **kwargs) -> alt.Axis:
    # Paddings in pixels too: Streamlit's theme gives them in rem, and a presented slide's rem
    # follows the window (54 px at 4K), which squeezed the rows until labels were dropped.
    return alt.Axis(
        title=title,
        labelFontSize=FONT,
        titleFontSize=FONT,
        labelLimit=420,
        labelPadding=6,
        titlePadding=10,
        **kwargs,
    )


def health_bars(
    data: pd.DataFrame, title: str, width="container", height=300, ink: str = INK
) -> alt.Chart:
    """Active projects per overall health, worst first, the letter and count on each bar."""
    data = data.assign(caption=data.rag + "  " + data.projects.astype(str))
    order = data.label.tolist()
    reach = max(1, int(data.projects.max())) * 1.2  # room for the captions
    base = alt.Chart(data, title=_title(title)).encode(
        y=alt.Y("label:N", sort=order, axis=_axis(None)),
        x=alt.X(
            "projects:Q",
            scale=alt.Scale(domain=[0, reach], nice=False),
            axis=_axis("Projects", tickMinStep=1),
        ),
    )
    bars = base.mark_bar(height={"band": 0.75}).encode(
        color=alt.Color(
            "rag:N",
            scale=alt.Scale(domain=list(RAG_COLOURS), range=list(RAG_COLOURS.values())),
            legend=None,
        ),
        tooltip=[alt.Tooltip("label"), alt.Tooltip("projects")],
    )
    text = base.mark_text(align="left", dx=8, fontSize=FONT, fontWeight="bold", color=ink).encode(
        text=alt.Text("caption:N")
    )
    return (bars + text).properties(width=width, height=height)


def milestone_timeline(
    data: pd.DataFrame, title: str, today: dt.date, width="container", height=300
) -> alt.Chart:
    """One row per open milestone: hollow baseline, filled forecast coloured by its state."""
    forecast = pd.to_datetime(data.forecast_date)
    baseline = pd.to_datetime(data.baseline_date)
    state = pd.Series(ON_PLAN, index=data.index)
    state = state.where(forecast <= baseline, SLIPPING).where(forecast >= pd.Timestamp(today), LATE)
    df = pd.DataFrame(
        {
            "milestone": data.milestone.str.slice(0, 28),
            "baseline": baseline,
            "forecast": forecast,
            "state": state,
            "order": range(len(data)),
        }
    )
    y = alt.Y("milestone:N", sort=alt.SortField("order"), axis=_axis(None))
    # The week labels stay inside the chart: flush at its ends, hidden where one would overflow.
    x_axis = _axis(None, format=WEEK_FORMAT, tickCount=5, labelFlush=True, labelBound=True)
    base = alt.Chart(df).encode(y=y)
    # Padding keeps the points at either end whole (they are drawn 20 px wide).
    link = base.mark_rule(strokeWidth=3, color="#999999").encode(
        x=alt.X("baseline:T", axis=x_axis, scale=alt.Scale(padding=16)), x2=alt.X2("forecast:T")
    )
    planned = base.mark_point(size=260, filled=False, strokeWidth=3, color="#999999").encode(
        x=alt.X("baseline:T"), tooltip=[alt.Tooltip("baseline:T", format="%d %b %Y")]
    )
    predicted = base.mark_point(size=380, filled=True, opacity=1).encode(
        x=alt.X("forecast:T"),
        shape=alt.ShapeValue("circle"),
        color=alt.Color(
            "state:N",
            scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
            # Two columns in a narrow image (an exported slide), so the legend is never cut.
            legend=alt.Legend(
                title=None,
                orient="bottom",
                labelFontSize=FONT - 2,
                symbolSize=300,
                columns=2 if isinstance(width, int) and width < 800 else 3,
            ),
        ),
        tooltip=[
            alt.Tooltip("milestone"),
            alt.Tooltip("forecast:T", format="%d %b %Y"),
            alt.Tooltip("state"),
        ],
    )
    marker = (
        alt.Chart(pd.DataFrame({"today": [pd.Timestamp(today)]}))
        .mark_rule(strokeDash=[6, 4], strokeWidth=2, color="#0072B2")
        .encode(x=alt.X("today:T"))
    )
    return (link + planned + predicted + marker).properties(
        title=_title(title), width=width, height=height
    )


def slip_bars(
    data: pd.DataFrame, title: str, width="container", height=300, ink: str = INK
) -> alt.Chart:
    """Days each milestone's forecast moved later, the largest first (new date on hover)."""
    data = data.assign(caption="+" + data.days.astype(str) + " d")
    # Room on the right for the captions beside the bars.
    reach = max(1, int(data.days.max()) if len(data) else 1) * 1.3
    base = alt.Chart(data, title=_title(title)).encode(
        y=alt.Y("label:N", sort="-x", axis=_axis(None)),
        x=alt.X(
            "days:Q",
            scale=alt.Scale(domain=[0, reach], nice=False),
            axis=_axis("Days later", tickCount=4),
        ),
    )
    bars = base.mark_bar(color=RAG_COLOURS["A"], height={"band": 0.7}).encode(
        tooltip=[alt.Tooltip("label"), alt.Tooltip("days"), alt.Tooltip("forecast")]
    )
    text = base.mark_text(align="left", dx=8, fontSize=FONT - 2, color=ink).encode(
        text=alt.Text("caption:N")
    )
    return (bars + text).properties(width=width, height=height)


def _band_of(score: int, bands: dict[str, int]) -> str:
    if score >= bands["critical"]:
        return "Critical"
    if score >= bands["high"]:
        return "High"
    return "Medium" if score >= bands["medium"] else "Low"


def risk_matrix(
    data: pd.DataFrame, title: str, bands: dict[str, int], width="container", height=420
) -> alt.Chart:
    """The 5 x 5 probability x impact grid: every cell in its band colour, open threats counted."""
    grid = pd.MultiIndex.from_product([range(1, 6), range(1, 6)], names=["probability", "impact"])
    cells = (
        data.set_index(["probability", "impact"])
        .reindex(grid, fill_value=0)
        .reset_index()
        .astype({"risks": int})
    )
    cells["score"] = cells.probability * cells.impact
    cells["band"] = [_band_of(s, bands) for s in cells.score]
    cells["count"] = cells.risks.map(lambda n: str(n) if n else "")
    cells["ink"] = cells.band.map(BAND_COLOURS).map(text_colour_on)
    base = alt.Chart(cells, title=_title(title)).encode(
        x=alt.X("impact:O", axis=_axis("Impact (1 negligible to 5 severe)", labelAngle=0)),
        y=alt.Y("probability:O", sort="descending", axis=_axis("Probability (1 to 5)")),
    )
    rect = base.mark_rect(stroke="#FFFFFF", strokeWidth=3).encode(
        color=alt.Color(
            "band:N",
            scale=alt.Scale(domain=list(BAND_COLOURS), range=list(BAND_COLOURS.values())),
            legend=alt.Legend(title=None, orient="right", labelFontSize=FONT - 2, symbolSize=300),
        ),
        tooltip=[
            alt.Tooltip("probability"),
            alt.Tooltip("impact"),
            alt.Tooltip("score"),
            alt.Tooltip("band"),
            alt.Tooltip("risks"),
        ],
    )
    text = base.mark_text(fontSize=FONT + 4, fontWeight="bold").encode(
        text=alt.Text("count:N"), color=alt.Color("ink:N", scale=None)
    )
    return (rect + text).properties(width=width, height=height)


def green_trend(
    data: pd.DataFrame, title: str, today: dt.date, width="container", height=300
) -> alt.Chart:
    """The expected back-to-green date at each report (a step line; slips as red triangles)
    against the diagonal of the reporting day, in the style of the milestone trend."""
    df = data.assign(
        report_date=pd.to_datetime(data.report_date),
        expected_green_date=pd.to_datetime(data.expected_green_date),
        change=data.slipped.map({True: "Slipped", False: "Held"}),
    )
    low = min(df.report_date.min(), df.expected_green_date.min()) - pd.Timedelta(days=7)
    high = max(df.report_date.max(), df.expected_green_date.max(), pd.Timestamp(today))
    domain = [low.isoformat(), (high + pd.Timedelta(days=7)).isoformat()]
    axis = _axis(None, format=WEEK_FORMAT, tickCount=5)
    x = alt.X("report_date:T", scale=alt.Scale(domain=domain), axis=axis)
    y = alt.Y("expected_green_date:T", scale=alt.Scale(domain=domain), axis=axis)
    base = alt.Chart(df).encode(x=x, y=y)
    line = base.mark_line(interpolate="step-after", strokeWidth=4, color="#0072B2")
    points = base.mark_point(filled=True, size=320, opacity=1).encode(
        shape=alt.Shape(
            "change:N",
            scale=alt.Scale(domain=["Held", "Slipped"], range=["circle", "triangle-up"]),
            legend=None,
        ),
        color=alt.Color(
            "change:N",
            scale=alt.Scale(domain=["Held", "Slipped"], range=["#0072B2", RAG_COLOURS["R"]]),
            legend=alt.Legend(title=None, orient="bottom", labelFontSize=FONT - 2, symbolSize=300),
        ),
        tooltip=[
            alt.Tooltip("report_date:T", format="%d %b %Y", title="Reported"),
            alt.Tooltip("expected_green_date:T", format="%d %b %Y", title="Green by"),
            alt.Tooltip("change"),
        ],
    )
    diagonal = (
        alt.Chart(pd.DataFrame({"report_date": domain, "expected_green_date": domain}))
        .mark_line(strokeDash=[8, 6], strokeWidth=2, color="#999999")
        .encode(x=x, y=y)
    )
    # Room on the right: a week label under the last tick reaches past the plot.
    return (diagonal + line + points).properties(
        title=_title(title),
        width=width,
        height=height,
        padding={"top": 5, "bottom": 5, "left": 5, "right": 48},
    )


BUILDERS = {
    "green_trend": green_trend,
    "health_bars": health_bars,
    "milestone_timeline": milestone_timeline,
    "slip_bars": slip_bars,
    "risk_matrix": risk_matrix,
}


# Builders that print text beside their marks, on the page's background.
WITH_INK = {"health_bars", "slip_bars"}


def build(
    name: str, data: pd.DataFrame, title: str, params: dict, ink: str = INK, **size
) -> alt.Chart:
    """The chart a slide block names, with its parameters, text colour and size: the whole
    drawing (axes, title and legend included) fits the box `width` x `height` in pixels."""
    extra = {"ink": ink} if name in WITH_INK else {}
    return BUILDERS[name](data, title, **params, **extra, **size).properties(
        autosize=alt.AutoSizeParams(type="fit", contains="padding")
    )
