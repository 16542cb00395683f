"""Cached reads for the stakeholder pages, keyed by plain values and the data version."""

from __future__ import annotations

import pandas as pd

from components.common.cache import data_cache
from components.common.data import Version
from data_access.stakeholders import deliveries, reads


@data_cache(max_entries=64)
def unread(version: Version, person_id: int) -> int:
    return deliveries.unread_count(person_id, url=version[0])


@data_cache(max_entries=64)
def inbox(version: Version, person_id: int) -> pd.DataFrame:
    return deliveries.inbox(person_id, url=version[0])


@data_cache(max_entries=64)
def subscriptions(version: Version, person_id: int | None) -> pd.DataFrame:
    return reads.subscriptions(person_id, url=version[0])


@data_cache(max_entries=64)
def notification_prefs(version: Version, person_id: int) -> dict[str, bool]:
    return reads.notification_prefs(person_id, url=version[0])


@data_cache(max_entries=8)
def delivery_log(version: Version) -> pd.DataFrame:
    return deliveries.delivery_log(url=version[0])


@data_cache(max_entries=8)
def delivery_counts(version: Version) -> dict[str, int]:
    return deliveries.delivery_counts(url=version[0])


@data_cache(max_entries=32)
def stakeholders(version: Version, project_id: int) -> pd.DataFrame:
    return reads.stakeholders(project_id, url=version[0])


@data_cache(max_entries=8)
def share_links(version: Version) -> pd.DataFrame:
    return reads.share_links(url=version[0])
