"""Altair builders for the health heatmaps of the portfolio page.

Each builder takes the tidy table a `domain.portfolio_view` function prepared and returns an
`alt.Chart` (or a layered / faceted one); nothing here calls Streamlit. Every cell carries its
letter as well as its colour, so colour is never the only signal.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts.encoding import conditional
from domain.formatting import RAG_COLOURS, RAG_ORDER

RAG_SCALE = alt.Scale(domain=RAG_ORDER, range=[RAG_COLOURS[k] for k in RAG_ORDER])
# Dark letters read on the green, amber, red and grey cells; white on the blue of "completed".
INK, PAPER = "#1B1F24", "#FFFFFF"
ROW = 26  # px per heatmap row: room for 13 px letters
# Row labels of the heatmaps a page may scroll sideways: their limit, and the width their axis
# takes (the limit and the label padding) so that a page can keep them in view.
LABEL_LIMIT = {"dimension_heatmap": 280, "weekly_heatmap": 220}
LABEL_PX = {chart: limit + 6 for chart, limit in LABEL_LIMIT.items()}
# Names of the point selections that report a clicked project (one per layer).
PROJECT_SELECTIONS = ("project_cell", "project_letter")


def no_data(message: str, title: str) -> alt.Chart:
    """A chart that says in words that there is nothing to draw."""
    return (
        alt.Chart(pd.DataFrame({"message": [message]}))
        .mark_text(fontSize=16, align="left", baseline="middle", x=0)
        .encode(text=alt.Text("message:N"))
        .properties(title=title, height=50, width=600)
    )


def _grid(
    cells: pd.DataFrame,
    *,
    x: str,
    x_sort,
    x_title: str | None,
    y: str = "label",
    y_sort: str = "row_order",
    tooltip: list,
    cell_width: int,
    clickable: bool = False,
    label_limit: int = 280,
) -> alt.LayerChart:
    """Coloured cells with their letters; `clickable` adds the project selections."""
    base = alt.Chart(cells)
    x_enc = alt.X(
        f"{x}:N",
        sort=x_sort,
        title=x_title,
        scale=alt.Scale(paddingInner=0.08),
        axis=alt.Axis(
            orient="top",
            labelAngle=0,
            ticks=False,
            domain=False,
            labelFontSize=12,
            titleAnchor="start",
        ),
    )
    y_enc = alt.Y(
        f"{y}:N",
        sort=alt.EncodingSortField(y_sort, order="ascending"),
        title=None,
        scale=alt.Scale(paddingInner=0.08),
        axis=alt.Axis(ticks=False, domain=False, labelLimit=label_limit, labelFontSize=12),
    )
    rect = base.mark_rect(cornerRadius=2).encode(
        x_enc, y_enc, color=alt.Color("rag:N", scale=RAG_SCALE, legend=None), tooltip=tooltip
    )
    text = base.mark_text(fontWeight="bold", fontSize=13).encode(
        x_enc,
        y_enc,
        text=alt.Text("text:N"),
        color=conditional(alt.ColorValue, alt.datum.rag == "C", alt.value(PAPER), alt.value(INK)),
        tooltip=tooltip,
    )
    if clickable:
        # The letter sits on top of the cell, so both layers listen for the click.
        rect = rect.add_params(
            alt.selection_point(name=PROJECT_SELECTIONS[0], fields=["code"], on="click")
        )
        text = text.add_params(
            alt.selection_point(name=PROJECT_SELECTIONS[1], fields=["code"], on="click")
        )
    return alt.layer(rect, text).properties(width=alt.Step(cell_width), height=alt.Step(ROW))


def dimension_heatmap(cells: pd.DataFrame, *, group_title: str, title: str) -> alt.Chart:
    """Heatmap 1: one row per project, one column per dimension, a block per group.

    `cells` as `domain.portfolio_view.dimension_cells` makes them; clicking a cell selects its
    project (selections `PROJECT_SELECTIONS`, field `code`).
    """
    if cells.empty:
        return no_data("No project matches the filters.", title)
    tooltip = [
        alt.Tooltip("label:N", title="Project"),
        alt.Tooltip("group:N", title=group_title),
        alt.Tooltip("column:N", title="Dimension"),
        alt.Tooltip("status:N", title="Health"),
        alt.Tooltip("why:N", title="Why"),
        alt.Tooltip("manager:N", title="Manager"),
    ]
    grid = _grid(
        cells,
        x="column",
        x_sort=list(dict.fromkeys(cells.column)),
        x_title=None,
        tooltip=tooltip,
        cell_width=64,
        clickable=True,
        label_limit=LABEL_LIMIT["dimension_heatmap"],
    )
    return (
        grid.facet(
            row=alt.Row(
                "group:N",
                sort=alt.EncodingSortField("group_order", op="min"),
                title=None,
                header=alt.Header(
                    labelAngle=0,
                    # Ends where the cells begin, over the row labels: in view when a page
                    # keeps the labels while the cells scroll.
                    labelAlign="right",
                    labelAnchor="start",
                    labelOrient="top",
                    labelFontWeight="bold",
                    labelFontSize=13,
                    labelPadding=2,
                ),
            ),
            spacing=10,
        )
        .resolve_scale(y="independent")
        .properties(title=title)
    )


def weekly_heatmap(cells: pd.DataFrame, *, title: str, row_title: str) -> alt.Chart:
    """Heatmap 2: rows (projects or groups) by ISO week, as `weekly_*_cells` make them."""
    if cells.empty:
        return no_data("No status report in these weeks for the projects shown.", title)
    tooltip = [
        alt.Tooltip("label:N", title=row_title),
        alt.Tooltip("week:N", title="Week"),
        alt.Tooltip("status:N", title="Overall health"),
        alt.Tooltip("detail:N", title="Detail"),
    ]
    weeks = sorted(dict.fromkeys(cells.week))
    # Axis labels "W36" keep every week labelled; the page's title and tooltips give the year.
    cells = cells.assign(week_label=cells.week.str.split("-").str[-1])
    grid = _grid(
        cells,
        x="week_label",
        x_sort=[w.split("-")[-1] for w in weeks],
        x_title="ISO week",  # the years: in the title the page gives (week_span)
        tooltip=tooltip,
        cell_width=34 if len(weeks) > 13 else 56,
        label_limit=LABEL_LIMIT["weekly_heatmap"],
    )
    return grid.properties(title=title)


def concentration_heatmap(cells: pd.DataFrame, *, rows: str, columns: str, title: str) -> alt.Chart:
    """Heatmap 3: `rows` by `columns` (department by phase), count and worst letter per cell."""
    if cells.empty:
        return no_data("No project matches the filters.", title)
    tooltip = [
        alt.Tooltip(f"{rows}:N", title=rows.capitalize()),
        alt.Tooltip(f"{columns}:N", title=columns.capitalize()),
        alt.Tooltip("total:Q", title="Projects"),
        alt.Tooltip("status:N", title="Health"),
        alt.Tooltip("detail:N", title="By health"),
    ]
    column_order = cells.drop_duplicates(columns).sort_values("column_order")[columns].tolist()
    grid = _grid(
        cells,
        x=columns,
        x_sort=column_order,
        x_title=None,
        y=rows,
        tooltip=tooltip,
        cell_width=92,
        label_limit=200,
    )
    return grid.properties(title=title)
