"""The app's one "today": the real date in the PMO's zone, or a pinned day; what is recorded on
a pinned day is stamped on that day."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.core import clock

# 23:30 UTC on Saturday 5 Dec 2026: already Sunday in Auckland, still Saturday in New York.
INSTANT = dt.datetime(2026, 12, 5, 23, 30, tzinfo=dt.UTC)


@pytest.fixture
def at_instant(monkeypatch):
    monkeypatch.delenv("PMO_TODAY", raising=False)
    monkeypatch.setattr(clock, "real_now", lambda: INSTANT)


@pytest.mark.parametrize(
    ("zone", "day"),
    [("Pacific/Auckland", dt.date(2026, 12, 6)), ("America/New_York", dt.date(2026, 12, 5))],
)
def test_today_is_the_date_in_the_pmo_zone(at_instant, monkeypatch, zone, day):
    monkeypatch.setenv("PMO_TIMEZONE", zone)
    assert clock.today() == day
    assert clock.now() == INSTANT  # not pinned: records carry the real time


def test_a_pinned_day_moves_today_and_what_is_recorded(at_instant, monkeypatch):
    monkeypatch.setenv("PMO_TIMEZONE", "UTC")
    monkeypatch.setenv("PMO_TODAY", "2028-02-29")
    assert clock.today() == dt.date(2028, 2, 29)
    assert clock.now() == dt.datetime(2028, 2, 29, 23, 30, tzinfo=dt.UTC)
    # The record's own day, seen from the PMO's zone, is the pinned day.
    monkeypatch.setenv("PMO_TIMEZONE", "Pacific/Auckland")
    assert clock.now().astimezone(clock.time_zone()).date() == dt.date(2028, 2, 29)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [("PMO_TODAY", "25/11/2026", "YYYY-MM-DD"), ("PMO_TIMEZONE", "Mars/Olympus", "time zone")],
)
def test_a_setting_that_cannot_be_read_says_how_to_fix_it(monkeypatch, name, value, says):
    monkeypatch.setenv(name, value)
    with pytest.raises(clock.ClockSettingError, match=says):
        clock.today()
