"""One project: its record, then its milestones, risks, weekly reports and other RAID items."""

from __future__ import annotations

import datetime as dt
import random

from data_access.core.models import Project
from data_access.demo.milestones import add_milestones
from data_access.demo.reports import add_reports
from data_access.demo.risks import add_raid, add_risks
from data_access.demo.rows import DemoRows
from data_access.demo.words import PROJECT_WORDS


def add_project(
    out: DemoRows,
    rng: random.Random,
    p: int,
    profile: str,
    today: dt.date,
    report_days: list[dt.date],
    stamp: dict,
    *,
    program: int,
    department: int,
    manager: int,
    sponsor: int,
    staff: list[int],
    n_projects: int,
) -> None:
    status = rng.choices(
        ["active", "proposed", "on hold", "completed", "cancelled"], [0.80, 0.06, 0.04, 0.08, 0.02]
    )[0]
    duration = rng.randint(120, 720)
    if status == "completed":
        start = today - dt.timedelta(days=duration + rng.randint(10, 200))
    elif status == "proposed":
        start = today + dt.timedelta(days=rng.randint(10, 120))
    else:
        start = today - dt.timedelta(days=rng.randint(30, max(31, duration - 20)))
    finish = start + dt.timedelta(days=duration)
    slip_pct = {
        "green": rng.uniform(0, 4),
        "watch": rng.uniform(0, 4),
        "amber": rng.uniform(6, 10),
        "red": rng.uniform(12, 40),
    }[profile]
    forecast_finish = finish + dt.timedelta(days=round(duration * slip_pct / 100))
    budget = round(rng.lognormvariate(13.0, 0.9), -3)
    overrun = {
        "green": rng.uniform(0.95, 1.04),
        "watch": rng.uniform(0.97, 1.03),
        "amber": rng.uniform(1.06, 1.10),
        "red": rng.uniform(1.12, 1.40),
    }[profile]
    elapsed = min(1.0, max(0.0, (today - start).days / duration))
    percent = (
        100.0
        if status == "completed"
        else round(min(99.0, elapsed * 100 * rng.uniform(0.8, 1.05)), 1)
    )
    eac = round(budget * overrun, -2)
    actual = round(eac * percent / 100 * rng.uniform(0.99, 1.01), -2)
    phase = _phase(status, elapsed)
    noun, verb = rng.choice(PROJECT_WORDS[0]), rng.choice(PROJECT_WORDS[1])
    project_id = out.add(
        Project,
        {
            "code": f"PRJ-{p:04d}",
            "name": f"{noun} {verb}",
            "description": f"{verb} of the {noun.lower()} for the business.",
            "program_id": program,
            "department_id": department,
            "sponsor_id": sponsor,
            "manager_id": manager,
            "phase": phase,
            "status": status,
            "priority": rng.choices(["critical", "high", "medium", "low"], [1, 3, 5, 2])[0],
            "baseline_start": start,
            "baseline_finish": finish,
            "forecast_finish": forecast_finish,
            "actual_finish": forecast_finish if status == "completed" else None,
            "approved_budget": budget,
            "actual_cost": min(actual, 1e12),
            "forecast_at_completion": eac,
            "percent_complete": percent,
            **stamp,
        },
    )
    reporting = status in ("active", "on hold") or (status == "completed" and profile != "watch")
    add_milestones(
        out, rng, project_id, profile, start, duration, today, report_days, stamp, manager
    )
    max_risk = add_risks(
        out, rng, project_id, profile, start, today, report_days, stamp, staff, manager
    )
    if reporting:
        add_reports(
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
        )
    add_raid(out, rng, project_id, start, today, stamp, manager, n_projects)


def _phase(status: str, elapsed: float) -> str:
    if status == "proposed":
        return "Idea"
    if status in ("completed", "cancelled"):
        return "Closed"
    for limit, phase in ((0.1, "Initiation"), (0.25, "Planning"), (0.9, "Execution")):
        if elapsed < limit:
            return phase
    return "Closing"
