"""Cached milestone reads for the milestone page, keyed by the data version.

The scope of every read is the shared sidebar filter plus, optionally, one project code:
both are plain values, so the cache key stays small however many projects they select.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from components import data
from data_access import milestones
from domain.filters import PortfolioFilter, apply_filter
from domain.milestones import burndown_series

LIST_LIMIT = 200


def project_ids(
    version: data.Version, today: dt.date, f: PortfolioFilter, project: str | None
) -> tuple[int, ...] | None:
    """The ids of the chosen project, or of the filtered portfolio (None: every project)."""
    if project is None and not f.active:
        return None
    projects = apply_filter(data.portfolio_health(version, today), f)
    if project is not None:
        projects = projects[projects["code"] == project]
    return tuple(int(i) for i in projects["id"])


@st.cache_data(max_entries=16, show_spinner=False)
def burndown(
    version: data.Version,
    today: dt.date,
    f: PortfolioFilter,
    project: str | None,
    baseline: str,
) -> pd.DataFrame:
    """The weekly burndown series the chart draws (see `domain.milestones.burndown_series`)."""
    ids = project_ids(version, today, f, project)
    deltas = milestones.burndown_deltas(today, ids, baseline, url=version[0])
    return burndown_series(deltas, today)


@st.cache_data(max_entries=16, show_spinner=False)
def slippage(
    version: data.Version,
    today: dt.date,
    f: PortfolioFilter,
    project: str | None,
    baseline: str,
) -> tuple[dt.date, dict[str, pd.DataFrame]]:
    """The previous reporting date and the slippage lists since then."""
    latest, previous = milestones.report_dates(today, url=version[0])
    # Without two reports yet, "since the previous report" means the last week.
    since = previous or (latest or today) - dt.timedelta(days=7)
    ids = project_ids(version, today, f, project)
    lists = milestones.slippage_lists(today, since, ids, baseline, limit=LIST_LIMIT, url=version[0])
    return since, lists


@st.cache_data(max_entries=16, show_spinner=False)
def project_history(version: data.Version, project_id: int) -> pd.DataFrame:
    return milestones.project_history(project_id, url=version[0])
