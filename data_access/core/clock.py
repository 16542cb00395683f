"""The app's one notion of "today" (and of "now" for the records it writes).

`today()` is the real date in the PMO's time zone (setting `PMO_TIMEZONE`, an IANA name such as
`Europe/Paris`; default: the server's zone), because the people reading the portfolio are not
where the server is. A deployment may pin the day with `PMO_TODAY=2026-11-25` (demos, training,
tests): the whole app then runs as on that day, and what it records is stamped on that day too, so
that an update saved in a pinned install shows in "what changed" like any other.

Sign-in times (lock-outs, session expiry) stay on the real clock: security must not be pinned.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from data_access.core.config import setting


class ClockSettingError(ValueError):
    """A clock setting that cannot be understood; the message says which and how to fix it."""


def time_zone() -> dt.tzinfo | None:
    """The PMO's zone; None means the server's own."""
    name = setting("PMO_TIMEZONE")
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ClockSettingError(
            f"PMO_TIMEZONE={name!r} is not a time zone name such as 'Europe/Paris' or 'UTC'"
        ) from exc


def pinned_day() -> dt.date | None:
    value = setting("PMO_TODAY")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ClockSettingError(
            f"PMO_TODAY={value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-25"
        ) from exc


def real_now() -> dt.datetime:
    """The real time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """The day the app shows: the pinned day, else the real date in the PMO's time zone."""
    zone = time_zone()  # read even when pinned, so that a wrong zone is said at once
    return pinned_day() or real_now().astimezone(zone).date()


def now() -> dt.datetime:
    """When something is recorded (UTC): the real time, moved onto the pinned day if any."""
    moment = real_now()
    pinned = pinned_day()
    if pinned is None:
        return moment
    local = moment.astimezone(time_zone())
    return moment + (pinned - local.date())
