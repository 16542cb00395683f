"""Cached reads for the entry forms, the spreadsheet import and the audit history.

Keyed by the data version like every cached read: a save anywhere changes the key, so the
next rerun of every session shows the saved record with its new version.
"""

from __future__ import annotations

import pandas as pd

from components.common.cache import data_cache
from components.common.data import Version
from data_access.core import records
from data_access.core.models import Milestone, Project, RaidItem, Risk
from domain.spreadsheets import Lookups, lookups_from

MODELS = {"project": Project, "milestone": Milestone, "risk": Risk, "raid_item": RaidItem}


@data_cache(max_entries=64)
def record(version: Version, entity: str, row_id: int) -> dict | None:
    return records.record(MODELS[entity], row_id, url=version[0])


@data_cache(max_entries=32)
def latest_report(version: Version, project_id: int) -> dict | None:
    return records.latest_report(project_id, url=version[0])


@data_cache(max_entries=32)
def milestones(version: Version, project_id: int) -> pd.DataFrame:
    return records.project_milestones(project_id, url=version[0])


@data_cache(max_entries=32)
def risks(version: Version, project_id: int) -> pd.DataFrame:
    return records.project_risks(project_id, url=version[0])


@data_cache(max_entries=32)
def raid_items(version: Version, project_id: int, kind: str) -> pd.DataFrame:
    return records.project_raid_items(project_id, kind, url=version[0])


@data_cache(max_entries=4)
def choices(version: Version) -> dict[str, pd.DataFrame]:
    return records.choices(url=version[0])


# Read only by its callers (labels of choices and history): not deep-copied for each of them,
# which cost 0.2 s a run of the updates page at 20,000 projects.
@data_cache(max_entries=4, copies=False)
def names(version: Version) -> dict[str, dict[int, str]]:
    """Id to the name a reader knows: people and programs by name, projects by code."""
    tables = choices(version)
    return {
        "people": dict(zip(tables["people"].id, tables["people"].name, strict=True)),
        "programs": dict(zip(tables["programs"].id, tables["programs"].name, strict=True)),
        "departments": dict(zip(tables["departments"].id, tables["departments"].name, strict=True)),
        "projects": dict(zip(tables["projects"].id, tables["projects"].code, strict=True)),
    }


@data_cache(max_entries=4)
def lookups(version: Version) -> Lookups:
    return lookups_from(choices(version))


@data_cache(max_entries=16)
def audit(version: Version, project_id: int, limit: int) -> pd.DataFrame:
    return records.project_audit(project_id, limit, url=version[0])


@data_cache(max_entries=16)
def audit_count(version: Version, project_id: int) -> int:
    return records.audit_count(project_id, url=version[0])


def editable(version: Version, entity: str, row_id: int | None, blank: dict) -> tuple[dict, int]:
    """What an edit form starts from: the stored record and its version, or `blank` at
    version 0 when a new one is being raised (`row_id` None or 0)."""
    if not row_id:
        return blank, 0
    row = record(version, entity, row_id) or {}
    return row, row.get("version", 0)
