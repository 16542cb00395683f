"""Cached reads for the resources and money page, keyed by the data version and plain values."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from components import data
from data_access import money, resources
from domain import capacity
from domain.filters import PortfolioFilter, apply_filter

Scope = tuple[tuple[int, ...] | None, tuple[str, ...]]


@st.cache_data(max_entries=8, show_spinner=False)
def filtered_projects(version: data.Version, today: dt.date, f: PortfolioFilter) -> pd.DataFrame:
    return apply_filter(data.portfolio_health(version, today), f)


@st.cache_data(max_entries=8, show_spinner=False)
def scope(version: data.Version, today: dt.date, f: PortfolioFilter) -> Scope:
    """The filtered project ids (None: no filter, every project) and the filtered departments."""
    if not f.active:
        return None, ()
    ids = tuple(int(i) for i in filtered_projects(version, today, f).id)
    return ids, tuple(f.department)


@st.cache_data(max_entries=16, show_spinner=False)
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


@st.cache_data(max_entries=8, show_spinner=False)
def people_in_view(version: data.Version, today: dt.date, f: PortfolioFilter, n_weeks: int) -> int:
    project_ids, departments = scope(version, today, f)
    return resources.people_in_view(
        capacity.first_monday(today),
        n_weeks,
        project_ids=project_ids,
        departments=departments,
        url=version[0],
    )


@st.cache_data(max_entries=16, show_spinner=False)
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


@st.cache_data(max_entries=8, show_spinner=False)
def spend_history(version: data.Version, today: dt.date, f: PortfolioFilter) -> pd.DataFrame:
    project_ids, _ = scope(version, today, f)
    return money.spend_history(project_ids, url=version[0])


@st.cache_data(max_entries=8, show_spinner=False)
def projects_without_plan(
    version: data.Version, today: dt.date, f: PortfolioFilter
) -> pd.DataFrame:
    project_ids, _ = scope(version, today, f)
    return money.projects_without_plan(project_ids, url=version[0])


@st.cache_data(max_entries=8, show_spinner=False)
def project_reports(version: data.Version, project_id: int) -> pd.DataFrame:
    return money.project_reports(project_id, url=version[0])


@st.cache_data(max_entries=4, show_spinner=False)
def people(version: data.Version) -> pd.DataFrame:
    return resources.people(url=version[0])


@st.cache_data(max_entries=8, show_spinner=False)
def allocations(
    version: data.Version, project_id: int | None = None, person_id: int | None = None
) -> pd.DataFrame:
    return resources.allocations(project_id=project_id, person_id=person_id, url=version[0])


@st.cache_data(max_entries=8, show_spinner=False)
def absences(version: data.Version, person_id: int) -> pd.DataFrame:
    return resources.absences(person_id, url=version[0])
