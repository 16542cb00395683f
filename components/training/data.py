"""Cached training reads, keyed by plain values and the data version."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from components.common.cache import data_cache
from components.common.data import Version, settings
from data_access.core.lesson_models import size_of
from data_access.core.training_models import RULE_CLASSES
from data_access.training import reads
from domain import training
from domain.risk_bands import band_of


@data_cache(max_entries=4)
def competence(version: Version, on: dt.date) -> pd.DataFrame:
    url = version[0]
    return training.matrix(
        reads.project_managers(url=url), reads.courses(url=url), reads.records(url=url), on
    )


@data_cache(max_entries=32)
def manager_gap(version: Version, project_id: int, on: dt.date) -> tuple[str, str, list[str]]:
    """(manager, what the project is, what they lack for it); an empty list when nothing is
    lacking."""
    url = version[0]
    project = reads.project_manager(project_id, url=url)
    if project is None or project["manager_id"] is None or pd.isna(project["manager_id"]):
        return "", "", []
    budget = float(project["approved_budget"] or 0)
    what, lacking = assignment_gap(version, int(project["manager_id"]), budget, on, project_id)
    return project["manager"], what, lacking


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
    """Each project size's and risk level's required course ids."""
    df = reads.rule(url=version[0])
    return {
        applies_to: sorted(df[df.applies_to == applies_to].course_id.astype(int).tolist())
        for applies_to in RULE_CLASSES
    }


@data_cache(max_entries=32)
def assignment_gap(
    version: Version,
    person_id: int,
    approved_budget: float,
    on: dt.date,
    project_id: int | None = None,
) -> tuple[str, list[str]]:
    """(what the project is, what `person_id` lacks to manage it): its size from the budget,
    its risk level from its open risks (a project not created yet has none)."""
    url = version[0]
    score = reads.highest_open_risk(project_id, url=url) if project_id else None
    band = None if score is None else band_of(score, settings(version))
    size = size_of(approved_budget)
    held = reads.records(person_id, url=url)
    required = reads.required_for(training.rule_classes(size, band), url=url)
    return training.described(size, band), training.gap(required, held, on)
