"""Cached reads of the path to green, keyed by the data version like every page's reads."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from components.common import data
from components.common.cache import data_cache
from components.common.data import Version
from data_access.recovery import reads
from domain import recovery
from domain.filters import PortfolioFilter, apply_filter


@data_cache(max_entries=32)
def actions(version: Version, project_id: int) -> pd.DataFrame:
    return reads.recovery_actions([project_id], url=version[0])


@data_cache(max_entries=32)
def history(version: Version, project_id: int) -> pd.DataFrame:
    return reads.green_date_history([project_id], url=version[0])


@data_cache(max_entries=32)
def project_status(version: Version, today: dt.date, project_id: int) -> dict:
    return reads.recovery_status(today, [project_id], url=version[0]).iloc[0].to_dict()


@data_cache(max_entries=16)
def escalations(
    version: Version,
    today: dt.date,
    project_id: int | None = None,
    asked_person_id: int | None = None,
    open_only: bool = False,
) -> pd.DataFrame:
    return reads.escalations(
        today,
        project_ids=None if project_id is None else [project_id],
        asked_person_id=asked_person_id,
        open_only=open_only,
        url=version[0],
    )


@data_cache(max_entries=8)
def recovery_view(
    version: Version, today: dt.date, portfolio_filter: PortfolioFilter
) -> pd.DataFrame:
    """The filtered portfolio's Red and Amber projects with their recovery, worst need first."""
    health = apply_filter(data.portfolio_health(version, today), portfolio_filter)
    status = statuses(version, today)
    return recovery.recovery_view(health, status, today)


@data_cache(max_entries=4, by_project="project_id", in_database=True)
def statuses(version: Version, today: dt.date, _project_ids=None) -> pd.DataFrame:
    """Every project's current off-Green episode, read in one pass (after a save, read again
    for the projects it changed)."""
    return reads.recovery_status(today, _project_ids, url=version[0])
