"""Cached reads of the intake page, keyed by the data version and plain values, and the
candidates, selection and frontier built from them."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from components.common import data
from components.common.cache import data_cache
from data_access.intake import reads
from domain import intake

# Proposals the selection chooses among: submitted and not yet decided.
SELECTABLE = ("submitted", "under review", "deferred")


def pool_label(kind: str, pool: str) -> str:
    """Skills by name, departments marked, so a skill and a department never share a row."""
    return pool if kind == "skill" else f"{pool} (department)"


@data_cache(max_entries=4)
def drivers(version: data.Version) -> pd.DataFrame:
    return reads.drivers(version[0])


@data_cache(max_entries=4)
def judgements(version: data.Version) -> dict[tuple[int, int], float]:
    return reads.judgements(version[0])


def weights(version: data.Version) -> dict[str, float]:
    """Weights of the active drivers by name, summing to 1."""
    df = drivers(version)
    active = df[df.active.astype(bool)]
    return intake.normalised(dict(zip(active.name, active.weight.astype(float), strict=True)))


@data_cache(max_entries=4)
def ranked(version: data.Version) -> pd.DataFrame:
    """Every proposal with its priority (0-100) and the explanation, best first."""
    df = reads.proposals(version[0])
    scores = reads.mean_scores(version[0])
    by_proposal = {
        pid: dict(zip(group.driver, ([s] for s in group.score), strict=True))
        for pid, group in scores.groupby("proposal_id")
    }
    w = weights(version)
    results = [intake.priority(w, by_proposal.get(pid, {})) for pid in df.id]
    df = df.assign(
        priority=[r.score for r in results],
        explanation=[r.explanation() for r in results],
        scored=[bool(r.driver_scores) for r in results],
    )
    return df.sort_values(["priority", "code"], ascending=[False, True]).reset_index(drop=True)


@data_cache(max_entries=4)
def capacity(version: data.Version, first_year: int, last_year: int) -> pd.DataFrame:
    return reads.pool_capacity(first_year, last_year, version[0]).assign(
        label=lambda d: [pool_label(k, p) for k, p in zip(d.pool_kind, d.pool, strict=True)]
    )


@data_cache(max_entries=4)
def candidates(version: data.Version, first_year: int, last_year: int) -> list[intake.Candidate]:
    """The selectable proposals with their priority, cost per year of the planning period
    (a cost outside it does not count against its budgets) and needs per pool and quarter."""
    df = ranked(version)
    df = df[df.status.isin(SELECTABLE)]
    costs = reads.costs(version[0])
    costs = costs[costs.year.between(first_year, last_year)]
    needs = reads.needs(version[0])
    cost_of = {
        pid: dict(zip(g.year.astype(int), g.amount.astype(float), strict=True))
        for pid, g in costs.groupby("proposal_id")
    }
    need_of = {
        pid: {
            (pool_label(k, p), q): float(h)
            for k, p, q, h in zip(g.pool_kind, g.pool, g.period, g.hours, strict=True)
        }
        for pid, g in needs.groupby("proposal_id")
    }
    return [
        intake.Candidate(code, float(value), cost_of.get(pid, {}), need_of.get(pid, {}))
        for pid, code, value in zip(df.id, df.code, df.priority, strict=True)
    ]


def capacity_limits(version: data.Version, first_year: int, last_year: int) -> dict:
    cap = capacity(version, first_year, last_year)
    return {(r.label, r.period): float(r.available) for r in cap.itertuples()}


@data_cache(max_entries=16, spinner="Selecting…")
def selection(
    version: data.Version,
    years: tuple[int, int],
    budget: tuple[tuple[int, float], ...],
    with_capacity: bool,
    force_in: tuple[str, ...],
    force_out: tuple[str, ...],
) -> tuple[intake.Selection, intake.ForcingCost | None]:
    pool = candidates(version, *years)
    limits = capacity_limits(version, *years) if with_capacity else {}
    chosen = intake.select(pool, dict(budget), limits, force_in, force_out)
    cost = (
        intake.forcing_cost(pool, dict(budget), limits, force_in, force_out, forced=chosen)
        if chosen.feasible and (force_in or force_out)
        else None
    )
    return chosen, cost


@data_cache(max_entries=16, spinner="Drawing the frontier…")
def frontier(
    version: data.Version,
    years: tuple[int, int],
    with_capacity: bool,
    force_in: tuple[str, ...],
    force_out: tuple[str, ...],
) -> pd.DataFrame:
    pool = candidates(version, *years)
    limits = capacity_limits(version, *years) if with_capacity else {}
    points = intake.frontier(pool, limits, force_in, force_out)
    return pd.DataFrame(points, columns=["budget", "value", "cost"])


@data_cache(max_entries=4)
def scenarios(version: data.Version) -> pd.DataFrame:
    return reads.scenarios(version[0])


@data_cache(max_entries=8)
def scenario_items(version: data.Version, ids: tuple[int, ...]) -> pd.DataFrame:
    return reads.scenario_items(list(ids), version[0])


@data_cache(max_entries=8)
def scenario_use(
    version: data.Version, ids: tuple[int, ...], first_year: int, last_year: int
) -> pd.DataFrame:
    """Hours each scenario needs per pool and quarter beside the hours free there."""
    use = reads.scenario_use(list(ids), version[0])
    if use.empty:
        return pd.DataFrame(columns=["scenario", "pool", "period", "hours", "available"])
    names = scenarios(version).set_index("id").name
    free = capacity(version, first_year, last_year)
    use = use.assign(
        scenario=use.scenario_id.map(names),
        pool=[pool_label(k, p) for k, p in zip(use.pool_kind, use.pool, strict=True)],
    )
    merged = use.merge(
        free[["label", "period", "available"]],
        left_on=["pool", "period"],
        right_on=["label", "period"],
        how="left",
    )
    return merged.fillna({"available": 0.0})[["scenario", "pool", "period", "hours", "available"]]


@data_cache(max_entries=4)
def benefits(version: data.Version, today: dt.date) -> pd.DataFrame:
    return reads.benefits(today, version[0])


@data_cache(max_entries=8)
def parts(version: data.Version, proposal_id: int) -> dict:
    return reads.proposal_parts(proposal_id, version[0])


@data_cache(max_entries=8)
def history(version: data.Version, proposal_id: int) -> pd.DataFrame:
    return reads.proposal_history(proposal_id, version[0])


@data_cache(max_entries=8)
def my_scores(version: data.Version, proposal_id: int, reviewer_id: int) -> dict[int, int]:
    return reads.my_scores(proposal_id, reviewer_id, version[0])
