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
    # Reminders of the weekly status update: the deadline (weekday, Monday = 0, and hour in the
    # PMO's zone), one reminder this many hours before it and one this many hours after it to
    # project managers who have not reported that week. {name}, {projects}, {deadline}, {link}
    # are filled in.
    "reminders_on": True,
    "reminder_weekday": 4,
    "reminder_hour": 17,
    "reminder_hours_before": 24,
    "reminder_hours_after": 18,
    "reminder_before_text": (
        "Hello {name},\n\nYour weekly status update is due by {deadline}:\n{projects}\n\n"
        "The form is pre-filled from last week; it takes five minutes."
    ),
    "reminder_after_text": (
        "Hello {name},\n\nThe weekly status update was due by {deadline} and is still "
        "missing:\n{projects}\n\nPlease send it today so the portfolio review sees your project."
    ),
    # Methodology (stage gates and process compliance).
    "gate_status_days": 7,  # a status update is due every this many days
    "status_late_days": 3,  # ... and is late, not missing, for this many days more
    "risk_review_days": 30,  # every open risk re-assessed within this many days
    "gate_min_milestones": 1,  # baselined milestones a plan needs
    "gate_decide_days": 14,  # a gate decided within this many days of its planned date
    # A weekly update still counts as on time this many days after its reporting day.
    "status_on_time_days": 3,
    # Path to green: a Red project's update requires a recovery plan; an Amber one's is
    # "off" (not asked), "asked" (offered, optional) or "required".
    "recovery_plan_amber": "asked",
    # The causes a recovery plan names, comma-separated (PMO list).
    "recovery_causes": "scope, resources, supplier, technical, funding, dependency, other",
}


# Keys kept in the setting table that are secrets, never settings for the pages to read.
SECRET_KEYS = ("link_signing_key",)


def get_settings(url: str | None = None) -> dict[str, Any]:
    """All settings as a plain dict, defaults filled in for keys not stored yet."""
    from data_access.core.models import Setting

    with get_engine(url).connect() as conn:
        stored = dict(
            conn.execute(
                sa.select(Setting.key, Setting.value).where(Setting.key.not_in(SECRET_KEYS))
            ).all()
        )
    return {**DEFAULT_SETTINGS, **stored}
