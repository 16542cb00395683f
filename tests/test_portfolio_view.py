"""The tables the portfolio and project pages draw, and the charts built from them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from charts.health import (
    PROJECT_SELECTIONS,
    RAG_SCALE,
    concentration_heatmap,
    dimension_heatmap,
    weekly_heatmap,
)
from charts.project import cost_chart, milestone_timeline
from data_access.core.settings import DEFAULT_SETTINGS
from domain import portfolio_view as view
from domain import project_view
from tests.test_health_rules import TODAY, health, project, slipped

D = dt.date


def portfolio() -> pd.DataFrame:
    """Six projects in two programs and two departments, one of each health."""
    rows = [
        project(name="Red one", program="Core", department="IT", phase="Execution",
                **slipped(30)),
        project(name="Amber one", program="Core", department="IT", phase="Planning",
                **slipped(11), approved_budget=200_000.0, forecast_at_completion=200_000.0,
                actual_cost=100_000.0),
        project(name="Overridden", program="Other", department="IT", phase="Execution",
                override_rag="A", override_reason="Waiting on the sponsor"),
        project(name="Stale red", program="Other", department="Finance", phase="Execution",
                last_report_date=TODAY - dt.timedelta(days=20), max_risk_score=16,
                high_risks=1, overdue_milestones=2),
        project(name="Green one", program="Core", department="Finance", phase="Planning"),
        project(name="Done", program="Other", department="Finance", phase="Closed",
                status="completed"),
    ]  # fmt: skip
    table = health(*rows)
    return table.assign(manager="Pat", portfolio="Main")


# --- reporting weeks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "since"),
    [
        (D(2026, 11, 25), D(2026, 11, 13)),  # Wednesday: this week's reports are of the 20th
        (D(2026, 11, 27), D(2026, 11, 20)),  # Friday: reports due today
        (D(2026, 11, 28), D(2026, 11, 20)),
        (D(2026, 11, 23), D(2026, 11, 13)),
    ],
)
def test_previous_reporting_day(today, since):
    assert view.previous_reporting_day(today) == since


def test_week_ends_are_sundays_up_to_today():
    assert view.week_ends(D(2026, 11, 25), 3) == [
        D(2026, 11, 15),
        D(2026, 11, 22),
        D(2026, 11, 25),
    ]


# --- tiles --------------------------------------------------------------------------------


def test_kpis_count_active_projects_and_their_changes():
    now = view.kpis(portfolio())
    assert now == {
        "active": 5,
        "R": 2,  # slipped 30 days; stale but red by risk
        "A": 2,  # slipped 11 days; overridden to Amber
        "S": 0,
        "G": 1,
        "budget": 600_000.0,
        "eac": 600_000.0,
        "overdue": 2,
        "high_risks": 1,
    }
    before = {**now, "R": 1, "G": 2, "overdue": 0}
    changes = view.kpi_changes(now, before)
    assert (changes["R"], changes["G"], changes["overdue"], changes["active"]) == (1, -1, 2, 0)


# --- heatmap 1 ----------------------------------------------------------------------------


def test_dimension_cells_group_worst_first_with_marks():
    cells = view.dimension_cells(portfolio(), "program")
    overall = cells[cells.column == "Overall"].sort_values("row_order")
    assert overall.group.tolist() == ["Core", "Core", "Core", "Other", "Other", "Other"]
    assert overall.text.tolist() == ["R", "A", "G", "R S", "A*", "C"]
    assert overall.code.tolist() == ["P-1", "P-2", "P-5", "P-4", "P-3", "P-6"]
    assert cells.column.unique().tolist() == list(view.COLUMNS)
    schedule = cells[(cells.column == "Schedule") & (cells.code == "P-1")].iloc[0]
    assert (schedule.rag, schedule.status) == ("R", "Red")
    assert "30 days after the baseline finish" in schedule.why
    by_department = view.dimension_cells(portfolio(), "department")
    assert by_department.drop_duplicates("code").group.tolist()[:3] == ["IT", "IT", "IT"]


def test_dimension_heatmap_draws_the_cells_it_is_given():
    cells = view.dimension_cells(portfolio(), "program")
    chart = dimension_heatmap(cells, group_title="Program", title="Health")
    pd.testing.assert_frame_equal(chart.data, cells)
    spec = chart.to_dict()
    assert spec["facet"]["row"]["field"] == "group"
    rect, text = spec["spec"]["layer"]
    assert rect["mark"]["type"] == "rect" and text["mark"]["type"] == "text"
    assert text["encoding"]["text"]["field"] == "text"
    assert rect["encoding"]["color"]["scale"] == RAG_SCALE.to_dict()
    assert rect["encoding"]["x"]["sort"] == list(view.COLUMNS)
    names = {p["name"] for p in spec.get("params", [])} | {
        p["name"] for layer in spec["spec"]["layer"] for p in layer.get("params", [])
    }
    assert set(PROJECT_SELECTIONS) <= names
    assert {t["field"] for t in rect["encoding"]["tooltip"]} >= {"why", "status", "label"}


def test_empty_charts_say_so_in_words():
    empty = view.dimension_cells(portfolio().iloc[0:0], "program")
    chart = dimension_heatmap(empty, group_title="Program", title="Health")
    assert chart.data.message.tolist() == ["No project matches the filters."]
    chart = weekly_heatmap(pd.DataFrame(columns=view.WEEKLY_COLUMNS), title="T", row_title="P")
    assert "No status report" in chart.data.message.item()


# --- heatmap 2 ----------------------------------------------------------------------------


def weekly_table(projects: pd.DataFrame) -> pd.DataFrame:
    """Two weeks of snapshots: the first week all Green, the second each project's letter."""
    ids = projects.id.tolist()
    second = projects.overall_rag.tolist()
    return pd.DataFrame(
        {
            "project_id": ids * 2,
            "week_end": [D(2026, 11, 15)] * len(ids) + [D(2026, 11, 22)] * len(ids),
            "report_date": [D(2026, 11, 13)] * len(ids) + [D(2026, 11, 20)] * len(ids),
            "rag": ["G"] * len(ids) + second,
        }
    )


def test_weekly_group_cells_count_the_worst_letter():
    projects = portfolio()
    cells = view.weekly_group_cells(weekly_table(projects), projects, "program")
    last = cells[cells.week == "2026-W47"].set_index("label")
    # Core: R, A, G; Other: R (stale red), A, C: both have one Red; Core is bigger first.
    assert last.text.to_dict() == {"Core": "R1", "Other": "R1"}
    assert last.detail["Other"] == "Red 1 · Amber 1 · Completed 1 (3 projects)"
    first = cells[cells.week == "2026-W46"].set_index("label")
    assert first.text.to_dict() == {"Core": "G3", "Other": "G3"}
    assert cells.row_order.tolist() == [0, 0, 1, 1]
    chart = weekly_heatmap(cells, title="T", row_title="Program")
    assert chart.to_dict()["layer"][0]["encoding"]["x"]["sort"] == ["W46", "W47"]


def test_weekly_project_cells_follow_the_given_order():
    projects = portfolio().iloc[[3, 0]]
    cells = view.weekly_project_cells(weekly_table(portfolio()), projects)
    assert cells.label.unique().tolist() == ["P-4 Stale red", "P-1 Red one"]
    assert cells.text.tolist() == ["G", "R", "G", "R"]
    assert cells.detail.tolist()[0] == "Reported on 13 Nov 2026"


# --- heatmap 3 ----------------------------------------------------------------------------


def test_concentration_cells_count_and_worst():
    cells = view.concentration_cells(portfolio())
    got = {(r.department, r.phase): r.text for r in cells.itertuples()}
    assert got == {
        ("IT", "Execution"): "R 1 of 2",
        ("IT", "Planning"): "A 1 of 1",
        ("Finance", "Execution"): "R 1 of 1",
        ("Finance", "Planning"): "G 1 of 1",
        ("Finance", "Closed"): "C 1 of 1",
    }
    it = cells[(cells.department == "IT") & (cells.phase == "Execution")].iloc[0]
    assert it.detail == "Red 1 · Amber 1 (2 projects)"
    assert cells[cells.phase == "Closed"].detail.item() == "Completed 1 (1 project)"
    # Phases in lifecycle order, departments worst first.
    finance = cells[cells.department == "Finance"]
    assert finance.phase.tolist() == ["Planning", "Execution", "Closed"]
    chart = concentration_heatmap(cells, rows="department", columns="phase", title="T")
    assert chart.to_dict()["layer"][0]["encoding"]["x"]["sort"] == [
        "Planning",
        "Execution",
        "Closed",
    ]
    pd.testing.assert_frame_equal(chart.data, cells)


def test_paging():
    df = pd.DataFrame({"n": range(120)})
    assert view.page_count(120, 50) == 3 and view.page_count(0, 50) == 1
    assert view.page_of(df, 3, 50).n.tolist() == list(range(100, 120))


# --- project page -------------------------------------------------------------------------


def milestones() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["Done late", "Overdue", "Slipped", "On plan"],
            "baseline_date": [D(2026, 9, 1), D(2026, 11, 1), D(2026, 12, 1), D(2027, 1, 10)],
            "forecast_date": [D(2026, 9, 1), D(2026, 11, 20), D(2026, 12, 15), D(2027, 1, 5)],
            "actual_date": [D(2026, 9, 4), None, None, None],
            "is_key": [False, True, False, False],
            "forecast_changes": [0, 2, 1, 1],
        }
    )


def test_milestone_states_and_timeline_input():
    ms = project_view.milestone_states(milestones(), TODAY)
    assert ms.state.tolist() == ["Done", "Overdue", "Slipped", "On plan"]
    assert ms.slip_days.tolist() == [3, 19, 14, -5]
    assert ms.due.tolist() == [D(2026, 9, 4), D(2026, 11, 20), D(2026, 12, 15), D(2027, 1, 5)]
    chart = milestone_timeline(ms, TODAY, title="Milestones")
    assert chart.layer[0].data.label.tolist() == [
        "Done late",
        "Overdue (key)",
        "Slipped",
        "On plan",
    ]


def test_a_long_plan_shows_the_next_open_milestones():
    many = pd.concat([milestones()] * 10, ignore_index=True)
    ms = project_view.milestone_states(many, TODAY)
    shown = project_view.timeline_rows(ms, TODAY)
    assert len(shown) == project_view.MAX_MILESTONES
    assert (shown.state != "Done").sum() == 25  # all 30 open ones come first, capped at 25
    assert shown.index.is_monotonic_increasing


def test_cost_series():
    reports = pd.DataFrame(
        {
            "report_date": [D(2026, 11, 13), D(2026, 11, 20)],
            "cost_to_date": [40_000, 45_000],
            "forecast_at_completion": [100_000, 104_000],
        }
    )
    series = project_view.cost_series(reports, 100_000)
    wide = series.pivot(index="report_date", columns="series", values="value")
    assert wide["Actual cost to date"].tolist() == [40_000, 45_000]
    assert wide["Forecast at completion"].tolist() == [100_000, 104_000]
    assert wide["Approved budget"].tolist() == [100_000, 100_000]
    chart = cost_chart(series, currency="EUR", title="Cost")
    assert chart.to_dict()["encoding"]["y"]["title"] == "EUR"
    assert (
        "No status report"
        in cost_chart(series.iloc[0:0], currency="EUR", title="C").data.message.item()
    )


@pytest.mark.parametrize(
    ("score", "band"),
    [(4, "Low"), (5, "Medium"), (9, "Medium"), (10, "High"), (14, "High"), (15, "Critical")],
)
def test_risk_bands_at_their_edges(score, band):
    bands = project_view.risk_bands(pd.Series([score]), DEFAULT_SETTINGS)
    assert bands.tolist() == [band]


def test_week_span_names_the_years_the_week_axis_leaves_out():
    cells = pd.DataFrame({"week": ["2026-W52", "2027-W02", "2026-W53", "2027-W01"]})
    assert view.week_span(cells) == " (2026-W52 to 2027-W02)"
    assert view.week_span(cells.head(0)) == ""
