"""Intake reads: drivers, proposals and their parts, reviewers' mean scores, the capacity left
per skill and department per quarter, saved scenarios, and benefits planned vs realised.
Every function returns a DataFrame or plain values and aggregates in SQL."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
import sqlalchemy as sa

from data_access.core.db import read_df
from data_access.core.sql import as_dates, latest_rows_cte

WEEKS_PER_QUARTER = 13


def drivers(url: str | None = None) -> pd.DataFrame:
    return read_df(
        "SELECT id, name, description, weight, active, version FROM strategic_driver ORDER BY id",
        url=url,
    )


def judgements(url: str | None = None) -> dict[tuple[int, int], float]:
    """The AHP comparisons the weights came from: {(first_id, second_id): value}, first < second."""
    df = read_df("SELECT first_id, second_id, value FROM driver_judgement", url=url)
    return {(int(r.first_id), int(r.second_id)): float(r.value) for r in df.itertuples()}


def proposals(url: str | None = None) -> pd.DataFrame:
    """Every proposal with its people's and organisation's names and its total cost."""
    df = read_df(
        """
        WITH cost AS (
            SELECT proposal_id, SUM(amount) AS total_cost FROM proposal_cost GROUP BY proposal_id
        )
        SELECT p.id, p.code, p.title, p.status, p.risk_level, p.start_date, p.duration_months,
               p.problem, p.sponsor_id, sp.name AS sponsor, p.department_id, d.name AS department,
               p.program_id, pg.name AS program, p.submitted_by_id, sb.name AS submitted_by,
               COALESCE(c.total_cost, 0) AS total_cost, p.project_id, pr.code AS project_code,
               p.version, p.updated_at
        FROM proposal p
        JOIN department d ON d.id = p.department_id
        JOIN program pg ON pg.id = p.program_id
        LEFT JOIN person sp ON sp.id = p.sponsor_id
        LEFT JOIN person sb ON sb.id = p.submitted_by_id
        LEFT JOIN project pr ON pr.id = p.project_id
        LEFT JOIN cost c ON c.proposal_id = p.id
        ORDER BY p.code
        """,
        url=url,
    )
    return as_dates(df, ["start_date"])


def proposal_parts(proposal_id: int, url: str | None = None) -> dict[str, Any]:
    """A proposal's costs per year, people needed, drivers served and benefits, for its form."""
    params = {"p": proposal_id}
    costs = read_df(
        "SELECT year, amount FROM proposal_cost WHERE proposal_id = :p ORDER BY year", params, url
    )
    needs = read_df(
        "SELECT pool_kind, pool, period, hours FROM proposal_need WHERE proposal_id = :p "
        "ORDER BY period, pool_kind, pool",
        params,
        url,
    )
    drivers_served = read_df(
        "SELECT driver_id FROM proposal_driver WHERE proposal_id = :p ORDER BY driver_id",
        params,
        url,
    )
    benefits = read_df(
        "SELECT id, kind, measure, baseline, target, by_when, driver_id FROM benefit "
        "WHERE proposal_id = :p ORDER BY id",
        params,
        url,
    )
    return {
        "costs": {int(r.year): float(r.amount) for r in costs.itertuples()},
        "needs": needs.to_dict("records"),
        "driver_ids": [int(d) for d in drivers_served["driver_id"]],
        "benefits": as_dates(benefits, ["by_when"]).to_dict("records"),
    }


def mean_scores(url: str | None = None) -> pd.DataFrame:
    """Per proposal and driver: the reviewers' mean score (0-4) and how many scored it."""
    return read_df(
        """
        SELECT s.proposal_id, d.name AS driver, AVG(CAST(s.score AS FLOAT)) AS score,
               COUNT(*) AS reviewers
        FROM proposal_score s JOIN strategic_driver d ON d.id = s.driver_id
        GROUP BY s.proposal_id, d.name
        """,
        url=url,
    )


def my_scores(proposal_id: int, reviewer_id: int, url: str | None = None) -> dict[int, int]:
    df = read_df(
        "SELECT driver_id, score FROM proposal_score WHERE proposal_id = :p AND reviewer_id = :r",
        {"p": proposal_id, "r": reviewer_id},
        url,
    )
    return {int(r.driver_id): int(r.score) for r in df.itertuples()}


def costs(url: str | None = None) -> pd.DataFrame:
    """Every proposal's cost per year (proposal_id, year, amount)."""
    return read_df("SELECT proposal_id, year, amount FROM proposal_cost", url=url)


def needs(url: str | None = None) -> pd.DataFrame:
    """Every proposal's people needed (proposal_id, pool_kind, pool, period, hours)."""
    return read_df("SELECT proposal_id, pool_kind, pool, period, hours FROM proposal_need", url=url)


def quarters(first_year: int, last_year: int) -> list[tuple[str, dt.date, dt.date]]:
    """("2027-Q1", first day, last day) for every quarter of the years."""
    out = []
    for year in range(first_year, last_year + 1):
        for q in range(4):
            start = dt.date(year, 3 * q + 1, 1)
            end = dt.date(year + (q == 3), (3 * q + 3) % 12 + 1, 1) - dt.timedelta(days=1)
            out.append((f"{year}-Q{q + 1}", start, end))
    return out


def pool_capacity(first_year: int, last_year: int, url: str | None = None) -> pd.DataFrame:
    """Hours per skill and per department per quarter: what active people offer (weekly hours
    x 13 weeks), what running projects already hold (allocations), and what is left."""
    people = read_df(
        """
        SELECT 'skill' AS pool_kind, skill AS pool, SUM(weekly_capacity_hours) AS weekly
        FROM person WHERE active AND skill <> '' GROUP BY skill
        UNION ALL
        SELECT 'department', d.name, SUM(p.weekly_capacity_hours)
        FROM person p JOIN department d ON d.id = p.department_id
        WHERE p.active GROUP BY d.name
        """,
        url=url,
    )
    first, last = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
    held = read_df(
        """
        SELECT 'skill' AS pool_kind, p.skill AS pool, a.start_date, a.end_date,
               SUM(a.hours_per_week) AS weekly
        FROM allocation a JOIN person p ON p.id = a.person_id
        WHERE p.active AND p.skill <> '' AND a.end_date >= :first AND a.start_date <= :last
        GROUP BY p.skill, a.start_date, a.end_date
        UNION ALL
        SELECT 'department', d.name, a.start_date, a.end_date, SUM(a.hours_per_week)
        FROM allocation a JOIN person p ON p.id = a.person_id
        JOIN department d ON d.id = p.department_id
        WHERE p.active AND a.end_date >= :first AND a.start_date <= :last
        GROUP BY d.name, a.start_date, a.end_date
        """,
        {"first": first, "last": last},
        url,
    )
    held = as_dates(held, ["start_date", "end_date"])
    rows = []
    for period, start, end in quarters(first_year, last_year):
        overlap_days = (
            held["end_date"].map(lambda e, end=end: min(e, end))
            - held["start_date"].map(lambda s, start=start: max(s, start))
        ).map(lambda d: max(d.days + 1, 0) if hasattr(d, "days") else 0)
        booked = (
            (held["weekly"] * overlap_days / 7).groupby([held["pool_kind"], held["pool"]]).sum()
        )
        for r in people.itertuples():
            offer = float(r.weekly) * WEEKS_PER_QUARTER
            taken = float(booked.get((r.pool_kind, r.pool), 0.0)) if len(held) else 0.0
            rows.append((r.pool_kind, r.pool, period, offer, taken, max(offer - taken, 0.0)))
    return pd.DataFrame(
        rows, columns=["pool_kind", "pool", "period", "capacity", "allocated", "available"]
    )


def scenarios(url: str | None = None) -> pd.DataFrame:
    df = read_df(
        """
        SELECT s.id, s.name, s.notes, s.budget, s.value, s.cost, s.status, s.approved_on,
               s.version, s.created_at, p.name AS created_by,
               (SELECT COUNT(*) FROM scenario_item i
                WHERE i.scenario_id = s.id AND i.included) AS chosen
        FROM selection_scenario s LEFT JOIN person p ON p.id = s.created_by_id
        ORDER BY s.id
        """,
        url=url,
    )
    # SQLite hands JSON back as text, PostgreSQL as a dict.
    df["budget"] = [json.loads(b) if isinstance(b, str) else b for b in df.budget]
    return as_dates(df, ["approved_on"])


def scenario_items(scenario_ids: list[int], url: str | None = None) -> pd.DataFrame:
    """The proposals of the scenarios: in or out, forced, priority then, cost now."""
    if not scenario_ids:
        return pd.DataFrame(
            columns=[
                "scenario_id",
                "proposal_id",
                "code",
                "title",
                "included",
                "forced",
                "priority",
                "total_cost",
            ]
        )
    statement = sa.text(
        """
        WITH cost AS (
            SELECT proposal_id, SUM(amount) AS total_cost FROM proposal_cost GROUP BY proposal_id
        )
        SELECT i.scenario_id, i.proposal_id, p.code, p.title, i.included, i.forced, i.priority,
               COALESCE(c.total_cost, 0) AS total_cost
        FROM scenario_item i JOIN proposal p ON p.id = i.proposal_id
        LEFT JOIN cost c ON c.proposal_id = i.proposal_id
        WHERE i.scenario_id IN :ids
        ORDER BY i.scenario_id, p.code
        """
    ).bindparams(sa.bindparam("ids", expanding=True))
    df = read_df(statement, {"ids": list(scenario_ids)}, url)
    df["included"] = df["included"].astype(bool)
    return df


def scenario_use(scenario_ids: list[int], url: str | None = None) -> pd.DataFrame:
    """Hours needed per pool and quarter by what each scenario selected (its heatmap)."""
    if not scenario_ids:
        return pd.DataFrame(columns=["scenario_id", "pool_kind", "pool", "period", "hours"])
    statement = sa.text(
        """
        SELECT i.scenario_id, n.pool_kind, n.pool, n.period, SUM(n.hours) AS hours
        FROM scenario_item i JOIN proposal_need n ON n.proposal_id = i.proposal_id
        WHERE i.included AND i.scenario_id IN :ids
        GROUP BY i.scenario_id, n.pool_kind, n.pool, n.period
        """
    ).bindparams(sa.bindparam("ids", expanding=True))
    return read_df(statement, {"ids": list(scenario_ids)}, url)


def benefits(day: dt.date, url: str | None = None) -> pd.DataFrame:
    """Every benefit of an approved project, its driver and program, and the latest value
    realised on or before `day` (None until measured)."""
    df = read_df(
        f"""
        WITH {latest_rows_cte("last", "benefit_measurement", "benefit_id", "measured_on", ":day")}
        SELECT b.id, b.kind, b.measure, b.baseline, b.target, b.by_when, b.project_id,
               pr.code AS project_code, pr.name AS project, pr.status AS project_status,
               pg.name AS program, COALESCE(d.name, 'No driver') AS driver,
               m.value AS realised, m.measured_on
        FROM benefit b
        JOIN project pr ON pr.id = b.project_id
        JOIN program pg ON pg.id = pr.program_id
        LEFT JOIN strategic_driver d ON d.id = b.driver_id
        LEFT JOIN last l ON l.benefit_id = b.id
        LEFT JOIN benefit_measurement m ON m.id = l.id
        ORDER BY pr.code, b.id
        """,
        {"day": day},
        url,
    )
    return as_dates(df, ["by_when", "measured_on"])


def measurements(benefit_id: int, url: str | None = None) -> pd.DataFrame:
    df = read_df(
        "SELECT m.measured_on, m.value, m.note, p.name AS recorded_by FROM benefit_measurement m "
        "LEFT JOIN person p ON p.id = m.recorded_by_id WHERE m.benefit_id = :b "
        "ORDER BY m.measured_on, m.id",
        {"b": benefit_id},
        url,
    )
    return as_dates(df, ["measured_on"])


def proposal_history(proposal_id: int, url: str | None = None) -> pd.DataFrame:
    """Who did what to a proposal, newest first (its audit rows)."""
    return read_df(
        "SELECT at, actor_name, action, entity, before, after FROM audit_log "
        "WHERE entity IN ('proposal', 'proposal_parts') AND entity_id = :p ORDER BY id DESC",
        {"p": proposal_id},
        url,
    )
