"""Health rules at and around every threshold of PMO_DOMAIN.md: the letter and the sentence.

Each project is one hand-made row of health inputs (the columns `project_facts` returns), so a
test states exactly the numbers it is about. Default project: 200-day plan (1 day = 0.5 %),
budget 100,000 spent in line with progress, last update 3 days ago, no risk, scope Green.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_access.core.settings import DEFAULT_SETTINGS
from domain.health import compute_health, fmt_near, health_counts, sort_worst_first

TODAY = dt.date(2026, 11, 25)
START = dt.date(2026, 1, 1)
FINISH = START + dt.timedelta(days=200)


def project(**overrides) -> dict:
    row = {
        "id": 1,
        "code": "P-1",
        "name": "Project",
        "status": "active",
        "baseline_start": START,
        "baseline_finish": FINISH,
        "forecast_finish": FINISH,
        "actual_finish": None,
        "approved_budget": 100_000.0,
        "actual_cost": 50_000.0,
        "forecast_at_completion": 100_000.0,
        "percent_complete": 50.0,
        "last_report_date": TODAY - dt.timedelta(days=3),
        "reported_scope_rag": "G",
        "reported_schedule_rag": "G",
        "reported_cost_rag": "G",
        "reported_risk_rag": "G",
        "override_rag": None,
        "override_reason": "",
        "report_author": "Pat Manager",
        "overdue_milestones": 0,
        "max_risk_score": 0,
        "high_risks": 0,
    }
    return {**row, **overrides}


def health(*rows: dict, settings: dict | None = None) -> pd.DataFrame:
    facts = pd.DataFrame([{**r, "id": i, "code": f"P-{i}"} for i, r in enumerate(rows, 1)])
    return compute_health(facts, settings or DEFAULT_SETTINGS, TODAY)


def one(settings: dict | None = None, **overrides) -> pd.Series:
    return health(project(**overrides), settings=settings).iloc[0]


def slipped(days: int, duration: int = 200) -> dict:
    finish = START + dt.timedelta(days=duration)
    return {"baseline_finish": finish, "forecast_finish": finish + dt.timedelta(days=days)}


# --- schedule: slip as % of the baseline duration, 5 % / 10 %, overdue milestones ---------


@pytest.mark.parametrize(
    ("days", "letter", "named"),
    [
        (-5, "G", "on or before the baseline finish"),
        (0, "G", "on or before the baseline finish"),
        (10, "G", "10 days after the baseline finish 20 Jul 2026: 5 % of the 200-day plan"),
        (11, "A", "11 days after the baseline finish 20 Jul 2026: 5.5 % of the 200-day plan"),
        (20, "A", "20 days after the baseline finish 20 Jul 2026: 10 % of the 200-day plan"),
        (21, "R", "21 days after the baseline finish 20 Jul 2026: 10.5 % of the 200-day plan"),
    ],
)
def test_schedule_slip_bands(days, letter, named):
    row = one(**slipped(days))
    assert row.schedule_rag == letter
    assert named in row.schedule_why
    assert "(Amber above 5 %, Red above 10 %)" in row.schedule_why


def test_schedule_slip_just_over_a_threshold_is_not_shown_as_the_threshold():
    # 125 days of a 2,480-day plan is 5.04 %: Amber, and the sentence must not say "5 %".
    row = one(**slipped(125, duration=2480))
    assert row.schedule_rag == "A"
    assert "5.04 % of the 2480-day plan" in row.schedule_why


@pytest.mark.parametrize(
    ("days", "overdue", "letter"),
    [(0, 1, "A"), (10, 2, "A"), (11, 1, "A"), (21, 1, "R"), (0, 0, "G")],
)
def test_an_overdue_milestone_makes_schedule_at_least_amber(days, overdue, letter):
    row = one(**slipped(days), overdue_milestones=overdue)
    assert row.schedule_rag == letter
    if overdue:
        assert f"{overdue} milestone{'s are' if overdue > 1 else ' is'} overdue" in (
            row.schedule_why
        )


def test_schedule_thresholds_follow_the_settings():
    settings = {**DEFAULT_SETTINGS, "schedule_amber_pct": 0.0, "schedule_red_pct": 20.0}
    assert one(settings, **slipped(1)).schedule_rag == "A"
    assert one(settings, **slipped(40)).schedule_rag == "A"
    assert one(settings, **slipped(41)).schedule_rag == "R"
    assert "(Amber above 0 %, Red above 20 %)" in one(settings, **slipped(1)).schedule_why


# --- cost: EAC over budget 5 % / 10 %, CPI 0.95 / 0.90 ------------------------------------


@pytest.mark.parametrize(
    ("eac", "letter", "named"),
    [
        (90_000, "G", "Forecast at completion 90,000 is 10 % under the approved budget 100,000"),
        (105_000, "G", "Forecast at completion 105,000 is 5 % over the approved budget 100,000"),
        (105_001, "A", "105,001 is 5.001 % over"),
        (110_000, "A", "110,000 is 10 % over"),
        (110_100, "R", "110,100 is 10.1 % over"),
    ],
)
def test_cost_eac_bands(eac, letter, named):
    # Cost to date in line with progress (CPI above 0.95) leaves the EAC rule alone.
    row = one(forecast_at_completion=eac, actual_cost=40_000.0)
    assert row.cost_rag == letter
    assert named in row.cost_why
    assert "(Amber above 5 %, Red above 10 %)" in row.cost_why


@pytest.mark.parametrize(
    ("percent", "actual", "letter", "named"),
    [
        (95.0, 100_000.0, "G", "CPI 0.95: earned value 95,000 for 100,000 spent"),
        (95.0, 100_001.0, "A", "CPI 0.94999: earned value 95,000 for 100,001 spent"),
        (90.0, 100_000.0, "A", "CPI 0.9: earned value 90,000 for 100,000 spent"),
        (90.0, 100_100.0, "R", "CPI 0.899: earned value 90,000 for 100,100 spent"),
        (60.0, 50_000.0, "G", "CPI 1.2: earned value 60,000 for 50,000 spent"),
    ],
)
def test_cost_cpi_bands(percent, actual, letter, named):
    row = one(percent_complete=percent, actual_cost=actual)
    assert row.cost_rag == letter
    assert named in row.cost_why
    assert "(Amber below 0.95, Red below 0.9)" in row.cost_why


def test_cost_takes_the_worse_of_eac_and_cpi():
    row = one(forecast_at_completion=106_000.0, percent_complete=90.0, actual_cost=100_100.0)
    assert row.cost_rag == "R"  # EAC alone would be Amber, CPI 0.899 is Red
    row = one(forecast_at_completion=111_000.0, percent_complete=60.0, actual_cost=50_000.0)
    assert row.cost_rag == "R"  # CPI 1.2 is Green, EAC 11 % over is Red


def test_cost_without_budget_or_spend_says_so():
    row = one(approved_budget=0.0, forecast_at_completion=50_000.0)
    assert row.cost_rag == "G"
    assert "No approved budget" in row.cost_why
    row = one(actual_cost=0.0)
    assert "No CPI yet" in row.cost_why


# --- risk: highest open threat score against the bands 10 / 15 ---------------------------


@pytest.mark.parametrize(
    ("score", "high", "letter"),
    [(0, 0, "G"), (9, 0, "G"), (10, 1, "A"), (14, 2, "A"), (15, 3, "R"), (25, 1, "R")],
)
def test_risk_bands(score, high, letter):
    row = one(max_risk_score=score, high_risks=high)
    assert row.risk_rag == letter
    if score:
        assert row.risk_why.startswith(
            f"Highest open risk score {score} (Amber from 10: High, Red from 15: Critical)"
        )
        assert f"{high} open risk{'s' if high != 1 else ''} scored 10 or more" in row.risk_why
    else:
        assert row.risk_why == "No open threats."


def test_risk_follows_the_band_settings():
    settings = {**DEFAULT_SETTINGS, "band_high_from": 12, "band_critical_from": 20}
    assert one(settings, max_risk_score=10).risk_rag == "G"
    assert one(settings, max_risk_score=12).risk_rag == "A"
    assert one(settings, max_risk_score=19).risk_rag == "A"
    assert one(settings, max_risk_score=20).risk_rag == "R"


# --- scope: as the PM reported ------------------------------------------------------------


def test_scope_is_the_pm_s_word():
    row = one(reported_scope_rag="A", last_report_date=dt.date(2026, 11, 20))
    assert row.scope_rag == "A"
    assert row.scope_why == "Reported Amber by the project manager on 20 Nov 2026."
    row = one(reported_scope_rag=None, last_report_date=None)
    assert row.scope_rag == "G"
    assert row.scope_why == "No status update has reported scope yet."


# --- overall: worst-of, override with reason, stale, completed ----------------------------


def test_overall_is_the_worst_dimension_and_names_it():
    row = one(**slipped(11), max_risk_score=16, high_risks=1)
    assert (row.schedule_rag, row.risk_rag, row.overall_rag) == ("A", "R", "R")
    assert row.overall_why.startswith("Risk is Red: overall is the worst of the dimensions")
    assert "(schedule A, cost G, scope G, risk R)" in row.overall_why
    assert not row.is_override
    both = one(**slipped(11), reported_scope_rag="A")
    assert both.overall_why.startswith("Schedule and Scope are Amber")


def test_override_with_a_reason_wins_and_is_marked():
    row = one(
        override_rag="R",
        override_reason="Sponsor escalation pending",
        last_report_date=dt.date(2026, 11, 20),
    )
    assert row.computed_rag == "G"
    assert row.overall_rag == "R"
    assert row.is_override
    assert row.overall_why.startswith(
        "Override: set to Red by Pat Manager on 20 Nov 2026 because: Sponsor escalation pending"
    )
    assert "computed Green" in row.overall_why


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_override_without_a_reason_is_ignored_and_says_so(reason):
    row = one(override_rag="R", override_reason=reason, **slipped(11))
    assert row.overall_rag == "A"
    assert not row.is_override
    assert "An override without a reason was ignored." in row.overall_why


@pytest.mark.parametrize(
    ("age", "stale"), [(0, False), (13, False), (14, True), (40, True), (None, True)]
)
def test_no_update_for_14_days_is_stale_never_green(age, stale):
    last = None if age is None else TODAY - dt.timedelta(days=age)
    row = one(last_report_date=last, reported_scope_rag=None if age is None else "G")
    assert row.is_stale == stale
    assert row.overall_rag == ("S" if stale else "G")
    if age is None:
        assert "Stale: no status update yet (stale from 14 days)." in row.overall_why
    elif stale:
        assert f"Stale: no status update for {age} days, since {last:%d %b %Y}" in (row.overall_why)


def test_a_stale_red_project_stays_red_and_is_flagged():
    row = one(last_report_date=TODAY - dt.timedelta(days=30), **slipped(30))
    assert (row.overall_rag, row.is_stale) == ("R", True)
    assert "Stale: no status update for 30 days" in row.overall_why


def test_a_green_override_does_not_hide_staleness():
    row = one(
        override_rag="G",
        override_reason="All fine",
        last_report_date=TODAY - dt.timedelta(days=20),
        **slipped(30),
    )
    assert row.overall_rag == "S"


def test_stale_days_follow_the_settings():
    settings = {**DEFAULT_SETTINGS, "stale_days": 7}
    assert one(settings, last_report_date=TODAY - dt.timedelta(days=6)).overall_rag == "G"
    assert one(settings, last_report_date=TODAY - dt.timedelta(days=7)).overall_rag == "S"


@pytest.mark.parametrize("status", ["proposed", "cancelled", "completed"])
def test_projects_not_expected_to_report_are_not_stale(status):
    row = one(status=status, last_report_date=None)
    assert not row.is_stale


def test_completed_project_is_c_whatever_its_dimensions():
    row = one(status="completed", actual_finish=dt.date(2026, 10, 2), **slipped(40))
    assert row.overall_rag == "C"
    assert row.overall_why == "Project completed on 02 Oct 2026."


# --- ordering and counts ------------------------------------------------------------------


def sized(budget: float) -> dict:
    return {"approved_budget": budget, "forecast_at_completion": budget, "actual_cost": budget / 2}


def test_worst_first_then_biggest_budget():
    table = health(
        project(**sized(10.0)),
        project(**slipped(30), **sized(5.0)),
        project(**slipped(11), **sized(50.0)),
        project(last_report_date=None, **sized(500.0)),
        project(**slipped(12), **sized(80.0)),
        project(status="completed"),
    )
    ordered = sort_worst_first(table)
    assert ordered.overall_rag.tolist() == ["R", "A", "A", "S", "G", "C"]
    assert ordered.approved_budget.tolist()[1:3] == [80.0, 50.0]
    assert health_counts(table) == {"R": 1, "A": 2, "S": 1, "G": 1, "C": 1}


def test_empty_input_gives_the_columns():
    empty = compute_health(pd.DataFrame(columns=list(project())), DEFAULT_SETTINGS, TODAY)
    assert {"overall_rag", "overall_why", "is_stale", "health_rank"} <= set(empty.columns)


@pytest.mark.parametrize(
    ("value", "edges", "decimals", "shown"),
    [
        (5.0, (5, 10), 1, "5"),
        (5.04, (5, 10), 1, "5.04"),
        (9.96, (5, 10), 1, "9.96"),
        (7.25, (5, 10), 1, "7.2"),
        (0.949, (0.95, 0.9), 2, "0.949"),
        (1234.5, (5, 10), 1, "1,234.5"),
    ],
)
def test_fmt_near_keeps_values_on_their_side_of_a_threshold(value, edges, decimals, shown):
    assert fmt_near(value, edges, decimals) == shown
