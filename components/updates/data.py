"""Cached reads of the update forms' path to green, keyed by the data version."""

from __future__ import annotations

import pandas as pd

from components.common.cache import data_cache
from components.common.data import Version
from data_access.recovery import reads


@data_cache(max_entries=32)
def latest_plan(version: Version, project_id: int) -> dict | None:
    return reads.latest_plan(project_id, url=version[0])


@data_cache(max_entries=32)
def recovery_actions(version: Version, project_id: int) -> pd.DataFrame:
    return reads.recovery_actions([project_id], url=version[0])
