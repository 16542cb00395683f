"""Cached library reads, keyed by plain values and the data version."""

from __future__ import annotations

import pandas as pd

from components.common.cache import data_cache
from components.common.data import Version
from data_access.library import reads


@data_cache(max_entries=4)
def documents(version: Version) -> pd.DataFrame:
    return reads.documents(url=version[0])


@data_cache(max_entries=8)
def documents_for_phase(version: Version, stage: str) -> pd.DataFrame:
    return reads.documents_for_phase(stage, url=version[0])


@data_cache(max_entries=16)
def versions(version: Version, document_id: int) -> pd.DataFrame:
    return reads.versions(document_id, url=version[0])
