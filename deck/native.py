"""Slide charts as native PowerPoint charts and tables, so that a PMO can change a bar, a label
or a colour in PowerPoint before the deck goes to the board (the data sits in each chart's
embedded workbook), and a pasted slide stays sharp when zoomed.

Each writer draws one chart block (see domain/slides.py) into its box. Colours carry meaning
(RAG, risk bands) and come with letters or numbers, as on the pages.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from pptx.chart.data import CategoryChartData, XyChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.chart import XL_MARKER_STYLE as MARKER
from pptx.util import Pt

from charts.slides import LATE, ON_PLAN, SLIPPING, STATUS_COLOURS
from domain.formatting import RAG_COLOURS

TITLE_PT, LABEL_PT = 14, 11
BASELINE_GREY, TODAY_BLUE = "#999999", "#0072B2"
EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of the serial dates PowerPoint's charts use


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _serial(day) -> float:
    return float((pd.Timestamp(day).date() - EXCEL_EPOCH).days)


def _frame(slide, kind, data, box):
    frame = slide.shapes.add_chart(kind, Pt(box.x), Pt(box.y), Pt(box.w), Pt(box.h), data)
    chart = frame.chart
    chart.has_title = True
    chart.chart_title.text_frame.text = box.chart.heading
    chart.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(TITLE_PT)
    chart.chart_title.text_frame.paragraphs[0].runs[0].font.bold = True
    chart.font.size = Pt(LABEL_PT)
    return chart


def _bars(slide, box, labels, values, colours, number_format: str, axis_title: str) -> None:
    """Bars with their value beside each, in `number_format`: the labels show the data, so a
    value changed in PowerPoint's chart data moves the bar and its label together."""
    data = CategoryChartData(number_format=number_format)
    data.categories = labels
    data.add_series(axis_title, values)
    chart = _frame(slide, XL_CHART_TYPE.BAR_CLUSTERED, data, box)
    chart.has_legend = False
    plot = chart.plots[0]
    plot.gap_width = 40
    plot.has_data_labels = True
    values_shown = plot.data_labels
    values_shown.show_value, values_shown.number_format_is_linked = True, True
    values_shown.position = XL_LABEL_POSITION.OUTSIDE_END
    values_shown.font.size, values_shown.font.bold = Pt(LABEL_PT), True
    series = plot.series[0]
    for i, colour in enumerate(colours):
        point = series.points[i]
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = _rgb(colour)
    chart.category_axis.reverse_order = True  # the first row on top, as in the browser
    chart.category_axis.tick_labels.font.size = Pt(LABEL_PT)
    value_axis = chart.value_axis
    value_axis.has_major_gridlines = True
    value_axis.minimum_scale = 0
    value_axis.has_title = True
    value_axis.axis_title.text_frame.text = axis_title
    value_axis.tick_labels.font.size = Pt(LABEL_PT)


def health_bars(slide, box) -> None:
    """Active projects per overall health, worst first; the letter with each name (colour is
    never the only sign), the count beside each bar."""
    df = box.chart.data
    _bars(
        slide,
        box,
        [f"{label} ({r})" for label, r in zip(df.label, df.rag, strict=True)],
        [int(v) for v in df.projects],
        [RAG_COLOURS[r] for r in df.rag],
        "0",
        "Projects",
    )


def slip_bars(slide, box) -> None:
    """Days each milestone's forecast moved later, the largest first."""
    df = box.chart.data.sort_values("days", ascending=False)
    _bars(
        slide,
        box,
        df.label.tolist(),
        [int(v) for v in df.days],
        [RAG_COLOURS["A"]] * len(df),
        '"+"0" d"',
        "Days later",
    )


def milestone_timeline(slide, box) -> None:
    """Open milestones as an XY chart: x is the date, one row per milestone (named beside its
    baseline point); hollow grey baseline, filled forecast coloured by its state, a dashed
    line for today. Every point is data in the chart's workbook."""
    df = box.chart.data.reset_index(drop=True)
    today = pd.Timestamp(box.chart.params["today"])
    forecast, baseline = pd.to_datetime(df.forecast_date), pd.to_datetime(df.baseline_date)
    state = pd.Series(ON_PLAN, index=df.index)
    state = state.where(forecast <= baseline, SLIPPING).where(forecast >= today, LATE)
    rows = len(df)
    data = XyChartData()
    base = data.add_series("Baseline")
    for i in range(rows):
        base.add_data_point(_serial(baseline[i]), rows - i)
    shown_states = [s for s in (LATE, SLIPPING, ON_PLAN) if (state == s).any()]
    for name in shown_states:
        series = data.add_series(f"Forecast: {name.lower()}")
        for i in df.index[state == name]:
            series.add_data_point(_serial(forecast[i]), rows - i)
    now = data.add_series("Today")
    now.add_data_point(_serial(today), 0.5)
    now.add_data_point(_serial(today), rows + 0.5)

    chart = _frame(slide, XL_CHART_TYPE.XY_SCATTER, data, box)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(LABEL_PT)
    series = list(chart.plots[0].series)
    _markers(series[0], BASELINE_GREY, filled=False)
    for i, name in enumerate(df.milestone):
        label = series[0].points[i].data_label
        label.position = XL_LABEL_POSITION.LEFT
        label.text_frame.text = str(name)[:28]
        label.text_frame.paragraphs[0].runs[0].font.size = Pt(LABEL_PT)
    for s, name in zip(series[1:-1], shown_states, strict=True):
        _markers(s, STATUS_COLOURS[name], filled=True)
    today_line = series[-1]
    today_line.marker.style = MARKER.NONE
    today_line.format.line.color.rgb = _rgb(TODAY_BLUE)
    today_line.format.line.width = Pt(1.5)
    today_line.format.line.dash_style = 4  # MSO_LINE.DASH
    value_axis = chart.value_axis  # the rows: no numbers, the names are beside the points
    value_axis.minimum_scale, value_axis.maximum_scale = 0, rows + 1
    value_axis.visible = False
    value_axis.has_major_gridlines = False
    dates = chart.category_axis
    days = [_serial(d) for d in (*baseline, *forecast, today)]
    span = max(days) - min(days) or 28
    # Room on the left for the names written beside the earliest points.
    dates.minimum_scale = min(days) - span * 0.45
    dates.maximum_scale = max(days) + span * 0.05
    dates.tick_labels.number_format = "d mmm yy"
    dates.tick_labels.number_format_is_linked = False
    dates.tick_labels.font.size = Pt(LABEL_PT)
    dates.has_major_gridlines = True


def _markers(series, colour: str, *, filled: bool) -> None:
    series.format.line.fill.background()  # points only, no line between them
    series.marker.style = MARKER.CIRCLE
    series.marker.size = 11
    series.marker.format.line.color.rgb = _rgb(colour)
    series.marker.format.line.width = Pt(2.25)
    if filled:
        series.marker.format.fill.solid()
        series.marker.format.fill.fore_color.rgb = _rgb(colour)
    else:
        series.marker.format.fill.background()


def green_trend(slide, box) -> None:
    """The back-to-green date at each update as an XY chart with lines: reporting date (x)
    against the expected date (y), slips as red points, the reporting day as a dashed diagonal."""
    df = box.chart.data.reset_index(drop=True)
    today = pd.Timestamp(box.chart.params["today"])
    reported = [_serial(d) for d in df.report_date]
    expected = [_serial(d) for d in df.expected_green_date]
    days = [*reported, *expected, _serial(today)]
    low, high = min(days) - 7, max(days) + 7
    data = XyChartData()
    plan = data.add_series("Back to Green by")
    for x, y in zip(reported, expected, strict=True):
        plan.add_data_point(x, y)
    diagonal = data.add_series("Reporting day")
    diagonal.add_data_point(low, low)
    diagonal.add_data_point(high, high)
    chart = _frame(slide, XL_CHART_TYPE.XY_SCATTER_LINES, data, box)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(LABEL_PT)
    line, reporting_day = chart.plots[0].series
    _markers(line, TODAY_BLUE, filled=True)
    line.format.line.color.rgb = _rgb(TODAY_BLUE)  # a line through the points, unlike _markers
    line.format.line.width = Pt(2.5)
    for i, slipped in enumerate(df.slipped):
        if slipped:
            point = line.points[i]
            point.marker.format.fill.solid()
            point.marker.format.fill.fore_color.rgb = _rgb(RAG_COLOURS["R"])
            point.marker.format.line.color.rgb = _rgb(RAG_COLOURS["R"])
    reporting_day.marker.style = MARKER.NONE
    reporting_day.format.line.color.rgb = _rgb(BASELINE_GREY)
    reporting_day.format.line.dash_style = 4  # MSO_LINE.DASH
    for axis in (chart.category_axis, chart.value_axis):
        axis.minimum_scale, axis.maximum_scale = low, high
        axis.tick_labels.number_format = "d mmm yy"
        axis.tick_labels.number_format_is_linked = False
        axis.tick_labels.font.size = Pt(LABEL_PT)
        axis.has_major_gridlines = True


WRITERS = {
    "green_trend": green_trend,
    "health_bars": health_bars,
    "slip_bars": slip_bars,
    "milestone_timeline": milestone_timeline,
}
