"""Cached reads of the methodology, keyed by plain values and the data version."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from components.common import data
from components.common.cache import data_cache
from components.gates import actions
from data_access.gates import history, reads
from domain import gates
from domain.filters import PortfolioFilter, apply_filter


@data_cache(max_entries=16)
def template(version: data.Version, template_id: int) -> dict | None:
    return reads.template(template_id, version[0])


@data_cache(max_entries=4)
def templates(version: data.Version) -> pd.DataFrame:
    return reads.templates(version[0])


@data_cache(max_entries=16)
def lifecycle(version: data.Version, project_id: int) -> dict | None:
    return reads.lifecycle(project_id, version[0])


@data_cache(max_entries=16)
def gate_history(version: data.Version, project_id: int) -> pd.DataFrame:
    return reads.gate_history(project_id, version[0])


@data_cache(max_entries=16)
def evidence(version: data.Version, gate_id: int) -> pd.DataFrame:
    return reads.evidence(gate_id, version[0])


@data_cache(max_entries=8)
def evidence_file(version: data.Version, evidence_id: int) -> tuple[str, bytes] | None:
    return reads.evidence_file(evidence_id, version[0])


@data_cache(max_entries=16)
def criteria(version: data.Version, today: dt.date, project_id: int) -> list[dict]:
    """The current gate's criteria checked against the live data (attested: not yet)."""
    return actions.check_gate(version[0], project_id, today, set())


@data_cache(max_entries=4)
def pending_gates(version: data.Version) -> pd.DataFrame:
    return reads.pending_gates(version[0])


@data_cache(max_entries=16)
def condition_owners(version: data.Version, project_id: int) -> pd.DataFrame:
    return reads.condition_owners(project_id, version[0])


@data_cache(max_entries=4, by_project="project_id", in_database=True)
def facts(version: data.Version, today: dt.date, _project_ids=None) -> pd.DataFrame:
    """Every project's gate and compliance facts, counted in SQL (after a save, read again
    for the projects it changed)."""
    config = data.settings(version)
    return reads.gate_facts(
        today,
        high_from=config["band_high_from"],
        review_days=config["risk_review_days"],
        project_ids=_project_ids,
        url=version[0],
    )


def matching_facts(version: data.Version, today: dt.date, f: PortfolioFilter) -> pd.DataFrame:
    """The facts of the projects the shared filters match."""
    all_facts = facts(version, today)
    if not f.active:  # every project: no copy of the health table to match it against
        return all_facts
    wanted = apply_filter(data.portfolio_health(version, today), f).id
    return all_facts[all_facts.project_id.isin(wanted)]


@data_cache(max_entries=16, by_project="project_id", in_database=True)
def compliance(
    version: data.Version, today: dt.date, f: PortfolioFilter, _project_ids=None
) -> pd.DataFrame:
    """Compliance per project and policy, for the filtered projects (after a save, worked
    out again for the projects it changed)."""
    matching = matching_facts(version, today, f)
    if _project_ids is not None:
        matching = matching[matching.project_id.isin(_project_ids)]
    return gates.compliance(matching, data.settings(version), today)


def gate_names(version: data.Version, facts_df: pd.DataFrame) -> pd.Series:
    """The name of each project's next gate (from its template revision)."""
    gates_of = {
        int(t): [p["gate"] for p in template(version, int(t))["phases"]]
        for t in facts_df.template_id.dropna().unique()
    }
    names = [
        "" if pd.isna(t) else gates_of[int(t)][min(int(i), len(gates_of[int(t)]) - 1)]
        for t, i in zip(facts_df.template_id, facts_df.phase_index, strict=True)
    ]
    return pd.Series(names, index=facts_df.index, dtype=object)


@data_cache(max_entries=16)
def gates_due(version: data.Version, today: dt.date, f: PortfolioFilter) -> pd.DataFrame:
    """The filtered projects' gates overdue or due within the horizon, most overdue first."""
    matching = matching_facts(version, today, f)
    return gates.gates_due(matching.assign(gate=gate_names(version, matching)), today)


@data_cache(max_entries=16)
def pending_matching(version: data.Version, today: dt.date, f: PortfolioFilter) -> pd.DataFrame:
    """Gates awaiting a decision, of the filtered projects, oldest submission first."""
    pending = pending_gates(version).drop(columns=["criteria", "note"])
    return pending[pending.project_id.isin(matching_facts(version, today, f).project_id)]


@data_cache(max_entries=16)
def gate_criteria(version: data.Version, gate_id: int) -> list[dict]:
    return reads.gate_criteria(gate_id, version[0])


@data_cache(max_entries=4)
def gates_decided(version: data.Version, since: dt.date, until: dt.date) -> pd.DataFrame:
    return reads.gates_decided(since, until, version[0])


@data_cache(max_entries=4)
def worked_out_states(version: data.Version, weeks: tuple[dt.date, ...]) -> pd.DataFrame:
    """Every project's policy states at past week ends nobody recorded, from the history."""
    config = data.settings(version)
    weekly = reads.weekly_facts(list(weeks), review_days=config["risk_review_days"], url=version[0])
    return gates.weekly_states(weekly, config)


@data_cache(max_entries=16)
def recorded_counts(
    version: data.Version, weeks: tuple[dt.date, ...], project_ids: tuple[int, ...] | None
) -> tuple[set[dt.date], pd.DataFrame]:
    """Which of `weeks` the worker recorded, and their counts per policy and state (of these
    projects, None: all). Cached apart: it reads only the recorded weeks, which a status
    update leaves as they are."""
    url = version[0]
    ids = None if project_ids is None else list(project_ids)
    return history.recorded_weeks(weeks, url), history.compliance_counts(weeks, ids, url)


@data_cache(max_entries=16)
def compliance_trend(version: data.Version, today: dt.date, f: PortfolioFilter) -> pd.DataFrame:
    """Compliance per policy week by week over the last half year, filtered projects: past
    weeks as the worker recorded them (counted in SQL), weeks it has not recorded worked out
    from the history, and today from the compliance results the page shows."""
    past = gates.ended_weeks(today)
    wanted = matching_facts(version, today, f).project_id
    everyone = len(wanted) == len(facts(version, today))
    ids = None if everyone else tuple(wanted.tolist())
    recorded, stored = recorded_counts(version, tuple(past), ids)
    counts = [stored]
    todo = gates.weeks_to_work_out(past, recorded)
    if todo:
        live = worked_out_states(version, tuple(todo))
        live = live[live.project_id.isin(wanted) & ~live.week_end.isin(recorded)]
        counts.append(gates.state_counts(live))
    counts.append(gates.results_counts(compliance(version, today, f), today))
    return gates.compliance_over_time(pd.concat(counts, ignore_index=True))
