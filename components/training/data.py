"""Cached training reads, keyed by plain values and the data version."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from components.common.cache import data_cache
from components.common.data import Version
from data_access.core.lesson_models import size_of
from data_access.training import reads
from domain import training


@data_cache(max_entries=4)
def competence(version: Version, on: dt.date) -> pd.DataFrame:
    url = version[0]
    return training.matrix(
        reads.project_managers(url=url), reads.courses(url=url), reads.records(url=url), on
    )


@data_cache(max_entries=32)
def manager_gap(version: Version, project_id: int, on: dt.date) -> tuple[str, str, list[str]]:
    """(manager, size class, what they lack for it); an empty list when nothing is lacking."""
    url = version[0]
    project = reads.project_manager(project_id, url=url)
    if project is None or project["manager_id"] is None or pd.isna(project["manager_id"]):
        return "", "", []
    size = size_of(float(project["approved_budget"] or 0))
    held = reads.records(int(project["manager_id"]), url=url)
    return project["manager"], size, training.gap(reads.required_for(size, url=url), held, on)
