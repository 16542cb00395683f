"""Cached reads for the pages, keyed by plain values plus the database's data versions.

Every write bumps the versions of the tables it changed, in the database, so a save made by
anyone, in any server process, is seen by every session on its next rerun, and only the reads
of those tables are recomputed (components.common.cache).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from components.common.cache import data_cache
from data_access.core import clock
from data_access.core.config import database_url
from data_access.core.db import table_versions
from data_access.core.settings import get_settings
from data_access.demo.loader import prepare_database
from data_access.portfolio import reads as portfolio
from domain.filters import PortfolioFilter, apply_filter
from domain.health import compute_health, sort_worst_first

# A data version is (database URL, counter, ((table, version), ...)): the URL keeps caches of
# different databases apart (tests, benchmarks), the counter changes with every write, the
# table versions with each write to that table.
Version = tuple[str, int, tuple[tuple[str, int], ...]]


@st.cache_resource(show_spinner="Preparing the database…")
def database_ready(url: str) -> bool:
    """Migrate once per process, and give an empty database the demo portfolio (unless off)."""
    prepare_database(url)
    return True


def current_version() -> Version:
    url = database_url()
    database_ready(url)
    return fresh_version(url)


def fresh_version(url: str) -> Version:
    """The data versions as they are now (current_version reads them once per rerun)."""
    return url, *table_versions(url)


def today() -> dt.date:
    return clock.today()


@data_cache(max_entries=4)
def settings(version: Version) -> dict:
    return get_settings(version[0])


@data_cache(max_entries=4, by_project="id", in_database=True)
def portfolio_health(version: Version, on: dt.date, _project_ids=None) -> pd.DataFrame:
    """Every project with its computed health; filtered per session by
    `components.common.filters`."""
    config = settings(version)
    facts = portfolio.project_facts(
        on, high_from=config["band_high_from"], url=version[0], project_ids=_project_ids
    )
    return compute_health(facts, config, on)


@data_cache(max_entries=16)
def picker_projects(version: Version, on: dt.date, f: PortfolioFilter) -> pd.DataFrame:
    """Id, code and name of the projects the filter matches, worst health first: what a
    project picker offers."""
    matching = apply_filter(portfolio_health(version, on), f)
    # Sorted on the few columns needed: sorting the whole health table copies its 58.
    ranked = matching[["id", "code", "name", "health_rank", "approved_budget"]]
    return sort_worst_first(ranked)[["id", "code", "name"]].reset_index(drop=True)


@data_cache(max_entries=4)
def filter_options(version: Version) -> dict[str, list[str]]:
    return portfolio.filter_options(version[0])
