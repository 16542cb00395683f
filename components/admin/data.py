"""Cached reads for the admin page, keyed by the data version like every other page's."""

from __future__ import annotations

import json
from typing import Literal

import pandas as pd

from components.common import data
from components.common.cache import data_cache
from data_access.admin import reads

Table = Literal["people", "programs", "departments", "portfolios"]


@data_cache(max_entries=16)
def table(version: data.Version, name: Table) -> pd.DataFrame:
    """One of the organisation tables of data_access.admin.reads, by its function's name."""
    return getattr(reads, name)(version[0])


@data_cache(max_entries=4)
def setting_versions(version: data.Version) -> dict[str, int]:
    return reads.setting_versions(version[0])


@data_cache(max_entries=4)
def recent_changes(version: data.Version) -> pd.DataFrame:
    df = reads.recent_changes(url=version[0])
    for col in ("before", "after"):
        # JSON columns come back as dicts (or JSON text on some drivers); show them as text.
        df[col] = df[col].map(lambda v: v if v is None or isinstance(v, str) else json.dumps(v))
    return df
