"""People & capacity: the load heatmap, the projects behind a cell, a department's demand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from charts.capacity import SELECTION
from components.common.chart_cache import draw_chart
from components.common.data import Version
from components.common.safe_text import md_escape
from components.common.widgets import url_choice
from components.resources import data as rd
from domain import capacity
from domain.filters import PortfolioFilter
from domain.formatting import fmt_date

ORDERS = {"loaded": "Most loaded first", "idle": "Most idle first"}


def _controls(default_rows: str) -> tuple[str, str, int, str]:
    """Rows, period, horizon and order, kept in the URL so a link shows the same heatmap."""
    cols = st.columns([3, 2, 3, 3])
    rows = url_choice(cols[0], "Rows", capacity.ROW_KINDS, default=default_rows, key="rows")
    grain = url_choice(cols[1], "Period", capacity.GRAINS, default="Week", key="grain")
    horizon = url_choice(
        cols[2], "Horizon", list(capacity.HORIZONS), default="2 quarters", key="horizon"
    )
    order = url_choice(
        cols[3], "Order people", ORDERS, default="loaded", key="order", disabled=rows != "person"
    )
    return rows, grain, capacity.HORIZONS[horizon], order


def render(version: Version, today: dt.date, f: PortfolioFilter) -> None:
    # People as rows when they fit on a screen, departments otherwise (tier L: thousands).
    n_people = rd.people_in_view(version, today, f, capacity.HORIZONS["2 quarters"])
    rows, grain, n_weeks, order = _controls(capacity.default_rows(n_people))
    weeks = capacity.horizon_weeks(today, n_weeks)
    # The department roll-up is small at any tier: it feeds the tiles and the demand chart.
    departments = rd.weekly_load(version, today, f, "department", n_weeks)

    _tiles(departments, n_weeks)
    cells, row_order, total = rd.heatmap(version, today, f, rows, grain, n_weeks, order)
    shown = len(row_order)
    what = capacity.ROW_KINDS[rows].lower()
    sort = ORDERS[order if rows == "person" else "loaded"].lower()
    subtitle = (
        f"{shown:,} {what}, {sort}; cell = hours allocated / hours available (capacity minus "
        "absence). Click a cell to list its projects."
    )
    if total > shown:
        subtitle = (
            f"The {shown:,} {sort.removesuffix(' first')} of {total:,} people (and "
            f"{total - shown:,} more: narrow the filters or show departments). "
            "Click a cell to list its projects."
        )
    heatmap = dict(
        rows=row_order,
        row_title=capacity.ROW_KINDS[rows][:-1] if rows != "person" else "Person",
        period_title="ISO week" if grain == "Week" else "Month (ISO weeks by their Thursday)",
        title=f"Load by {what[:-1] if rows != 'person' else 'person'}, next {n_weeks} weeks",
        subtitle=subtitle,
    )
    if f.active:
        st.caption(
            "People in view: those allocated to the filtered projects in the horizon"
            + (" and the members of the filtered departments" if f.department else "")
            + ". Their load counts all their allocations, on any project."
        )
    event = draw_chart(
        "capacity_heatmap",
        cells,
        element={
            "on_select": "rerun",
            "selection_mode": SELECTION,
            "key": f"heatmap_{rows}_{grain}",
        },
        **heatmap,
    )
    _cell_detail(version, today, f, rows, cells, event)
    _department_view(departments, weeks)


def _tiles(grid: pd.DataFrame, n_weeks: int) -> None:
    allocated, available = grid.allocated.sum(), grid.capacity.sum()
    n_people = int(grid[grid.w == 0].people.sum()) if len(grid) else 0
    weekly = grid.groupby("w")[["allocated", "capacity"]].sum()
    over_weeks = int(capacity.is_over(weekly.allocated, weekly.capacity).sum())
    cols = st.columns(5)
    cols[0].metric("People in view", f"{n_people:,}")
    load = f"{allocated / available:.0%}" if available else "–"
    cols[1].metric(f"Load, next {n_weeks} weeks", load)
    cols[2].metric("Hours allocated a week", f"{allocated / max(n_weeks, 1):,.0f}")
    idle = max(0.0, available - allocated) / max(n_weeks, 1)
    cols[3].metric("Unallocated hours a week", f"{idle:,.0f}")
    worst = int(grid.groupby("w").people_over.sum().max()) if len(grid) else 0
    cols[4].metric(
        "People over 100 %, worst week",
        f"{worst:,}",
        help="People allocated beyond their capacity in the week where they are most. "
        f"Demand exceeds the whole view's capacity in {over_weeks} week(s).",
    )


def _cell_detail(version, today, f, rows, cells: pd.DataFrame, event) -> None:
    picked = (event.get("selection", {}) or {}).get(SELECTION) or [] if event else []
    if not picked:
        st.caption("Select a cell of the heatmap to list the projects behind it.")
        return
    key, period = str(picked[0].get("key")), picked[0].get("period")
    cell = cells[(cells.key == key) & (cells.period == period)]
    if cell.empty:
        return
    cell = cell.iloc[0]
    detail = rd.cell_allocations(version, today, f, rows, key, cell.first_day, cell.last_day)
    st.subheader(md_escape(f"{cell.label}, {period}: {cell.text} · {cell.band}"))
    st.caption(
        f"{cell.allocated:,.1f} h allocated of {cell.capacity:,.1f} h available, "
        f"{fmt_date(cell.first_day)} to {fmt_date(cell.last_day)}. Hours are per week on "
        "average over the period."
    )
    if detail.empty:
        st.info("No allocation in this period: the capacity is free.")
        return
    ids, _ = rd.scope(version, today, f)
    table = pd.DataFrame(
        {
            "Project": detail.code + " " + detail.project,
            "Person": detail.person,
            "Hours a week here": detail.hours_in_period.round(1),
            "Allocated h/week": detail.hours_per_week,
            "From": detail.start_date.map(fmt_date),
            "To": detail.end_date.map(fmt_date),
            "Open": "/project?project=" + detail.code,
        }
    )
    if ids is not None:
        table.insert(2, "In filter", detail.project_id.isin(ids))
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"Open": st.column_config.LinkColumn("Open", display_text="Open ›")},
    )


def _department_view(grid: pd.DataFrame, weeks: pd.DataFrame) -> None:
    names = sorted(grid.key.unique())
    choice = st.selectbox(
        "Department: demand against capacity",
        ["All departments", *names],
        key="cap_dept",
        bind="query-params",
    )
    rows = grid if choice == "All departments" else grid[grid.key == choice]
    series = capacity.demand_series(rows, weeks)
    over = int(series.over.sum())
    subtitle = (
        f"Demand exceeds capacity in {over} of {len(series)} weeks."
        if over
        else f"Demand stays within capacity in all {len(series)} weeks."
    )
    draw_chart(
        "demand_chart",
        series,
        title=f"{choice}: hours allocated against hours available per week",
        subtitle=subtitle,
    )
