"""When a subscription falls due, in the subscriber's zone, and the reminder windows."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from domain.stakeholders import (
    fill,
    is_due,
    latest_occurrence,
    period_key,
    reminder_stage,
    update_deadline,
)

UTC = dt.UTC


def test_weekly_falls_on_the_weekday_and_hour_of_the_subscribers_zone():
    # Wednesday 2 Dec 2026, 06:30 UTC = 07:30 in Paris: Monday 08:00 Paris was 30 Nov.
    now = dt.datetime(2026, 12, 2, 6, 30, tzinfo=UTC)
    got = latest_occurrence(now, "weekly", weekday=0, hour=8, time_zone="Europe/Paris")
    assert got == dt.datetime(2026, 11, 30, 8, tzinfo=ZoneInfo("Europe/Paris"))
    # Wednesday 08:00 in Paris has not come yet at 07:30 there: the week before.
    got = latest_occurrence(now, "weekly", weekday=2, hour=8, time_zone="Europe/Paris")
    assert got.date() == dt.date(2026, 11, 25)
    # In Tokyo it is already 15:30 on Wednesday.
    got = latest_occurrence(now, "weekly", weekday=2, hour=8, time_zone="Asia/Tokyo")
    assert got.date() == dt.date(2026, 12, 2)


def test_monthly_and_across_a_year_end():
    now = dt.datetime(2027, 1, 1, 7, 0, tzinfo=UTC)
    got = latest_occurrence(now, "monthly", day_of_month=1, hour=9, time_zone="UTC")
    assert got.date() == dt.date(2026, 12, 1)
    got = latest_occurrence(now, "monthly", day_of_month=1, hour=6, time_zone="UTC")
    assert got.date() == dt.date(2027, 1, 1)
    assert latest_occurrence(now, "after_review") is None


def test_a_period_before_subscribing_is_not_due_and_keys_are_per_period():
    occurrence = dt.datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert not is_due(occurrence, occurrence + dt.timedelta(seconds=1))
    assert is_due(occurrence, occurrence - dt.timedelta(days=3))
    assert period_key(7, occurrence) == "report:7:2026-11-30"
    assert period_key(7, None, review_id=3) == "report:7:review-3"


def test_reminder_windows_around_the_deadline():
    deadline = update_deadline(dt.date(2026, 12, 2), 4, 17, UTC)
    assert deadline == dt.datetime(2026, 12, 4, 17, tzinfo=UTC)
    assert reminder_stage(deadline - dt.timedelta(hours=25), deadline, 24, 18) is None
    assert reminder_stage(deadline - dt.timedelta(hours=1), deadline, 24, 18) == "before"
    assert reminder_stage(deadline + dt.timedelta(hours=1), deadline, 24, 18) is None
    assert reminder_stage(deadline + dt.timedelta(hours=19), deadline, 24, 18) == "after"
    # The next week's Monday starts a new week: no "after" any more.
    assert reminder_stage(dt.datetime(2026, 12, 7, 1, tzinfo=UTC), deadline, 24, 18) is None
    assert fill("Hi {name}, {unknown}", name="Ann") == "Hi Ann, {unknown}"
