"""A project's weekly status reports, its health drifting towards its profile over the year."""

from __future__ import annotations

import datetime as dt
import random

from data_access.core.models import StatusReport, worst_rag


def _rag_for(profile: str, progress: float, rng: random.Random) -> str:
    """A project's health drifts towards its profile over the year (red ones were green once)."""
    target = {"green": "G", "watch": "G", "amber": "A", "red": "R"}[profile]
    if target == "G":
        return "A" if rng.random() < 0.04 else "G"
    if progress < 0.4:
        return "G" if rng.random() < 0.8 else "A"
    if progress < 0.7 and target == "R":
        return "A"
    return target if rng.random() < 0.9 else "A"


def add_reports(
    out,
    rng,
    project_id,
    profile,
    status,
    start,
    finish,
    today,
    report_days,
    budget,
    eac,
    percent,
    max_risk,
    manager,
) -> None:
    # "watch" projects went quiet: their last reports are missing, so they show as stale.
    last_index = len(report_days) - (rng.randint(3, 8) if profile == "watch" else 0)
    risk_rag = "R" if max_risk >= 15 else "A" if max_risk >= 10 else "G"

    def planned(day: dt.date) -> float:
        """Share of the baseline schedule passed on `day`: the plan is spent evenly."""
        return min(1.0, max(0.0, (day - start).days / max(1, (finish - start).days)))

    # Work advances with the plan at the project's own pace, reaching `percent` on the last
    # reporting day: earned value tracks planned value (SPI = that pace), cost tracks EAC.
    pace = percent / 100 / max(planned(report_days[-1]), 1e-9)
    for w, day in enumerate(report_days[:last_index]):
        progress = (w + 1) / len(report_days)
        pct = round(min(percent, 100 * pace * planned(day)), 1)
        schedule = _rag_for(profile, progress, rng)
        cost = (
            _rag_for(profile, progress, rng)
            if profile == "red"
            else ("A" if profile == "amber" and progress > 0.6 else "G")
        )
        scope = "A" if rng.random() < 0.03 else "G"
        risk = risk_rag if progress > 0.8 else "G"
        override = None
        reason = ""
        if profile == "amber" and w == last_index - 1 and rng.random() < 0.2:
            override, reason = "R", "Sponsor escalation pending: treat as red until decided."
        out.add(
            StatusReport,
            {
                "project_id": project_id,
                "report_date": day,
                "author_id": manager,
                "schedule_rag": schedule,
                "cost_rag": cost,
                "scope_rag": scope,
                "risk_rag": risk,
                "overall_rag": override or worst_rag(schedule, cost, scope, risk),
                "override_rag": override,
                "override_reason": reason,
                "summary": _summary(profile, progress),
                "achievements": "Sprint goals met; steering committee held.",
                "next_steps": "Prepare next stage gate.",
                "blockers": "Waiting on supplier contract." if profile == "red" else "",
                "percent_complete": pct,
                "cost_to_date": round(eac * pct / 100, -2),
                "forecast_at_completion": eac,
                "planned_value": round(budget * planned(day), -2),
                "created_at": dt.datetime.combine(day, dt.time(16), tzinfo=dt.UTC),
            },
        )


def _summary(profile: str, progress: float) -> str:
    if profile == "red" and progress > 0.6:
        return "Critical path slipped; recovery plan under review with the sponsor."
    if profile == "amber" and progress > 0.6:
        return "Behind plan on two workstreams; mitigation in place."
    return "On track: work proceeding to plan."
