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
    off = health[health.overall_rag.isin(("R", "A"))]
    # The whole portfolio is read in one pass; a filter names its few projects.
    ids = off.id.tolist() if portfolio_filter.active else None
    status = reads.recovery_status(today, ids, url=version[0])
    return recovery.recovery_view(health, status, today)
