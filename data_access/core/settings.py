"""PMO settings kept in the database: thresholds a PMO admin can change (see PMO_DOMAIN.md)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from data_access.core.db import get_engine

DEFAULT_SETTINGS: dict[str, Any] = {
    # Schedule: forecast finish slip as % of baseline duration (Green <= amber, Amber <= red).
    "schedule_amber_pct": 5.0,
    "schedule_red_pct": 10.0,
    # Cost: EAC over approved budget, in %.
    "cost_amber_pct": 5.0,
    "cost_red_pct": 10.0,
    # Cost: CPI where earned value exists (Green >= amber, Amber >= red).
    "cpi_amber": 0.95,
    "cpi_red": 0.90,
    # Risk bands: the lowest score of each band above Low. The risk dimension of health follows
    # them: a High open risk makes a project Amber, a Critical one Red.
    "band_medium_from": 5,
    "band_high_from": 10,
    "band_critical_from": 15,
    # A project with no status update for this many days is stale.
    "stale_days": 14,
    "currency": "EUR",
    "demo_accounts": True,
    "bei_target": 0.95,
}


def get_settings(url: str | None = None) -> dict[str, Any]:
    """All settings as a plain dict, defaults filled in for keys not stored yet."""
    from data_access.core.models import Setting

    with get_engine(url).connect() as conn:
        stored = dict(conn.execute(sa.select(Setting.key, Setting.value)).all())
    return {**DEFAULT_SETTINGS, **stored}
