"""Risk charts: the probability x impact matrix, weekly exposure by band, one risk's scores.

Builders take DataFrames prepared by `domain.risk_bands` and return Altair charts; they never
call Streamlit. Colours come from `domain.formatting`; every cell prints its score and count,
so colour is never the only signal.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts.encoding import conditional
from domain.formatting import BAND_COLOURS, iso_weeks
from domain.risk_bands import BANDS, IMPACT_LABELS, PROBABILITY_LABELS

CELL_SELECTION = "cell"
# Time charts fill the page's width; their height is the plot's own, not shared with
# the title, legend and axes (Streamlit's default "fit" squeezes the plot).
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
DARK_TEXT, LIGHT_TEXT, FADED_TEXT = "#1B1F24", "#FFFFFF", "#8B929C"


def _relative_luminance(colour: str) -> float:
    channels = [int(colour[k : k + 2], 16) / 255 for k in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _title(text: str, size: int = 15) -> alt.Title:
    # An explicit limit: left to Streamlit, a layered chart's title can be cut to an ellipsis.
    return alt.Title(text, anchor="start", fontSize=size, limit=2000)


def text_colour(background: str) -> str:
    """Dark or white text, whichever contrasts more with the cell colour (WCAG ratio)."""
    lum = _relative_luminance(background)
    return DARK_TEXT if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else LIGHT_TEXT


def _scale_labels(labels: dict[int, str]) -> str:
    words = ", ".join(f"'{labels[k]}'" for k in sorted(labels))
    return f"datum.value + '  ' + [{words}][datum.value - 1]"


# Small gaps between the cells let the page's background show through, in either theme.
_GRID = alt.Scale(paddingInner=0.06, paddingOuter=0.02)


def _matrix_axis(title: str, labels: dict[int, str], **extra) -> alt.Axis:
    """ "3  Possible": the number and its word, no ticks or domain line."""
    return alt.Axis(
        title=title,
        labelExpr=_scale_labels(labels),
        labelAngle=0,
        labelFontSize=13,
        titleFontSize=14,
        ticks=False,
        domain=False,
        **extra,
    )


def risk_matrix(
    cells: pd.DataFrame,
    *,
    title: str,
    band_labels: dict[str, str],
    colours: dict[str, str] = BAND_COLOURS,
    cell_px: int = 100,
    legend: bool = True,
) -> alt.LayerChart:
    """A 5 x 5 matrix, probability up, impact across, one cell per score.

    `cells` comes from `domain.risk_bands.matrix_cells` (probability, impact, score, band,
    risks). Clicking a cell selects it (point selection `cell` on probability and impact);
    the other cells fade. Band legend entries read e.g. "High 10–14", from the settings.
    The grid is `cell_px` high per row and takes the width of its container (all five impact
    columns always on screen), its legend below it.
    """
    data = cells.assign(
        band_label=cells.band.map(band_labels),
        probability_label=cells.probability.map(PROBABILITY_LABELS),
        impact_label=cells.impact.map(IMPACT_LABELS),
        ink=cells.band.map(lambda b: text_colour(colours[b])),
        count_text=cells.risks.map(lambda n: f"{n:,}" if n else ""),
        score_text=cells.score.map(str),
    )
    select = alt.selection_point(
        name=CELL_SELECTION, fields=["probability", "impact"], on="click", clear="dblclick"
    )
    size = 5 * cell_px
    x = alt.X("impact:O", sort="ascending", scale=_GRID, axis=_matrix_axis("Impact", IMPACT_LABELS))
    y = alt.Y(
        "probability:O",
        sort="descending",
        scale=_GRID,
        axis=_matrix_axis("Probability", PROBABILITY_LABELS, labelLimit=160),
    )
    faded = alt.value(0.25)
    tooltip = [
        alt.Tooltip("probability:O", title="Probability"),
        alt.Tooltip("probability_label:N", title="Probability is"),
        alt.Tooltip("impact:O", title="Impact"),
        alt.Tooltip("impact_label:N", title="Impact is"),
        alt.Tooltip("score:Q", title="Score"),
        alt.Tooltip("band:N", title="Band"),
        alt.Tooltip("risks:Q", title="Open", format=","),
    ]
    base = alt.Chart(data).encode(x=x, y=y)
    cells_layer = (
        base.mark_rect(cornerRadius=6, strokeWidth=0)
        .encode(
            color=alt.Color(
                "band_label:N",
                scale=alt.Scale(
                    domain=[band_labels[b] for b in BANDS],
                    range=[colours[b] for b in BANDS],
                ),
                legend=None
                if not legend
                else alt.Legend(
                    title="Band",
                    orient="bottom",
                    direction="horizontal",
                    values=[band_labels[b] for b in reversed(BANDS)],
                    labelFontSize=13,
                    titleFontSize=13,
                    symbolType="square",
                    symbolSize=200,
                ),
            ),
            opacity=conditional(alt.OpacityValue, select, alt.value(1.0), faded),
            tooltip=tooltip,
        )
        .add_params(select)
    )
    # Sizes and offsets follow the drawn cell (bandwidth), whatever width the page gives: type
    # by the cell's shorter side, offsets by its own width and height.
    cell = "min(bandwidth('x'), bandwidth('y'))"
    cell_w, cell_h = "bandwidth('x')", "bandwidth('y')"

    def ink(field: str, strength: float, **mark) -> alt.Chart:
        """Text in the cell's contrasting colour; mid-grey once the cell has faded, which
        reads on the light and on the dark theme (the faded cell shows the page through)."""
        return base.mark_text(**mark).encode(
            text=alt.Text(f"{field}:N"),
            color=conditional(
                alt.ColorValue, select, alt.Color("ink:N", scale=None), alt.value(FADED_TEXT)
            ),
            opacity=alt.OpacityValue(strength),
            tooltip=tooltip,
        )

    count_layer = ink(
        "count_text",
        1.0,
        fontSize=alt.ExprRef(f"max(14, {cell} / 3.2)"),
        fontWeight="bold",
        baseline="middle",
        dy=alt.ExprRef(f"{cell_h} / 14"),
    )
    score_layer = ink(
        "score_text",
        0.85,
        fontSize=alt.ExprRef(f"max(10, {cell} / 7.5)"),
        align="left",
        baseline="top",
        dx=alt.ExprRef(f"-{cell_w} / 2 + 7"),
        dy=alt.ExprRef(f"-{cell_h} / 2 + 6"),
    )
    return (
        alt.layer(cells_layer, count_layer, score_layer)
        .properties(
            title=_title(title, size=17),
            width="container",
            height=size,
            # The width is the container's, axes included; the height is the grid's own.
            autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
        )
        # SVG keeps each cell a separate element with its own description (screen readers,
        # browser tests); 25 cells are nothing for it.
        .properties(usermeta={"embedOptions": {"renderer": "svg"}})
    )


def _band_colour_scale(colours: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=list(BANDS), range=[colours[b] for b in BANDS])


def exposure_bands_chart(bands: pd.DataFrame, *, title: str) -> alt.Chart:
    """Open risks per ISO week, stacked by band, Critical at the bottom.

    `bands` has week_end, band, risks (from `domain.risk_bands.exposure_by_band`).
    """
    data = bands.assign(
        week=iso_weeks(bands.week_end),
        band_rank=bands.band.map({b: -n for n, b in enumerate(BANDS)}),
    )
    weeks = list(dict.fromkeys(data.week))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "week:O",
                sort=weeks,
                title="ISO week (score in force at the week's end)",
                axis=alt.Axis(values=_every_nth(weeks), labelAngle=0),
            ),
            y=alt.Y("sum(risks):Q", title="Open risks (count)", stack="zero"),
            color=alt.Color(
                "band:N",
                scale=_band_colour_scale(BAND_COLOURS),
                sort=list(BANDS)[::-1],
                legend=alt.Legend(title="Band", orient="top", direction="horizontal"),
            ),
            order=alt.Order("band_rank:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip("week:N", title="Week"),
                alt.Tooltip("band:N", title="Band"),
                alt.Tooltip("risks:Q", title="Open risks", format=","),
            ],
        )
        .properties(title=_title(title), height=300, autosize=FIT_WIDTH)
    )


def exposure_score_chart(totals: pd.DataFrame, *, title: str) -> alt.Chart:
    """Total score of the open risks per ISO week (exposure weighted by score)."""
    data = totals.assign(week=iso_weeks(totals.week_end))
    weeks = list(data.week)
    base = alt.Chart(data).encode(
        x=alt.X(
            "week:O",
            sort=weeks,
            title="ISO week",
            axis=alt.Axis(values=_every_nth(weeks), labelAngle=0),
        ),
        y=alt.Y("total_score:Q", title="Total score (sum of scores)"),
        tooltip=[
            alt.Tooltip("week:N", title="Week"),
            alt.Tooltip("total_score:Q", title="Total score", format=","),
            alt.Tooltip("open_risks:Q", title="Open risks", format=","),
        ],
    )
    return alt.layer(
        base.mark_line(strokeWidth=3, color="#0072B2"),
        base.mark_point(filled=True, size=50, color="#0072B2"),
    ).properties(title=_title(title), height=220, autosize=FIT_WIDTH)


def score_history_chart(
    history: pd.DataFrame, *, band_ranges: dict[str, tuple[int, int]], title: str
) -> alt.LayerChart:
    """One risk's inherent and residual score at each assessment, over its band zones."""
    long = history.melt(
        id_vars=["assessed_on", "status", "note"],
        value_vars=["inherent_score", "residual_score"],
        var_name="measure",
        value_name="score",
    )
    long["measure"] = long.measure.map({"inherent_score": "Inherent", "residual_score": "Residual"})
    long["assessed_on"] = pd.to_datetime(long.assessed_on)
    zones = pd.DataFrame(
        [
            {"band": b, "low": lo - 0.5, "high": hi + 0.5}
            for b, (lo, hi) in band_ranges.items()
            if lo <= hi
        ]
    )
    zone_layer = (
        alt.Chart(zones)
        .mark_rect(opacity=0.18)
        .encode(
            y=alt.Y("low:Q", scale=alt.Scale(domain=[0.5, 25.5], nice=False)),
            y2=alt.Y2("high:Q"),
            color=alt.Color("band:N", scale=_band_colour_scale(BAND_COLOURS), legend=None),
        )
    )
    lines = alt.Chart(long).encode(
        x=alt.X("assessed_on:T", title="Assessed on", axis=alt.Axis(format="%d %b %Y")),
        y=alt.Y("score:Q", title="Score (1–25)", scale=alt.Scale(domain=[0.5, 25.5], nice=False)),
        strokeDash=alt.StrokeDash(
            "measure:N",
            scale=alt.Scale(domain=["Inherent", "Residual"], range=[[1, 0], [6, 4]]),
            legend=alt.Legend(title=None, orient="top"),
        ),
        tooltip=[
            alt.Tooltip("assessed_on:T", title="Assessed on", format="%d %b %Y"),
            alt.Tooltip("measure:N", title="Score"),
            alt.Tooltip("score:Q", title="Value"),
            alt.Tooltip("status:N", title="Status"),
            alt.Tooltip("note:N", title="Note"),
        ],
    )
    return alt.layer(
        zone_layer,
        lines.mark_line(interpolate="step-after", strokeWidth=3, color="#0072B2"),
        lines.mark_point(filled=True, size=70, color="#0072B2"),
    ).properties(title=_title(title), height=260, autosize=FIT_WIDTH)


def _every_nth(labels: list[str], most: int = 13) -> list[str]:
    """Axis labels thinned to at most `most`, always ending on the latest week."""
    step = max(1, -(-len(labels) // most))
    return labels[::-1][::step][::-1]
