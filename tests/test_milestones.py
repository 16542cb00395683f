"""Milestone burndown, BEI, trend analysis and slippage on a hand-made history whose right
values are worked out below, on SQLite and on PostgreSQL.

Project P, today Wednesday 4 Mar 2026 (2026-W10), milestones written through the commands:
  M1 completed early   added 2 Feb, baseline 20 Feb, done 13 Feb
  M2 slipped in steps  added 2 Feb, baseline 27 Feb, moved to 13 Mar (on 13 Feb), to 27 Mar (27 Feb)
  M3 added late        added 20 Feb, baseline 20 Mar
  M4 removed           added 2 Feb, baseline 6 Mar, removed 25 Feb
  M5 re-baselined      added 2 Feb, baseline 25 Feb, moved to 11 Mar (20 Feb), re-baselined to
                       11 Mar (27 Feb)
  M6 overdue           added 2 Feb, baseline 26 Feb, never moved, still open
Project Q holds one more milestone, so that the project filter is seen to work.
Weekly status reports on 20 and 27 Feb make 20 Feb "the previous report".
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import pytest

from charts.milestones import bei_chart, burndown_chart, mta_chart
from data_access.core.db import session_scope
from data_access.core.writes import SYSTEM
from data_access.milestones.reads import (
    burndown_deltas,
    project_history,
    report_dates,
    slippage_lists,
)
from data_access.updates import commands
from domain.milestones import (
    BurndownStatus,
    as_of_days,
    bei_series,
    burndown_series,
    burndown_status,
    default_mta_selection,
    headline,
    mta_series,
    weeks_between,
)
from tests.factories import make_org, make_project, make_report

D = dt.date
TODAY = D(2026, 3, 4)
WEEKS = [
    "2026-W06",
    "2026-W07",
    "2026-W08",
    "2026-W09",
    "2026-W10",
    "2026-W11",
    "2026-W12",
    "2026-W13",
]
DAYS = [D(2026, 2, 8), D(2026, 2, 15), D(2026, 2, 22), D(2026, 3, 1), TODAY]
DAYS += [D(2026, 3, 15), D(2026, 3, 22), D(2026, 3, 29)]
NA = None


def _add(url, project_id, name, baseline, added, **extra):
    data = {"project_id": project_id, "name": name, "baseline_date": baseline}
    data |= {"forecast_date": baseline, **extra}
    with session_scope(url) as session:
        return commands.add_milestone(data, reported_on=added, session=session, actor=SYSTEM)


def _do(url, action, milestone_id, version, *args, **kwargs):
    with session_scope(url) as session:
        getattr(commands, action)(
            milestone_id, *args, expected_version=version, session=session, actor=SYSTEM, **kwargs
        )


def build_history(url) -> dict[str, int]:
    org = make_org(url)
    p = make_project(url, org, "P-1")
    q = make_project(url, org, "Q-1")
    ids = {"P": p, "Q": q}
    ids["M1"] = _add(url, p, "Completed early", D(2026, 2, 20), D(2026, 2, 2))
    _do(url, "complete_milestone", ids["M1"], 1, D(2026, 2, 13), reported_on=D(2026, 2, 13))
    ids["M2"] = _add(url, p, "Slipped in steps", D(2026, 2, 27), D(2026, 2, 2), is_key=True)
    _do(url, "move_milestone", ids["M2"], 1, D(2026, 3, 13), reported_on=D(2026, 2, 13))
    _do(url, "move_milestone", ids["M2"], 2, D(2026, 3, 27), reported_on=D(2026, 2, 27))
    ids["M3"] = _add(url, p, "Added late", D(2026, 3, 20), D(2026, 2, 20))
    ids["M4"] = _add(url, p, "Removed", D(2026, 3, 6), D(2026, 2, 2))
    _do(url, "remove_milestone", ids["M4"], 1, reason="Out of scope", reported_on=D(2026, 2, 25))
    ids["M5"] = _add(url, p, "Re-baselined", D(2026, 2, 25), D(2026, 2, 2))
    _do(url, "move_milestone", ids["M5"], 1, D(2026, 3, 11), reported_on=D(2026, 2, 20))
    _do(
        url,
        "rebaseline_milestone",
        ids["M5"],
        2,
        D(2026, 3, 11),
        reason="Change request approved",
        reported_on=D(2026, 2, 27),
    )
    ids["M6"] = _add(url, p, "Overdue", D(2026, 2, 26), D(2026, 2, 2))
    ids["Q1"] = _add(url, q, "Other project", D(2026, 3, 2), D(2026, 2, 2))
    for day in (D(2026, 2, 20), D(2026, 2, 27)):
        make_report(url, p, day)
    return ids


@pytest.fixture
def history(db_url):
    return db_url, build_history(db_url)


def _series(url, ids, project_ids=None, baseline="current") -> pd.DataFrame:
    scope = None if project_ids is None else [ids[k] for k in project_ids]
    return burndown_series(burndown_deltas(TODAY, scope, baseline, url=url), TODAY)


def _values(series: pd.DataFrame, line: str) -> list:
    return [None if pd.isna(v) else int(v) for v in series[line]]


# --- burndown ---------------------------------------------------------------------------


def test_burndown_weekly_values_against_the_current_baseline(history):
    url, ids = history
    series = _series(url, ids, ["P"])
    assert series["week"].tolist() == WEEKS
    assert series["day"].tolist() == DAYS
    assert _values(series, "scope") == [5, 5, 6, 5, 5, 5, 5, 5]
    assert _values(series, "planned") == [5, 5, 5, 2, 2, 1, 0, 0]
    assert _values(series, "actual") == [5, 4, 5, 4, 4, NA, NA, NA]
    assert _values(series, "forecast") == [NA, NA, NA, NA, 4, 2, 1, 0]


def test_burndown_against_the_original_baseline_uses_the_history(history):
    url, ids = history
    series = _series(url, ids, ["P"], baseline="original")
    # M5's original baseline (25 Feb) passed before 1 Mar; only the planned line changes.
    assert _values(series, "planned") == [5, 5, 5, 1, 1, 1, 0, 0]
    assert _values(series, "actual") == [5, 4, 5, 4, 4, NA, NA, NA]
    assert _values(series, "scope") == [5, 5, 6, 5, 5, 5, 5, 5]


def test_burndown_of_every_project_and_of_one(history):
    url, ids = history
    everything = _series(url, ids)
    only_q = _series(url, ids, ["Q"])
    # Q's milestone (added 2 Feb, baseline 2 Mar, open) adds one to P's lines until it is due.
    assert _values(everything, "scope") == [6, 6, 7, 6, 6, 6, 6, 6]
    assert _values(everything, "planned") == [6, 6, 6, 3, 2, 1, 0, 0]
    # Q's forecast (overdue: due tomorrow) ends after today: the next week shows it.
    assert _values(only_q, "actual") == [1, 1, 1, 1, 1, NA]
    assert _values(only_q, "forecast") == [NA, NA, NA, NA, 1, 0]


def test_a_window_keeps_counting_what_came_before_it(history):
    url, ids = history
    deltas = burndown_deltas(TODAY, [ids["P"]], url=url)
    series = burndown_series(deltas, TODAY, weeks_each_side=1)
    assert series["week"].tolist() == ["2026-W09", "2026-W10", "2026-W11"]
    assert _values(series, "planned") == [2, 2, 1]
    assert _values(series, "actual") == [4, 4, NA]
    assert _values(series, "forecast") == [NA, 4, 2]


def test_headline_says_how_far_behind(history):
    url, ids = history
    status = burndown_status(_series(url, ids, ["P"]), TODAY)
    assert (status.actual, status.planned, status.scope, status.behind) == (4, 2, 5, 2)
    assert headline(status) == "2 milestones behind plan"
    assert (status.planned_finish, status.forecast_finish) == ("2026-W12", "2026-W13")
    assert weeks_between(status.forecast_finish, status.planned_finish) == 1
    original = burndown_status(_series(url, ids, ["P"], baseline="original"), TODAY)
    assert headline(original) == "3 milestones behind plan"


def test_headline_ahead_on_plan_and_empty():
    def status(actual, planned):
        return BurndownStatus(planned, actual, 10, None, None)

    assert headline(status(3, 5)) == "2 milestones ahead of plan"
    assert headline(status(5, 4)) == "1 milestone behind plan"
    assert headline(status(5, 5)) == "On plan"
    assert headline(None) == "No milestones in the plan"
    assert burndown_status(burndown_series(pd.DataFrame(columns=["day"]), TODAY), TODAY) is None


def test_bei_per_week(history):
    url, ids = history
    bei = bei_series(_series(url, ids, ["P"]), TODAY)
    assert bei["week"].tolist() == WEEKS[:5]
    assert bei["completed"].tolist() == [0, 1, 1, 1, 1]
    assert bei["baseline_passed"].tolist() == [0, 0, 1, 3, 3]
    assert bei["bei"].tolist()[2:] == [1.0, 0.33, 0.33]
    assert bei["bei"].isna().tolist()[:2] == [True, True]  # no baseline passed yet
    original = bei_series(_series(url, ids, ["P"], baseline="original"), TODAY)
    assert original["bei"].iloc[-1] == 0.25  # 1 completed of 4 whose original date passed


def test_chart_builders_draw_the_series_they_receive(history):
    url, ids = history
    series = _series(url, ids, ["P"])
    chart = burndown_chart(series, TODAY)
    lines = next(la for la in chart.layer if isinstance(la, alt.Chart) and _mark(la) == "line")
    drawn = lines.data.pivot(index="week", columns="line", values="milestones")
    assert drawn["Planned"].tolist() == [5, 5, 5, 2, 2, 1, 0, 0]
    assert drawn["Actual"].dropna().astype(int).tolist() == [5, 4, 5, 4, 4]
    assert drawn["Forecast"].dropna().astype(int).tolist() == [4, 2, 1, 0]
    spec = chart.to_dict()
    assert "Today 04 Mar 2026: 2 behind plan" in str(spec)
    bei = bei_chart(bei_series(series, TODAY), 0.95)
    assert isinstance(bei, alt.LayerChart)
    empty = burndown_chart(series.iloc[0:0], TODAY)
    assert "No milestones in this selection." in str(empty.to_dict())


def _mark(layer) -> str:
    mark = layer.mark
    return mark if isinstance(mark, str) else mark.type


def test_week_days_replace_the_current_sunday_by_today():
    assert as_of_days(D(2026, 2, 25), D(2026, 3, 10), TODAY) == [
        D(2026, 3, 1),
        TODAY,
        D(2026, 3, 15),
    ]


# --- milestone trend analysis -------------------------------------------------------------


def _points(url, ids, name):
    points = mta_series(project_history(ids["P"], url=url), TODAY)
    rows = points[points["milestone_id"] == ids[name]]
    return [
        (r.reported_on.isoformat(), r.forecast_date.isoformat(), r.point) for r in rows.itertuples()
    ]


def test_mta_lines_step_at_each_report_and_end_where_the_milestone_ends(history):
    url, ids = history
    assert _points(url, ids, "M1") == [
        ("2026-02-02", "2026-02-20", "report"),
        ("2026-02-13", "2026-02-13", "reached"),  # on the diagonal
    ]
    assert _points(url, ids, "M2") == [
        ("2026-02-02", "2026-02-27", "report"),
        ("2026-02-13", "2026-03-13", "report"),
        ("2026-02-27", "2026-03-27", "report"),
        ("2026-03-04", "2026-03-27", "today"),
    ]
    assert _points(url, ids, "M4") == [
        ("2026-02-02", "2026-03-06", "report"),
        ("2026-02-25", "2026-03-06", "removed"),
    ]
    assert _points(url, ids, "M5") == [
        ("2026-02-02", "2026-02-25", "report"),
        ("2026-02-20", "2026-03-11", "report"),
        ("2026-02-27", "2026-03-11", "re-baselined"),  # forecast unchanged
        ("2026-03-04", "2026-03-11", "today"),
    ]
    # Overdue: the line reaches today below the diagonal.
    assert _points(url, ids, "M6")[-1] == ("2026-03-04", "2026-02-26", "today")
    points = mta_series(project_history(ids["P"], url=url), TODAY)
    m2 = points[points["milestone_id"] == ids["M2"]]
    assert m2["slip_days"].tolist() == [0, 14, 28, 28]
    assert m2["milestone"].iloc[0] == "Slipped in steps (key)"
    chart = mta_chart(points, TODAY)
    assert "Milestone trend" in str(chart.to_dict())


def test_mta_keeps_the_last_report_of_a_day_and_tells_repeated_names_apart():
    def row(milestone_id, reported_on, forecast, current):
        return {
            "milestone_id": milestone_id,
            "milestone": "Go-live",
            "is_key": False,
            "reported_on": reported_on,
            "change": "forecast",
            "baseline_date": D(2026, 3, 1),
            "forecast_date": forecast,
            "current_baseline": D(2026, 3, 1),
            "current_forecast": current,
            "actual_date": None,
            "removed_on": None,
        }

    history = pd.DataFrame(
        [
            row(1, D(2026, 2, 2), D(2026, 3, 1), D(2026, 3, 20)),
            row(1, D(2026, 2, 9), D(2026, 3, 10), D(2026, 3, 20)),
            row(1, D(2026, 2, 9), D(2026, 3, 20), D(2026, 3, 20)),
            row(2, D(2026, 2, 2), D(2026, 3, 1), D(2026, 3, 1)),
        ]
    )
    points = mta_series(history, TODAY)
    first = points[points["milestone_id"] == 1]
    assert first["forecast_date"].tolist() == [D(2026, 3, 1), D(2026, 3, 20), D(2026, 3, 20)]
    assert first["reported_on"].tolist() == [D(2026, 2, 2), D(2026, 2, 9), TODAY]
    assert set(points["milestone"]) == {"Go-live #1", "Go-live #2"}


def test_default_selection_prefers_key_and_most_moved_milestones():
    rows = []
    for m in range(1, 26):
        moved = 30 if m in (5, 9) else 0
        forecast = D(2026, 6, 1) + dt.timedelta(days=m)
        rows.append(
            {
                "milestone_id": m,
                "is_key": m in (20, 25),
                "forecast_date": forecast,
                "current_forecast": forecast + dt.timedelta(days=moved),
                "current_baseline": forecast,
            }
        )
    chosen = default_mta_selection(pd.DataFrame(rows), limit=5)
    assert chosen == [1, 5, 9, 20, 25]  # key 20, 25; moved 5, 9; then the earliest baseline


# --- slippage lists -----------------------------------------------------------------------


def test_previous_report_date(history):
    url, _ = history
    assert report_dates(TODAY, url=url) == (D(2026, 2, 27), D(2026, 2, 20))
    assert report_dates(D(2026, 2, 1), url=url) == (None, None)


def _lists(url, ids, baseline="current"):
    lists = slippage_lists(TODAY, D(2026, 2, 20), [ids["P"]], baseline, url=url)
    named = {v: k for k, v in ids.items()}
    return lists, named


def _named(lists, name, named, days):
    return [(named[i], d) for i, d in lists[name][["milestone_id", days]].values]


def test_slipped_since_the_previous_report(history):
    url, ids = history
    lists, named = _lists(url, ids)
    slipped = lists["slipped"]
    # M2 moved on 27 Feb; M5's move was reported on 20 Feb (the previous report itself).
    assert [named[i] for i in slipped["milestone_id"]] == ["M2"]
    row = slipped.iloc[0]
    assert (row.previous_forecast, row.forecast_date, row.slipped_days) == (
        D(2026, 3, 13),
        D(2026, 3, 27),
        14,
    )
    assert row.code == "P-1" and bool(row.is_key) and row.total == 1


def test_most_slipped_due_and_overdue(history):
    url, ids = history
    lists, named = _lists(url, ids)
    assert _named(lists, "most_slipped", named, "slip_days") == [("M2", 28)]
    assert _named(lists, "due_2_weeks", named, "due_in_days") == [("M5", 7)]
    assert [named[i] for i in lists["due_4_weeks"]["milestone_id"]] == ["M5", "M3", "M2"]
    assert lists["due_4_weeks"]["due_in_days"].tolist() == [7, 16, 23]
    assert _named(lists, "overdue", named, "overdue_days") == [("M6", 6)]
    original, _ = _lists(url, ids, baseline="original")
    assert _named(original, "most_slipped", named, "slip_days") == [("M2", 28), ("M5", 14)]


def test_lists_are_limited_with_an_honest_total(history):
    url, ids = history
    lists = slippage_lists(TODAY, D(2026, 2, 20), None, limit=2, url=url)
    due = lists["due_4_weeks"]
    assert len(due) == 2 and due["total"].tolist() == [3, 3]
    # Q's milestone was due on 2 Mar: overdue with P's M6, the oldest first.
    assert lists["overdue"]["overdue_days"].tolist() == [6, 2]
    assert lists["overdue"]["total"].tolist() == [2, 2]
