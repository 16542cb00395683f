"""Money on hand-made cost histories: EAC variance, EV, CPI, SPI, roll-ups and spend over time
(SQL on SQLite and PostgreSQL), and the cost dimension of health using the same formulas."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from data_access.core.settings import DEFAULT_SETTINGS
from data_access.portfolio.reads import project_facts
from data_access.resources import money
from domain import earned_value as ev
from domain.health import compute_health
from tests.factories import make_org, make_project, make_report

D = dt.date
FRIDAYS = [D(2026, 7, 3), D(2026, 7, 10), D(2026, 7, 17), D(2026, 7, 24)]


def _projects(**columns) -> pd.DataFrame:
    base = {
        "code": ["A", "B", "C"],
        "program": ["Core", "Core", "Other"],
        "department": ["IT", "IT", "IT"],
        "approved_budget": [100_000.0, 0.0, 50_000.0],
        "actual_cost": [60_000.0, 5_000.0, 0.0],
        "forecast_at_completion": [110_000.0, 8_000.0, 45_000.0],
        "percent_complete": [50.0, 10.0, 0.0],
        "planned_value": [55_000.0, None, None],
    }
    return pd.DataFrame({**base, **columns})


def test_project_money_formulas():
    m = ev.project_money(_projects()).set_index("code")
    a = m.loc["A"]
    assert (a.variance, a.variance_pct) == (10_000, 10)
    assert a.ev == 50_000
    assert math.isclose(a.cpi, 50_000 / 60_000) and math.isclose(a.spi, 50_000 / 55_000)
    b = m.loc["B"]  # no budget: no variance %, no earned value, so no CPI
    assert b.variance == 8_000 and math.isnan(b.variance_pct) and math.isnan(b.cpi)
    c = m.loc["C"]  # no cost yet and no planned value: neither index
    assert c.variance_pct == -10 and math.isnan(c.cpi) and math.isnan(c.spi)


def test_rollup_uses_sums_not_averages():
    m = ev.project_money(_projects())
    core = ev.rollup(m, "program").set_index("program").loc["Core"]
    assert (core.projects, core.bac, core.ac, core.eac) == (2, 100_000, 65_000, 118_000)
    assert core.variance == 18_000 and core.variance_pct == 18
    assert math.isclose(core.cpi, 50_000 / 65_000)  # B's cost without progress counts
    assert math.isclose(core.spi, 50_000 / 55_000)  # only A has a planned value
    whole = ev.total(m)
    assert whole["bac"] == 150_000 and whole["eac"] == 163_000
    assert math.isclose(whole["variance_pct"], 13_000 / 150_000 * 100)


def test_plan_curves():
    x = np.array([-0.5, 0, 0.25, 0.5, 1, 2])
    assert ev.plan_fraction(x).tolist() == [0, 0, 0.25, 0.5, 1, 1]
    assert ev.plan_fraction(x, "S-curve").tolist() == [0, 0, 0.15625, 0.5, 1, 1]
    plan = pd.DataFrame(
        {
            "approved_budget": [100_000.0, 36_400.0],
            "baseline_start": [D(2026, 1, 1), D(2026, 7, 1)],
            "baseline_finish": [D(2026, 12, 31), D(2026, 7, 1) + dt.timedelta(days=364)],
        }
    )
    spent = ev.planned_spend(plan, [D(2026, 1, 1), D(2026, 7, 2), D(2027, 6, 1)])
    assert spent.round(2).tolist() == [0, 50_000 + 36_400 / 364, 100_000 + 33_500]
    with pytest.raises(ValueError):
        ev.plan_fraction(x, "zigzag")


def test_health_cost_dimension_uses_the_same_formulas(db_url):
    org = make_org(db_url)
    over = make_project(db_url, org, "OVER", forecast_at_completion=110_500.0, actual_cost=50_000.0)
    slow = make_project(db_url, org, "SLOW", actual_cost=60_000.0, percent_complete=50.0)
    for project in (over, slow):
        make_report(db_url, project, D(2026, 6, 26))
    facts = project_facts(D(2026, 7, 1), url=db_url)
    health = compute_health(facts, DEFAULT_SETTINGS, D(2026, 7, 1)).set_index("id")
    m = ev.project_money(facts).set_index("id")
    assert health.loc[over, "eac_over_pct"] == round(m.loc[over, "variance_pct"], 1) == 10.5
    assert health.loc[over, "cost_rag"] == "R"
    assert health.loc[slow, "cpi"] == pytest.approx(m.loc[slow, "cpi"])
    assert round(health.loc[slow, "cpi"], 2) == 0.83
    assert health.loc[slow, "cost_rag"] == "R" and "CPI 0.83" in health.loc[slow, "cost_why"]
    assert health.loc[slow, "earned_value"] == m.loc[slow, "ev"] == 50_000


@pytest.fixture
def histories(db_url):
    """X reports planned value (once left empty); Y never does and stops after two weeks."""
    org = make_org(db_url)
    x = make_project(db_url, org, "X", approved_budget=100_000.0)
    y = make_project(
        db_url,
        org,
        "Y",
        approved_budget=50_000.0,
        baseline_start=D(2026, 1, 1),
        baseline_finish=D(2026, 12, 31),
    )
    for day, ac, pct, pv in zip(
        FRIDAYS,
        [10_000, 25_000, 40_000, 50_000],
        [10, 20, 30, 45],
        [12_000, 24_000, None, 48_000],
        strict=True,
    ):
        make_report(db_url, x, day, cost_to_date=ac, percent_complete=pct, planned_value=pv)
    for day, ac, pct in zip(FRIDAYS[:2], [5_000, 10_000], [10, 20], strict=True):
        make_report(db_url, y, day, cost_to_date=ac, percent_complete=pct)
    return db_url, x, y


def test_spend_history_carries_stale_projects_and_empty_planned_values(histories):
    url, x, y = histories
    h = money.spend_history(url=url)
    assert h.report_date.tolist() == FRIDAYS
    assert h.ac.tolist() == [15_000, 35_000, 50_000, 60_000]
    assert h.ev.tolist() == [15_000, 30_000, 40_000, 55_000]
    assert h.pv.tolist() == [12_000, 24_000, 24_000, 48_000]
    assert h.projects.tolist() == [2, 2, 2, 2]
    assert h.projects_with_pv.tolist() == [1, 1, 1, 1]
    only_x = money.spend_history([x], url=url)
    assert only_x.ac.tolist() == [10_000, 25_000, 40_000, 50_000]
    assert money.spend_history([], url=url).empty


def test_spend_curve_plans_projects_without_planned_value(histories):
    url, x, y = histories
    h = money.spend_history(url=url)
    unplanned = money.projects_without_plan(url=url)
    assert unplanned.id.tolist() == [y]
    curve = ev.spend_curve(h, unplanned, "linear").pivot(
        index="report_date", columns="series", values="amount"
    )
    elapsed = np.array([(d - D(2026, 1, 1)).days for d in FRIDAYS]) / 364
    expected = np.array([12_000, 24_000, 24_000, 48_000]) + 50_000 * elapsed
    assert np.allclose(curve["Planned (PV)"], expected)
    assert curve["Actual cost (AC)"].tolist() == [15_000, 35_000, 50_000, 60_000]
    last = h.iloc[-1]  # the portfolio's indices on the last reporting day
    assert math.isclose(ev.cpi([last.ev], [last.ac])[0], 55_000 / 60_000)
    assert "1 project(s) without reported planned value" in ev.plan_sentence(1, 1, "linear")


def test_project_reports(histories):
    url, x, _ = histories
    r = money.project_reports(x, url=url)
    assert r.report_date.tolist() == FRIDAYS
    assert r.ev.tolist() == [10_000, 20_000, 30_000, 45_000]
    assert r.pv.isna().tolist() == [False, False, True, False]
    spi = ev.spi(r.ev, r.pv)
    assert math.isclose(spi.iloc[-1], 45_000 / 48_000) and math.isnan(spi.iloc[2])
