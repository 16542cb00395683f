"""When a subscription or a reminder is due, and where a stakeholder sits on the grid.

Pure functions of plain values: the worker passes the moment it runs for, so a run is the same
whatever the wall clock says, and two workers running the same job agree on the period key.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def latest_occurrence(
    now: dt.datetime,
    cadence: str,
    *,
    weekday: int = 0,
    day_of_month: int = 1,
    hour: int = 8,
    time_zone: str = "UTC",
) -> dt.datetime | None:
    """The last moment at or before `now` when a weekly or monthly report falls due, in the
    subscriber's zone (returned aware). None for cadences that follow events."""
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    if cadence == "weekly":
        day = local.date() - dt.timedelta(days=(local.weekday() - weekday) % 7)
        moment = dt.datetime.combine(day, dt.time(hour), zone)
        return moment if moment <= now else moment - dt.timedelta(days=7)
    if cadence == "monthly":
        moment = dt.datetime.combine(local.date().replace(day=day_of_month), dt.time(hour), zone)
        if moment <= now:
            return moment
        previous = (local.date().replace(day=1) - dt.timedelta(days=1)).replace(day=day_of_month)
        return dt.datetime.combine(previous, dt.time(hour), zone)
    return None


def period_key(subscription_id: int, occurrence: dt.datetime | None, review_id=None) -> str:
    """The unique delivery key of one subscription's report for one period."""
    if occurrence is None:
        return f"report:{subscription_id}:review-{review_id}"
    return f"report:{subscription_id}:{occurrence.date().isoformat()}"


def is_due(occurrence: dt.datetime | None, subscribed_at: dt.datetime) -> bool:
    """A period that started before the person subscribed is not theirs to receive."""
    return occurrence is not None and occurrence >= subscribed_at


# --- weekly status update reminders ------------------------------------------------------


def update_deadline(today: dt.date, weekday: int, hour: int, zone: dt.tzinfo | None) -> dt.datetime:
    """This ISO week's deadline for the weekly status update (`zone` None: the server's)."""
    monday = today - dt.timedelta(days=today.weekday())
    moment = dt.datetime.combine(monday + dt.timedelta(days=weekday), dt.time(hour))
    return moment.replace(tzinfo=zone) if zone is not None else moment.astimezone()


def reminder_stage(
    now: dt.datetime, deadline: dt.datetime, hours_before: int, hours_after: int
) -> str | None:
    """ "before" from `hours_before` until the deadline, "after" from `hours_after` past it to
    the end of that week, else None."""
    if deadline - dt.timedelta(hours=hours_before) <= now < deadline:
        return "before"
    week_end = dt.datetime.combine(
        deadline.date() + dt.timedelta(days=7 - deadline.weekday()), dt.time(0), deadline.tzinfo
    )
    if deadline + dt.timedelta(hours=hours_after) <= now < week_end:
        return "after"
    return None


def fill(template: str, **values: str) -> str:
    """A PMO's wording with {name}, {projects}, {deadline}, {link}; unknown braces stay."""
    text = template
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


# --- power / interest grid ---------------------------------------------------------------

QUADRANTS = {
    (True, True): "Manage closely",
    (True, False): "Keep satisfied",
    (False, True): "Keep informed",
    (False, False): "Monitor",
}


def quadrant(influence: int, interest: int) -> str:
    """Mendelow's grid on 1-5 scales: 4 and 5 are high."""
    return QUADRANTS[(influence >= 4, interest >= 4)]
