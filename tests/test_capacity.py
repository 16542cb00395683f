"""Capacity heatmap values on hand-made allocations, on SQLite and on PostgreSQL.

The team (weeks are ISO weeks from Monday 4 Jan 2027, W01):
- Alice, 40 h, IT, Testing: P1 20 h W01-W04, P2 30 h W03-W06 (overlap: 50 h in W03-W04).
- Bob, part-time 20 h, IT, Testing: P1 16 h from Wednesday of W01 (3 of 5 days) to W08,
  P2 8 h W02 only.
- Carol, 40 h, Finance, Architecture: P1 32 h W01-W08; away all of W02, Monday-Tuesday of
  W03, and a weekend in W04 (no working day).
- Dave, 40 h, Finance, Architecture: on P3 (outside the filtered projects), away all of W01.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from data_access.core.models import Absence, Allocation, Person
from data_access.resources import reads as resources
from domain import capacity
from tests.factories import _insert, make_org, make_project

D = dt.date
MONDAY = D(2027, 1, 4)


def make_person(url, org, name, capacity=40.0, department="department", skill="") -> int:
    return _insert(
        url,
        Person,
        name=name,
        email=f"{name.lower()}@example.org",
        role="viewer",
        department_id=org[department],
        skill=skill,
        weekly_capacity_hours=capacity,
    )


def allocate(url, person, project, start, end, hours) -> int:
    return _insert(
        url,
        Allocation,
        person_id=person,
        project_id=project,
        start_date=start,
        end_date=end,
        hours_per_week=hours,
    )


def away(url, person, start, end) -> int:
    return _insert(url, Absence, person_id=person, start_date=start, end_date=end, reason="Leave")


def week(n: int) -> tuple[dt.date, dt.date]:
    """Monday and Friday of week n (1-based) of the test horizon."""
    monday = MONDAY + dt.timedelta(weeks=n - 1)
    return monday, monday + dt.timedelta(days=4)


@pytest.fixture
def team(db_url):
    org = make_org(db_url)
    p1 = make_project(db_url, org, "P-1")
    p2 = make_project(db_url, org, "P-2")
    p3 = make_project(db_url, org, "P-3")
    alice = make_person(db_url, org, "Alice", 40, skill="Testing")
    bob = make_person(db_url, org, "Bob", 20, skill="Testing")
    carol = make_person(db_url, org, "Carol", 40, "other_department", "Architecture")
    dave = make_person(db_url, org, "Dave", 40, "other_department", "Architecture")
    allocate(db_url, alice, p1, week(1)[0], week(4)[1], 20)
    allocate(db_url, alice, p2, week(3)[0], week(6)[1], 30)
    allocate(db_url, bob, p1, week(1)[0] + dt.timedelta(days=2), week(8)[1], 16)
    allocate(db_url, bob, p2, week(2)[0], week(2)[1], 8)
    allocate(db_url, carol, p1, week(1)[0], week(8)[1], 32)
    allocate(db_url, dave, p3, week(1)[0], week(8)[1], 10)
    away(db_url, carol, *week(2))
    away(db_url, carol, week(3)[0], week(3)[0] + dt.timedelta(days=1))
    away(db_url, carol, week(4)[1] + dt.timedelta(days=1), week(4)[1] + dt.timedelta(days=2))
    away(db_url, dave, *week(1))
    ids = dict(alice=alice, bob=bob, carol=carol, dave=dave, p1=p1, p2=p2, p3=p3)
    return db_url, {**org, **ids}


def _people_grid(url, ids, **kwargs) -> pd.DataFrame:
    grid = resources.weekly_load(MONDAY, 8, "person", url=url, **kwargs)
    names = {str(ids[n]): n for n in ("alice", "bob", "carol", "dave")}
    return grid[grid.key.isin(names)].assign(who=lambda d: d.key.map(names))


def _cell(grid, who, w):
    row = grid[(grid.who == who) & (grid.w == w - 1)].iloc[0]
    return row.allocated, row.capacity


def test_overlapping_allocations_add_up_and_are_flagged(team):
    url, ids = team
    grid = _people_grid(url, ids)
    alice = {w: _cell(grid, "alice", w) for w in range(1, 9)}
    assert alice[1] == (20, 40) and alice[2] == (20, 40)
    assert alice[3] == (50, 40) and alice[4] == (50, 40)  # the two projects overlap
    assert alice[5] == (30, 40) and alice[7] == (0, 40)
    loads = capacity.load_pct(*zip(*alice.values(), strict=True))
    assert loads.tolist() == [50, 50, 125, 125, 75, 75, 0, 0]
    over = capacity.is_over(*zip(*alice.values(), strict=True))
    assert over.tolist() == [False, False, True, True, False, False, False, False]


def test_part_time_capacity_and_partial_weeks(team):
    url, ids = team
    grid = _people_grid(url, ids)
    allocated, cap = _cell(grid, "bob", 1)  # starts on Wednesday: 3 of 5 working days
    assert (round(allocated, 6), cap) == (9.6, 20)
    assert capacity.load_pct(allocated, cap).round(6) == 48
    assert _cell(grid, "bob", 2) == (24, 20)  # 16 h + 8 h on a 20 h week
    assert capacity.load_band(24, 20).item() == "Over (101-120 %)"  # exactly 120 %
    assert capacity.load_band(16, 20).item() == "Well used (80-100 %)"


def test_person_on_leave(team):
    url, ids = team
    grid = _people_grid(url, ids)
    assert _cell(grid, "carol", 1) == (32, 40)
    assert _cell(grid, "carol", 2) == (32, 0)  # away all week, still allocated
    assert _cell(grid, "carol", 3) == (32, 24)  # away Monday and Tuesday
    assert _cell(grid, "carol", 4) == (32, 40)  # away on a weekend only
    assert _cell(grid, "dave", 1) == (10, 0)
    bands = capacity.load_band([32, 32, 32, 0], [40, 0, 24, 0]).tolist()
    assert bands == ["Well used (80-100 %)", "Over (> 120 %)", "Over (> 120 %)", "Away"]
    assert capacity.cell_text([32, 0], [0, 0]) == ["away!", "away"]


def test_departments_and_skills_sum_people_of_the_filtered_projects(team):
    url, ids = team
    scope = {"project_ids": [ids["p1"], ids["p2"]]}
    depts = resources.weekly_load(MONDAY, 8, "department", url=url, **scope)
    it = depts[(depts.key == "IT") & (depts.w == 2)].iloc[0]  # W03: Alice 50/40, Bob 16/20
    assert (it.allocated, it.capacity, it.people, it.people_over) == (66, 60, 2, 1)
    assert set(depts.key) == {"IT", "Finance"}  # Dave works only on P3: out of view
    skills = resources.weekly_load(MONDAY, 8, "skill", url=url, **scope)
    testing = skills[(skills.key == "Testing") & (skills.w == 1)].iloc[0]  # W02
    assert (testing.allocated, testing.capacity, testing.people_over) == (44, 60, 1)
    # Without a filter everyone with capacity is in view, idle people included.
    everyone = resources.weekly_load(MONDAY, 8, "department", url=url)
    it_all = everyone[(everyone.key == "IT") & (everyone.w == 2)].iloc[0]
    assert (it_all.allocated, it_all.capacity, it_all.people) == (66, 60 + 4 * 40, 6)
    # A department filter brings its members in even when they are not on those projects.
    with_dept = resources.weekly_load(
        MONDAY, 8, "person", url=url, project_ids=[ids["p1"]], departments=["Finance"]
    )
    assert str(ids["dave"]) in set(with_dept.key)


def test_heatmap_cells_by_week_and_month(team):
    url, ids = team
    grid = resources.weekly_load(MONDAY, 8, "person", url=url, project_ids=[ids["p1"]])
    weeks = capacity.horizon_weeks(MONDAY + dt.timedelta(days=2), 8)
    assert weeks.week.tolist()[:2] == ["2027-W01", "2027-W02"]
    cells = capacity.heatmap_cells(grid, weeks, "Week")
    alice = cells[cells.label == "Alice"].set_index("period")
    assert alice.loc["2027-W03", "text"] == "125%" and alice.loc["2027-W03", "over"]
    assert alice.loc["2027-W03", "band"] == "Over (> 120 %)"
    assert alice.loc["2027-W05", "band"] == "Under-used (50-79 %)"
    assert alice.loc["2027-W07", "band"] == "Idle (< 50 %)"
    months = capacity.heatmap_cells(grid, weeks, "Month")
    alice_m = months[months.label == "Alice"].set_index("period")
    # January holds W01-W04 (Thursdays 7-28 Jan): 140 h of 160 h; February W05-W08.
    assert alice_m.loc["Jan 2027", ["allocated", "capacity"]].tolist() == [140, 160]
    assert alice_m.loc["Jan 2027", "text"] == "88%" and not alice_m.loc["Jan 2027", "over"]
    assert alice_m.loc["Feb 2027", "load"] == 37.5
    assert alice_m.loc["Jan 2027", "last_day"] == D(2027, 1, 29)
    carol_m = months[months.label == "Carol"].set_index("period")
    assert carol_m.loc["Jan 2027", "capacity"] == 40 + 0 + 24 + 40


def test_people_limit_keeps_the_most_loaded_and_counts_the_rest(team):
    url, ids = team
    top = resources.weekly_load(MONDAY, 8, "person", url=url, limit=2)
    assert top.n_rows.iloc[0] == 9  # 5 people of the organisation + the 4 of the team
    # Hours beyond capacity over the horizon: Carol 32 (away in W02) + 8 (W03), Alice 10 + 10
    # (W03-W04), Dave 10 (away in W01), Bob 4 (W02).
    assert set(top.label) == {"Carol", "Alice"}
    cells = capacity.heatmap_cells(
        resources.weekly_load(MONDAY, 8, "person", url=url), capacity.horizon_weeks(MONDAY, 8)
    )
    assert capacity.row_order(cells)[:4] == ["Carol", "Alice", "Dave", "Bob"]
    idle = resources.weekly_load(MONDAY, 8, "person", url=url, limit=3, order="idle")
    assert len(set(idle.label)) == 3 and not {"Alice", "Bob", "Carol"} & set(idle.label)
    assert capacity.row_order(cells, "idle")[-3:] == ["Alice", "Bob", "Carol"]


def test_cell_lists_the_projects_behind_it(team):
    url, ids = team
    monday, friday = week(3)
    alice = resources.cell_allocations(monday, friday, "person", str(ids["alice"]), url=url)
    assert alice[["code", "hours_in_period"]].values.tolist() == [["P-2", 30], ["P-1", 20]]
    it = resources.cell_allocations(monday, friday, "department", "IT", url=url)
    assert sorted(zip(it.person, it.code, it.hours_in_period, strict=True)) == [
        ("Alice", "P-1", 20),
        ("Alice", "P-2", 30),
        ("Bob", "P-1", 16),
    ]
    # A month cell averages over its weeks: Bob's 8 h in W02 only is 2 h a week in W01-W04.
    month = resources.cell_allocations(MONDAY, week(4)[1], "person", str(ids["bob"]), url=url)
    hours = dict(zip(month.code, month.hours_in_period.round(6), strict=True))
    assert hours == {"P-1": round((9.6 + 16 * 3) / 4, 6), "P-2": 2}


def test_demand_series_of_a_department(team):
    url, ids = team
    grid = resources.weekly_load(MONDAY, 8, "department", url=url, project_ids=[ids["p1"]])
    weeks = capacity.horizon_weeks(MONDAY, 8)
    finance = capacity.demand_series(grid[grid.key == "Finance"], weeks)
    assert finance.capacity.tolist()[:4] == [40, 0, 24, 40]
    assert finance.over.tolist()[:4] == [False, True, True, False]
    assert np.allclose(finance.allocated, 32)


def test_default_rows_aggregate_when_many_people():
    assert capacity.default_rows(40) == "person"
    assert capacity.default_rows(5_000) == "department"
    assert capacity.hours_from_share(50, 32) == 16


def test_people_in_view_counts_the_heatmap_rows(team):
    url, ids = team
    assert resources.people_in_view(MONDAY, 8, url=url) == 9
    assert resources.people_in_view(MONDAY, 8, project_ids=[ids["p2"]], url=url) == 2
    assert resources.people_in_view(MONDAY, 8, project_ids=[], url=url) == 0
