"""Cached training reads, keyed by plain values and the data version."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from components.common.cache import data_cache
from components.common.data import Version
from data_access.core.lesson_models import PROJECT_SIZES, size_of
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
    budget = float(project["approved_budget"] or 0)
    size, lacking = assignment_gap(version, int(project["manager_id"]), budget, on)
    return project["manager"], size, lacking


@data_cache(max_entries=4)
def courses(version: Version) -> pd.DataFrame:
    return reads.courses(url=version[0])


@data_cache(max_entries=4)
def people(version: Version) -> dict[int, str]:
    """Whom training is recorded for: the project managers, as in the matrix."""
    df = reads.project_managers(url=version[0])
    return dict(zip(df.person_id.astype(int), df.person, strict=True))


@data_cache(max_entries=16)
def records(version: Version, person_id: int | None) -> pd.DataFrame:
    return reads.records(person_id, url=version[0])


@data_cache(max_entries=4)
def rule(version: Version) -> dict[str, list[int]]:
    """Each project size's required course ids."""
    df = reads.rule(url=version[0])
    return {
        size: sorted(df[df.project_size == size].course_id.astype(int).tolist())
        for size in PROJECT_SIZES
    }


@data_cache(max_entries=32)
def assignment_gap(
    version: Version, person_id: int, approved_budget: float, on: dt.date
) -> tuple[str, list[str]]:
    """(size class, what `person_id` lacks to manage a project of this budget)."""
    url = version[0]
    size = size_of(approved_budget)
    held = reads.records(person_id, url=url)
    return size, training.gap(reads.required_for(size, url=url), held, on)
