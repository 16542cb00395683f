"""Cached reads for the resources and money page, keyed by the data version and plain values."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from components.common import data
from components.common.cache import data_cache
from data_access.resources import money as money_reads
from data_access.resources import reads as resources
from domain import capacity
from domain import earned_value as ev
from domain.filters import PortfolioFilter, apply_filter
from domain.formatting import RAG_ORDER

Scope = tuple[tuple[int, ...] | None, tuple[str, ...]]


@data_cache(max_entries=8)
def filtered_projects(version: data.Version, today: dt.date, f: PortfolioFilter) -> pd.DataFrame:
    return apply_filter(data.portfolio_health(version, today), f)


@data_cache(max_entries=8)
def scope(version: data.Version, today: dt.date, f: PortfolioFilter) -> Scope:
    """The filtered project ids (None: no filter, every project) and the filtered departments."""
    if not f.active:
        return None, ()
    ids = tuple(int(i) for i in filtered_projects(version, today, f).id)
    return ids, tuple(f.department)


# Kept in the database too: allocations change seldom, and at tier XL the read takes 2.4 s.
@data_cache(max_entries=16, in_database=True)
def weekly_load(
    version: data.Version,
    today: dt.date,
    f: PortfolioFilter,
    rows: str,
    n_weeks: int,
    order: str = "loaded",
    limit: int | None = None,
) -> pd.DataFrame:
    project_ids, departments = scope(version, today, f)
    return resources.weekly_load(
        capacity.first_monday(today),
        n_weeks,
        rows,
        project_ids=project_ids,
        departments=departments,
        limit=limit,
        order=order,
        over_tolerance=capacity.OVER_TOLERANCE_HOURS,
        url=version[0],
    )


@data_cache(max_entries=16)
def heatmap(
    version: data.Version,
    today: dt.date,
    f: PortfolioFilter,
    rows: str,
    grain: str,
    n_weeks: int,
    order: str,
) -> tuple[pd.DataFrame, list[str], int]:
    """The heatmap's cells, its rows in display order, and how many rows exist in all."""
    order = order if rows == "person" else "loaded"
    limit = capacity.MAX_PEOPLE_ROWS if rows == "person" else None
    grid = weekly_load(version, today, f, rows, n_weeks, order, limit)
    cells = capacity.heatmap_cells(grid, capacity.horizon_weeks(today, n_weeks), grain)
    total = int(grid.n_rows.max()) if len(grid) else 0
    return cells, capacity.row_order(cells, order), total


@data_cache(max_entries=8)
def people_in_view(version: data.Version, today: dt.date, f: PortfolioFilter, n_weeks: int) -> int:
    project_ids, departments = scope(version, today, f)
    return resources.people_in_view(
        capacity.first_monday(today),
        n_weeks,
        project_ids=project_ids,
        departments=departments,
        url=version[0],
    )


@data_cache(max_entries=16)
def cell_allocations(
    version: data.Version,
    today: dt.date,
    f: PortfolioFilter,
    rows: str,
    key: str,
    first_day: dt.date,
    last_day: dt.date,
) -> pd.DataFrame:
    project_ids, departments = scope(version, today, f)
    return resources.cell_allocations(
        first_day,
        last_day,
        rows,
        key,
        project_ids=project_ids,
        departments=departments,
        url=version[0],
    )


@data_cache(max_entries=8)
def spend_history(version: data.Version, today: dt.date, f: PortfolioFilter) -> pd.DataFrame:
    project_ids, _ = scope(version, today, f)
    return money_reads.spend_history(project_ids, url=version[0])


MONEY_BY = {"program": "Program", "department": "Department", "code": "Project"}
RANK = {letter: n for n, letter in enumerate(RAG_ORDER)}


@data_cache(max_entries=8)
def money(version: data.Version, today: dt.date, f: PortfolioFilter) -> pd.DataFrame:
    """Money figures of the filtered projects, with the cost letter of their EAC variance."""
    config = data.settings(version)
    frame = ev.project_money(filtered_projects(version, today, f))
    frame["rag"] = ev.variance_rag(
        frame.variance_pct, config["cost_amber_pct"], config["cost_red_pct"]
    )
    return frame


@data_cache(max_entries=8)
def money_total(version: data.Version, today: dt.date, f: PortfolioFilter) -> dict:
    return ev.total(money(version, today, f))


@data_cache(max_entries=16)
def money_groups(version: data.Version, today: dt.date, f: PortfolioFilter, by: str):
    """Projects (`by="code"`) or their roll-up by program or department, worst first: Red,
    Amber, Green by forecast variance, then the biggest budgets."""
    frame = money(version, today, f)
    if by == "code":
        groups = frame.assign(projects=1)[["code", "name", "projects", *ev.MONEY_COLUMNS]]
    else:
        groups = ev.rollup(frame, by)
    config = data.settings(version)
    groups["rag"] = ev.variance_rag(
        groups.variance_pct, config["cost_amber_pct"], config["cost_red_pct"]
    )
    groups["rank"] = groups.rag.map(RANK)
    return groups.sort_values(["rank", "bac"], ascending=[True, False])


@data_cache(max_entries=8)
def projects_without_plan(
    version: data.Version, today: dt.date, f: PortfolioFilter
) -> pd.DataFrame:
    project_ids, _ = scope(version, today, f)
    return money_reads.projects_without_plan(project_ids, url=version[0])


@data_cache(max_entries=8)
def project_reports(version: data.Version, project_id: int) -> pd.DataFrame:
    return money_reads.project_reports(project_id, url=version[0])


@data_cache(max_entries=4)
def people(version: data.Version) -> pd.DataFrame:
    return resources.people(url=version[0])


@data_cache(max_entries=4)
def person_labels(version: data.Version) -> dict[int, str]:
    """Everyone who can be allocated, as "name · department · skill · hours"."""
    df = people(version)
    df = df[df.active.astype(bool)]
    hours = df.weekly_capacity_hours.map("{:g} h".format)
    labels = df.name + " · " + df.department + " · " + df.skill + " · " + hours
    return dict(zip(df.id.astype(int), labels, strict=True))


@data_cache(max_entries=4)
def project_labels(version: data.Version) -> dict[int, str]:
    """Projects that can still take allocations, as "code name", by code (read from the
    projects alone: a status update leaves it as it was)."""
    df = resources.open_projects(version[0])
    return dict(zip(df.id.astype(int), df.code + " " + df.name, strict=True))


@data_cache(max_entries=8)
def allocations(
    version: data.Version, project_id: int | None = None, person_id: int | None = None
) -> pd.DataFrame:
    return resources.allocations(project_id=project_id, person_id=person_id, url=version[0])


@data_cache(max_entries=8)
def absences(version: data.Version, person_id: int) -> pd.DataFrame:
    return resources.absences(person_id, url=version[0])
