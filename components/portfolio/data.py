"""Cached reads and view tables of the portfolio and project pages.

Keyed by the data version (every write changes it) plus plain values. The portfolio overview
is cached whole per filter and view choice, so a warm rerun unpickles a few small tables
rather than the 5,000-row health table of tier L.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from components.common import data
from components.common.cache import data_cache
from data_access.portfolio import history as health_history
from data_access.portfolio import project_report
from domain import portfolio_view as view
from domain.filters import PortfolioFilter, apply_filter
from domain.health import compute_health, sort_worst_first

PAGE_SIZE = 50  # heatmap rows per page: all of tier S, a readable slice of tier L
GROUPS = {"Program": "program", "Department": "department"}
ROWS = {"Projects": None, "Programs": "program", "Departments": "department"}


@data_cache(max_entries=4, by_project="id", in_database=True)
def health_as_of(version: data.Version, day: dt.date, _project_ids=None) -> pd.DataFrame:
    """Every project's health as it stood at the end of `day`, by today's rules."""
    config = data.settings(version)
    facts = health_history.project_facts_as_of(
        day, config["band_high_from"], url=version[0], project_ids=_project_ids
    )
    return compute_health(facts, config, day)


@data_cache(max_entries=4, by_project="project_id", in_database=True)
def weekly_overall(
    version: data.Version, today: dt.date, weeks: int, _project_ids=None
) -> pd.DataFrame:
    config = data.settings(version)
    return health_history.weekly_overall(
        view.week_ends(today, weeks), config["stale_days"], _project_ids, url=version[0]
    )


@data_cache(max_entries=32)
def matching_count(version: data.Version, today: dt.date, f: PortfolioFilter) -> int:
    return len(apply_filter(data.portfolio_health(version, today), f))


@dataclass(frozen=True)
class Overview:
    """Everything the portfolio page draws, for one filter and view choice."""

    since: dt.date
    rows: str  # what heatmap 2's rows are: a key of ROWS
    now: dict
    before: dict
    n_projects: int
    page: int
    pages: int
    shown: pd.DataFrame  # the projects of heatmap 1's page: id, code, name
    dimension_cells: pd.DataFrame
    weekly_cells: pd.DataFrame
    weekly_rows: int  # rows heatmap 2 could show before paging
    concentration_cells: pd.DataFrame


@data_cache(max_entries=32)
def overview(
    version: data.Version,
    today: dt.date,
    f: PortfolioFilter,
    group: str,
    rows: str | None,
    weeks: int,
    page: int,
) -> Overview:
    """The tables of the portfolio page. `rows` None (or unknown): projects while they fit on
    one page, else programs; `page` is clamped to the pages there are."""
    projects = apply_filter(data.portfolio_health(version, today), f)
    if rows not in ROWS:
        rows = "Projects" if len(projects) <= PAGE_SIZE else "Programs"
    since = view.previous_reporting_day(today)
    before = apply_filter(health_as_of(version, since), f)
    ordered = sort_worst_first(projects)
    pages = view.page_count(len(ordered), PAGE_SIZE)
    page = min(max(page, 1), pages)
    shown = view.page_of(ordered, page, PAGE_SIZE)
    dims = view.dimension_cells(shown, GROUPS[group])
    weekly = weekly_overall(version, today, weeks)
    by = ROWS[rows]
    if by is None:
        in_dimension_order = shown.set_index("code").loc[dims.drop_duplicates("code").code]
        weekly_cells = view.weekly_project_cells(weekly, in_dimension_order.reset_index())
        weekly_rows = len(ordered)
    else:
        grouped = view.weekly_group_cells(weekly, projects, by)
        weekly_rows = grouped.label.nunique()
        weekly_cells = grouped[grouped.row_order < PAGE_SIZE]
    return Overview(
        since=since,
        rows=rows,
        now=view.kpis(projects),
        before=view.kpis(before),
        n_projects=len(projects),
        page=page,
        pages=pages,
        shown=shown[["id", "code", "name"]].reset_index(drop=True),
        dimension_cells=dims,
        weekly_cells=weekly_cells,
        weekly_rows=weekly_rows,
        concentration_cells=view.concentration_cells(projects),
    )


@data_cache(max_entries=16)
def project_reports(version: data.Version, project_id: int) -> pd.DataFrame:
    return project_report.reports(project_id, url=version[0])


@data_cache(max_entries=16)
def project_milestones(version: data.Version, project_id: int) -> pd.DataFrame:
    return project_report.milestones(project_id, url=version[0])


@data_cache(max_entries=16)
def project_risks(version: data.Version, project_id: int) -> pd.DataFrame:
    return project_report.open_risks(project_id, url=version[0])


@data_cache(max_entries=16)
def project_weekly(
    version: data.Version, today: dt.date, project_id: int, weeks: int
) -> pd.DataFrame:
    config = data.settings(version)
    return health_history.weekly_overall(
        view.week_ends(today, weeks), config["stale_days"], [project_id], url=version[0]
    )


@data_cache(max_entries=32)
def project_health(version: data.Version, today: dt.date, code: str) -> pd.Series | None:
    """One project's row of the health table, or None if there is no such code."""
    health = data.portfolio_health(version, today)
    rows = health[health.code == code]
    return rows.iloc[0] if len(rows) else None
