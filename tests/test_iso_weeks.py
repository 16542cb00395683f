"""ISO weeks across a year end with a week 53: 2026 has one (Mon 28 Dec 2026 to Sun 3 Jan 2027),
so the weeks run 2026-W52, 2026-W53, 2027-W01. Labels, weekly buckets and the demo portfolio
built on a day in that week must neither skip nor repeat a week.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access.core.models import StatusReport
from data_access.demo.generator import generate
from domain.capacity import horizon_weeks
from domain.formatting import iso_week
from domain.milestones import as_of_days, burndown_series, weeks_between
from domain.portfolio_view import week_ends

D = dt.date
ACROSS = ["2026-W51", "2026-W52", "2026-W53", "2027-W01", "2027-W02"]


def test_week_labels_across_week_53():
    assert iso_week(D(2026, 12, 27)) == "2026-W52"
    assert iso_week(D(2026, 12, 28)) == "2026-W53"
    assert iso_week(D(2027, 1, 1)) == "2026-W53"  # a Friday of 2027 in 2026's last week
    assert iso_week(D(2027, 1, 3)) == "2026-W53"
    assert iso_week(D(2027, 1, 4)) == "2027-W01"
    assert weeks_between("2027-W01", "2026-W52") == 2
    assert weeks_between("2027-W01", "2026-W53") == 1


def test_weekly_buckets_do_not_skip_or_repeat_week_53():
    days = as_of_days(D(2026, 12, 14), D(2027, 1, 15), today=D(2027, 1, 1))
    assert [iso_week(d) for d in days] == ACROSS
    assert D(2027, 1, 1) in days  # the current week is measured today, not on its Sunday

    deltas = pd.DataFrame(
        {
            "day": pd.to_datetime([D(2026, 12, 14), D(2026, 12, 30), D(2027, 1, 12)]),
            "planned": [3, -1, -2],
            "actual": [3, 0, 0],
            "forecast": [3, -1, -1],
            "scope": [3, 0, 0],
        }
    )
    series = burndown_series(deltas, D(2027, 1, 1))
    assert series["week"].tolist() == ACROSS
    assert series.set_index("week").loc["2026-W53", "planned"] == 2


def test_heatmap_and_capacity_weeks_cross_the_year():
    ends = week_ends(D(2027, 1, 5), 3)
    assert [iso_week(d) for d in ends] == ["2026-W52", "2026-W53", "2027-W01"]
    assert ends[-1] == D(2027, 1, 5)
    weeks = horizon_weeks(D(2026, 12, 23), 4)
    assert weeks["week"].tolist() == ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]
    # A week is in the month of its Thursday: W53 (Thursday 31 Dec) belongs to December.
    assert weeks["month"].tolist() == ["2026-12", "2026-12", "2027-01", "2027-01"]


def test_demo_portfolio_built_in_week_53_reports_every_friday():
    rows = generate("S", seed=3, today=D(2027, 1, 2)).rows[StatusReport]
    days = sorted({r["report_date"] for r in rows})
    assert D(2027, 1, 1) in days and D(2026, 12, 25) in days
    assert all(d.weekday() == 4 for d in days)
    weeks = [iso_week(d) for d in days]
    assert len(weeks) == len(set(weeks))  # one reporting day a week, none skipped below
    assert weeks_between(weeks[-1], weeks[0]) == len(weeks) - 1
