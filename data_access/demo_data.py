"""A deterministic, realistic demo portfolio at the scale tiers of PMO_DOMAIN.md.

Most projects are green, with a tail of amber and red; milestones slip in steps; risks are
re-scored; a few projects have stopped reporting (stale). The same seed and `today` always give
the same portfolio. Rows are built as plain dicts with their ids and bulk-inserted, so tier L
loads in seconds.

    python -m data_access.demo_data --tier L --url sqlite:///data/l.db
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from dataclasses import dataclass, field

import sqlalchemy as sa

from data_access import clock
from data_access.db import get_engine
from data_access.models import (
    Absence,
    Action,
    Allocation,
    AuditLog,
    DataVersion,
    Department,
    Milestone,
    MilestoneHistory,
    Person,
    Portfolio,
    Program,
    Project,
    RaidItem,
    Review,
    Risk,
    RiskAssessment,
    StatusReport,
    utcnow,
    worst_rag,
)
from data_access.recovery.demo import add_recovery
from data_access.recovery.models import Escalation, RecoveryPlan
from data_access.schema import upgrade_database, upgrade_lock

TIERS = {
    # number of projects; everything else scales with it
    "S": 50,
    "M": 500,
    "L": 5_000,
}
MILESTONES_PER_PROJECT = 10
RISKS_PER_PROJECT = 10
ASSESSMENTS_PER_RISK = 5
WEEKS = 52

DEPARTMENTS = [
    ("Finance", "FIN"),
    ("Information Technology", "IT"),
    ("Operations", "OPS"),
    ("Human Resources", "HR"),
    ("Marketing", "MKT"),
    ("Sales", "SAL"),
    ("Research & Development", "RND"),
    ("Legal & Compliance", "LEG"),
    ("Customer Service", "CS"),
    ("Supply Chain", "SCM"),
]
PROGRAM_THEMES = [
    "Digital Workplace",
    "Customer Experience",
    "Cloud Migration",
    "Regulatory Readiness",
    "Data & Analytics",
    "Operational Excellence",
    "Growth Markets",
    "Cyber Security",
    "Sustainability",
    "Finance Transformation",
    "Product Innovation",
    "People & Culture",
]
PROJECT_WORDS = (
    [
        "CRM",
        "ERP",
        "Payroll",
        "Data Lake",
        "Portal",
        "Warehouse",
        "Mobile App",
        "Billing",
        "Identity",
        "Network",
        "Intranet",
        "Analytics",
        "Onboarding",
        "Procurement",
        "Website",
        "Call Centre",
        "Archive",
        "Reporting",
        "Logistics",
        "Treasury",
    ],
    [
        "Upgrade",
        "Rollout",
        "Migration",
        "Redesign",
        "Consolidation",
        "Automation",
        "Replacement",
        "Pilot",
        "Integration",
        "Modernisation",
    ],
)
FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "David",
    "Elif",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Adams",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Horvat",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Laine",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Novak",
    "Weber",
    "Yilmaz",
    "Zhang",
    "Murphy",
    "Silva",
    "Kim",
]
MILESTONE_NAMES = [
    "Kick-off",
    "Requirements signed off",
    "Design approved",
    "Build complete",
    "Integration tested",
    "User acceptance",
    "Pilot live",
    "Go-live",
    "Hypercare ended",
    "Project closed",
]
RISK_TITLES = [
    "Key supplier delivers late",
    "Scope creep from business requests",
    "Specialist staff leave",
    "Integration more complex than estimated",
    "Regulatory change mid-project",
    "Budget cut in next planning round",
    "Data quality worse than assumed",
    "Security findings delay go-live",
    "User adoption lower than planned",
    "Licence costs rise",
    "Test environment not ready",
    "Dependency on legacy system",
]
SKILLS = [
    "Business analysis",
    "Software engineering",
    "Testing",
    "Architecture",
    "Change management",
    "Data engineering",
]
CAPACITIES = [40.0, 40.0, 40.0, 40.0, 32.0, 32.0, 24.0, 20.0]
CATEGORIES = ["Delivery", "Technical", "Commercial", "People", "Compliance", "Security"]
PROFILES = (("green", 0.68), ("amber", 0.18), ("red", 0.08), ("watch", 0.06))


@dataclass
class DemoRows:
    """All rows of a generated portfolio, table by table, in insert order."""

    rows: dict[type, list[dict]] = field(default_factory=dict)

    def add(self, model: type, row: dict) -> int:
        table = self.rows.setdefault(model, [])
        row = {"id": len(table) + 1, **row}
        table.append(row)
        return row["id"]

    def count(self, model: type) -> int:
        return len(self.rows.get(model, []))


def _friday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - 4) % 7)


def generate(tier: str = "S", *, seed: int = 42, today: dt.date | None = None) -> DemoRows:
    """Build the rows of a demo portfolio; nothing is written."""
    today = today or clock.today()
    n_projects = TIERS[tier]
    rng = random.Random(f"{seed}-{tier}")
    out = DemoRows()
    now = utcnow()
    stamp = {"version": 1, "created_at": now, "updated_at": now}
    report_days = [_friday_on_or_before(today) - dt.timedelta(weeks=w) for w in range(WEEKS)][::-1]

    # --- organisation and people ---
    for name, code in DEPARTMENTS:
        out.add(Department, {"name": name, "code": code, **stamp})
    n_departments = len(DEPARTMENTS)

    def person(
        role: str,
        department: int,
        skill: str,
        name: str | None = None,
        demo: bool = False,
        bookable: bool = False,
    ) -> int:
        number = out.count(Person) + 1
        name = name or f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        # Weekly hours for project work: staff and project managers, a fifth of them part-time;
        # executives, administrators and portfolio managers are not booked on projects.
        capacity = rng.choice(CAPACITIES) if bookable else 0.0
        email = f"{name.lower().replace(' ', '.')}.{number}@example.org"
        return out.add(
            Person,
            {
                "name": name,
                "email": email,
                "role": role,
                "department_id": department,
                "skill": skill,
                "weekly_capacity_hours": capacity,
                "active": True,
                "password_hash": None,
                "is_demo_account": demo,
                **stamp,
            },
        )

    # Demo accounts (one per role) come first so that their ids are stable across tiers.
    person("admin", 1, "PMO", "Ada Admin", demo=True)
    person("portfolio_manager", 2, "Portfolio management", "Pat Portfolio", demo=True)
    person("project_manager", 2, "Project management", "Petra Projects", demo=True, bookable=True)
    person("viewer", 1, "Executive", "Vic Viewer", demo=True)
    n_programs = max(6, n_projects // 10)
    n_pms = max(8, n_projects // 4)
    portfolio_managers = [2] + [
        person("portfolio_manager", rng.randint(1, n_departments), "Portfolio management")
        for _ in range(max(2, n_programs // 10))
    ]
    project_managers = [3] + [
        person(
            "project_manager",
            rng.randint(1, n_departments),
            "Project management",
            bookable=True,
        )
        for _ in range(n_pms - 1)
    ]
    sponsors = [
        person("viewer", rng.randint(1, n_departments), "Executive")
        for _ in range(max(5, n_projects // 20))
    ]
    # About one specialist per project: with project managers, a realistic head count.
    staff = [
        person("viewer", rng.randint(1, n_departments), rng.choice(SKILLS), bookable=True)
        for _ in range(max(30, n_projects))
    ]

    n_portfolios = {"S": 1, "M": 2, "L": 3}[tier]
    for i in range(n_portfolios):
        suffix = "" if n_portfolios == 1 else f" {chr(65 + i)}"
        out.add(
            Portfolio,
            {
                "name": f"Enterprise portfolio{suffix}",
                "description": "Generated demo portfolio",
                **stamp,
            },
        )
    for i in range(n_programs):
        theme = PROGRAM_THEMES[i % len(PROGRAM_THEMES)]
        label = theme if i < len(PROGRAM_THEMES) else f"{theme} {i // len(PROGRAM_THEMES) + 1}"
        out.add(
            Program,
            {
                "portfolio_id": i % n_portfolios + 1,
                "name": label,
                "description": f"{theme} initiatives",
                "manager_id": portfolio_managers[i % len(portfolio_managers)],
                **stamp,
            },
        )

    # --- projects with their history ---
    profile_names = [p for p, _ in PROFILES]
    profile_weights = [w for _, w in PROFILES]
    for p in range(1, n_projects + 1):
        profile = rng.choices(profile_names, profile_weights)[0]
        _project(
            out,
            rng,
            p,
            profile,
            today,
            report_days,
            stamp,
            program=rng.randint(1, n_programs),
            department=rng.randint(1, n_departments),
            manager=project_managers[(p - 1) % len(project_managers)],
            sponsor=rng.choice(sponsors),
            staff=staff,
            n_projects=n_projects,
        )

    _resources(out, random.Random(f"{seed}-{tier}-resources"), today, stamp, staff)
    _reviews(out, rng, today, n_projects, stamp)
    add_recovery(out, random.Random(f"{seed}-{tier}-recovery"), today, stamp)
    out.add(
        AuditLog,
        {
            "at": now,
            "actor_id": None,
            "actor_name": "demo generator",
            "action": "load",
            "entity": "portfolio",
            "entity_id": None,
            "project_id": None,
            "before": None,
            "after": {"tier": tier, "seed": seed, "today": today.isoformat()},
        },
    )
    return out


def _project(
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
    _milestones(out, rng, project_id, profile, start, duration, today, report_days, stamp, manager)
    max_risk = _risks(
        out, rng, project_id, profile, start, today, report_days, stamp, staff, manager
    )
    if reporting:
        _reports(
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
    _raid(out, rng, project_id, start, today, stamp, manager, n_projects)


def _phase(status: str, elapsed: float) -> str:
    if status == "proposed":
        return "Idea"
    if status in ("completed", "cancelled"):
        return "Closed"
    for limit, phase in ((0.1, "Initiation"), (0.25, "Planning"), (0.9, "Execution")):
        if elapsed < limit:
            return phase
    return "Closing"


def _milestones(
    out, rng, project_id, profile, start, duration, today, report_days, stamp, manager
) -> None:
    slippy = {"green": 0.1, "watch": 0.15, "amber": 0.45, "red": 0.75}[profile]
    first_report = report_days[0]
    for m in range(MILESTONES_PER_PROJECT):
        baseline = start + dt.timedelta(
            days=round(duration * (m + 1) / (MILESTONES_PER_PROJECT + 1))
        )
        added = start
        if m == MILESTONES_PER_PROJECT - 1 and rng.random() < 0.15:
            # Late scope addition: the last milestone joined the plan mid-way.
            added = max(start, min(today, start + dt.timedelta(days=duration // 2)))
            added = max(added, first_report)
        forecast = baseline
        events: list[tuple[dt.date, str, dt.date]] = []
        # Slips happen in steps on reporting days between the milestone entering the plan
        # and it being reached.
        if rng.random() < slippy:
            candidates = [d for d in report_days if added < d < min(forecast, today)]
            for day in sorted(rng.sample(candidates, min(len(candidates), rng.randint(1, 4)))):
                forecast = forecast + dt.timedelta(days=rng.choice([7, 7, 14, 14, 21, 30]))
                events.append((day, "forecast", forecast))
        elif rng.random() < 0.1:
            candidates = [d for d in report_days if added < d < min(forecast, today)]
            if candidates:
                forecast = forecast - dt.timedelta(days=7)
                events.append((rng.choice(candidates), "forecast", forecast))
        # Red projects re-baseline a key milestone at its second slip (an explicit act kept
        # in the history). No random draw here, so the rest of the portfolio is unchanged.
        slips = [e for e in events if e[1] == "forecast"]
        rebaselined = slips[1] if profile == "red" and m in (3, 7) and len(slips) > 1 else None
        if rebaselined:
            events.append((rebaselined[0], "rebaselined", rebaselined[2]))
        actual = None
        # Overdue tail: amber/red projects leave some passed milestones open.
        leave_open = profile in ("amber", "red") and rng.random() < 0.3
        if forecast < today and not leave_open:
            actual = forecast + dt.timedelta(days=rng.choice([-3, -1, 0, 0, 0, 2, 5]))
            actual = min(actual, today)
            # Reported no earlier than the last forecast move, so the history stays in order.
            reported = max(actual, added, *(day for day, _, _ in events))
            events.append((reported, "completed", actual))
        removed = None
        if actual is None and rng.random() < 0.02:
            removed = max(added, min(today, report_days[-rng.randint(1, 20)]))
            events.append((removed, "removed", forecast))
        milestone_id = out.add(
            Milestone,
            {
                "project_id": project_id,
                "name": MILESTONE_NAMES[m],
                "baseline_date": rebaselined[2] if rebaselined else baseline,
                "forecast_date": forecast,
                "actual_date": actual,
                "is_key": m in (3, 7),
                "added_on": added,
                "removed_on": removed,
                **stamp,
            },
        )
        history = {
            "milestone_id": milestone_id,
            "project_id": project_id,
            "reason": "",
            "author_id": manager,
            "created_at": stamp["created_at"],
            "baseline_date": baseline,
        }
        out.add(
            MilestoneHistory,
            {
                **history,
                "reported_on": added,
                "change": "created",
                "forecast_date": baseline,
                "actual_date": None,
            },
        )
        reasons = {"forecast": "Supplier delay", "rebaselined": "Change request approved"}
        for day, change, date in sorted(events, key=lambda event: event[0]):
            if change == "rebaselined":
                history["baseline_date"] = date
            out.add(
                MilestoneHistory,
                {
                    **history,
                    "reported_on": day,
                    "change": change,
                    "forecast_date": date,
                    "actual_date": date if change == "completed" else None,
                    "reason": reasons.get(change, ""),
                },
            )


def _risks(out, rng, project_id, profile, start, today, report_days, stamp, staff, manager) -> int:
    """Generate the project's risks and their re-assessments; returns the highest open score."""
    ceiling = {"green": 9, "watch": 9, "amber": 14, "red": 25}[profile]
    max_open = 0
    for r in range(RISKS_PER_PROJECT):
        kind = "opportunity" if rng.random() < 0.08 else "threat"
        raised = max(start, report_days[0]) if start < today else today
        later = [d for d in report_days if d > raised]
        days = [raised, *sorted(rng.sample(later, min(len(later), ASSESSMENTS_PER_RISK - 1)))]
        scores = []
        for _ in days:
            p_, i_ = rng.randint(1, 5), rng.randint(1, 5)
            while p_ * i_ > ceiling:
                p_, i_ = max(1, p_ - 1), max(1, i_ - 1)
            scores.append((p_, i_))
        if profile == "red" and r == 0:
            scores[-1] = (rng.choice([4, 5]), rng.choice([4, 5]))
        if profile == "amber" and r == 0:
            scores[-1] = rng.choice([(2, 5), (3, 4), (4, 3), (5, 2), (2, 6 - 1)])
        closed = rng.random() < 0.2 and r != 0
        probability, impact = scores[-1]
        residual = (max(1, probability - 1), max(1, impact - rng.randint(0, 2)))
        status = "closed" if closed else "open"
        if not closed and kind == "threat":
            max_open = max(max_open, probability * impact)
        response = rng.choice(
            ["exploit", "enhance", "share", "accept"]
            if kind == "opportunity"
            else ["mitigate", "mitigate", "avoid", "transfer", "accept"]
        )
        risk_id = out.add(
            Risk,
            {
                "project_id": project_id,
                "title": RISK_TITLES[(r + project_id) % len(RISK_TITLES)],
                "description": "Identified in the project risk workshop.",
                "category": rng.choice(CATEGORIES),
                "kind": kind,
                "probability": probability,
                "impact": impact,
                "residual_probability": residual[0],
                "residual_impact": residual[1],
                "owner_id": None if rng.random() < 0.05 else rng.choice([manager, *staff[:50]]),
                "response": response,
                "mitigation": "Weekly follow-up with the owner.",
                "response_due": today + dt.timedelta(days=rng.randint(-30, 90)),
                "proximity": today + dt.timedelta(days=rng.randint(0, 180)),
                "status": status,
                "raised_on": raised,
                "closed_on": days[-1] if closed else None,
                "last_assessed_on": days[-1],
                **stamp,
            },
        )
        for n, (day, (p_, i_)) in enumerate(zip(days, scores, strict=True)):
            last = n == len(days) - 1
            out.add(
                RiskAssessment,
                {
                    "risk_id": risk_id,
                    "project_id": project_id,
                    "assessed_on": day,
                    "probability": p_,
                    "impact": i_,
                    "residual_probability": residual[0] if last else max(1, p_ - 1),
                    "residual_impact": residual[1] if last else max(1, i_ - 1),
                    "status": status if last else "open",
                    "note": "" if n else "raised",
                    "assessor_id": manager,
                    "created_at": stamp["created_at"],
                },
            )
    return max_open


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


def _reports(
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


def _raid(out, rng, project_id, start, today, stamp, manager, n_projects) -> None:
    raised = min(today, max(start, today - dt.timedelta(days=200)))
    base = {
        "project_id": project_id,
        "description": "",
        "owner_id": manager,
        "provider_project_id": None,
        "provider_milestone_id": None,
        "need_by": None,
        "decided_on": None,
        "review_id": None,
        "raised_on": raised,
        "closed_on": None,
        **stamp,
    }
    out.add(
        RaidItem,
        {
            **base,
            "kind": "assumption",
            "title": "Business users available for UAT",
            "status": "open",
            "due_date": None,
        },
    )
    out.add(
        RaidItem,
        {
            **base,
            "kind": "issue",
            "title": "Test data not yet anonymised",
            "status": rng.choice(["open", "closed"]),
            "due_date": today + dt.timedelta(days=rng.randint(-10, 30)),
        },
    )
    out.add(
        RaidItem,
        {
            **base,
            "kind": "decision",
            "title": "Phased rollout by region",
            "status": "closed",
            "due_date": None,
            "decided_on": raised,
        },
    )
    if n_projects > 1 and rng.random() < 0.3:
        provider = rng.randint(1, n_projects)
        if provider != project_id:
            out.add(
                RaidItem,
                {
                    **base,
                    "kind": "dependency",
                    "title": "Needs the provider's platform release",
                    "status": "open",
                    "due_date": None,
                    "provider_project_id": provider,
                    "need_by": today + dt.timedelta(days=rng.randint(14, 180)),
                },
            )


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _resources(out: DemoRows, rng: random.Random, today: dt.date, stamp: dict, staff) -> None:
    """Allocations and absences that load people realistically: most between 60 and 100 %,
    a tail over-allocated (booked regardless of their load, or away while booked), some idle,
    and load falling off in later quarters where the pipeline is not staffed yet.

    Drawn from their own random stream, so the rest of the portfolio does not depend on them.
    """
    people = {row["id"]: row for row in out.rows[Person]}
    by_department: dict[int, list[int]] = {}
    for person_id in staff:
        by_department.setdefault(people[person_id]["department_id"], []).append(person_id)
    # Hours booked per person in each of the next 26 weeks, so that a new allocation goes to
    # someone free in the weeks it covers (up to their own target load, 75-105 %).
    window = 26
    monday = _monday(today)
    booked = {p: [0.0] * window for p in people}
    target = {p: rng.uniform(0.75, 1.05) * r["weekly_capacity_hours"] for p, r in people.items()}

    def weeks_of(start: dt.date, end: dt.date) -> range:
        return range(max(0, (start - monday).days // 7), min(window, (end - monday).days // 7 + 1))

    def free(person_id: int, weeks: range) -> float:
        return target[person_id] - max((booked[person_id][w] for w in weeks), default=0.0)

    def allocate(person_id: int, project_id: int, start: dt.date, end: dt.date, hours: float):
        out.add(
            Allocation,
            {
                "person_id": person_id,
                "project_id": project_id,
                "start_date": start,
                "end_date": end,
                "hours_per_week": hours,
                **stamp,
            },
        )
        for w in weeks_of(start, end):
            booked[person_id][w] += hours

    for project in out.rows[Project]:
        if project["status"] in ("completed", "cancelled"):
            continue
        first = _monday(max(project["baseline_start"], today - dt.timedelta(weeks=26)))
        last = _monday(project["forecast_finish"]) + dt.timedelta(days=4)
        if last < first:
            continue
        manager = project["manager_id"]
        share = rng.choice([0.1, 0.15, 0.2, 0.2, 0.25])
        allocate(manager, project["id"], first, last, max(2.0, round(share * target[manager])))
        team_size = min(6, max(2, round(project["approved_budget"] / 300_000) + 1))
        home = by_department.get(project["department_id"]) or staff
        members: set[int] = set()
        for _ in range(team_size):
            start, end = first, last
            weeks = (last - first).days // 7
            if weeks > 8 and rng.random() < 0.3:  # joins later or leaves earlier than the project
                cut = first + dt.timedelta(weeks=rng.randint(4, weeks - 4))
                start, end = (cut, last) if rng.random() < 0.5 else (first, cut - dt.timedelta(3))
            pool = home if rng.random() < 0.7 else staff
            candidates = [p for p in rng.sample(pool, min(4, len(pool))) if p not in members]
            if not candidates:
                continue
            wanted = float(rng.choice([8, 16, 16, 24, 24, 32, 40]))
            span = weeks_of(start, end)
            if rng.random() < 0.06:  # booked without looking: the over-allocated tail
                person_id, hours = candidates[0], wanted
            else:
                person_id = max(candidates, key=lambda p: free(p, span))
                hours = min(wanted, free(person_id, span) // 4 * 4)
                if hours < 4:  # nobody free: stretch someone, or the project goes without
                    if rng.random() < 0.5:
                        continue
                    hours = min(wanted, 8.0)
            members.add(person_id)
            allocate(person_id, project["id"], start, end, hours)

    for person_id, row in people.items():
        if row["weekly_capacity_hours"] <= 0 or rng.random() > 0.15:
            continue
        start = _monday(today + dt.timedelta(days=rng.randint(-30, 170)))
        days = rng.choice([4, 4, 11, 11, 18, 2]) if rng.random() > 0.05 else 7 * 12 - 3
        out.add(
            Absence,
            {
                "person_id": person_id,
                "start_date": start,
                "end_date": start + dt.timedelta(days=days),
                "reason": "Parental leave" if days > 30 else rng.choice(["Holiday", "Training"]),
                **stamp,
            },
        )


def _reviews(out, rng, today, n_projects, stamp) -> None:
    for months_ago in (3, 2, 1):
        held = _friday_on_or_before(today - dt.timedelta(days=30 * months_ago))
        review_id = out.add(
            Review,
            {
                "title": f"Portfolio review {held:%b %Y}",
                "held_on": held,
                "notes": "",
                "created_by_id": 1,
                **stamp,
            },
        )
        for _ in range(3):
            due = held + dt.timedelta(days=rng.randint(7, 45))
            out.add(
                Action,
                {
                    "title": "Confirm recovery plan with sponsor",
                    "review_id": review_id,
                    "project_id": rng.randint(1, n_projects),
                    "owner_id": 2,
                    "due_date": due,
                    "status": "done" if due < today and rng.random() < 0.6 else "open",
                    "closed_on": None,
                    "origin": "review",
                    **stamp,
                },
            )


# --- loading ----------------------------------------------------------------------------

INSERT_ORDER = [
    Department,
    Person,
    Portfolio,
    Program,
    Project,
    Review,
    Milestone,
    MilestoneHistory,
    Risk,
    RiskAssessment,
    StatusReport,
    RaidItem,
    Action,
    RecoveryPlan,
    Escalation,
    Allocation,
    Absence,
    AuditLog,
]
BATCH = 20_000


def is_empty(url: str | None = None) -> bool:
    with get_engine(url).connect() as conn:
        return conn.execute(sa.select(Project.id).limit(1)).first() is None


def _bulk_insert(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    """executemany straight on the driver, with each column's own bind processor.

    The same values SQLAlchemy would send, without its per-row bookkeeping: tier L loads
    about twice as fast.
    """
    if not rows:
        return
    columns = list(rows[0])
    dialect = conn.dialect
    processors = [
        (c, table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) for c in columns
    ]
    compiled = sa.insert(table).compile(dialect=dialect, column_keys=columns)
    converted = [{c: p(row[c]) if p else row[c] for c, p in processors} for row in rows]
    if compiled.positional:
        order = compiled.positiontup
        conn.exec_driver_sql(str(compiled), [tuple(r[k] for k in order) for r in converted])
    else:
        conn.exec_driver_sql(str(compiled), converted)


def load(portfolio: DemoRows, url: str | None = None) -> dict[str, int]:
    """Insert a generated portfolio into an empty, migrated database in one transaction."""
    engine = get_engine(url)
    counts = {}
    with engine.begin() as conn:
        for model in INSERT_ORDER:
            rows = portfolio.rows.get(model, [])
            table = model.__table__
            for i in range(0, len(rows), BATCH):
                _bulk_insert(conn, table, rows[i : i + BATCH])
            counts[table.name] = len(rows)
            if engine.dialect.name == "postgresql" and rows:
                # Ids were given explicitly; move the sequence past them.
                conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT MAX(id) FROM {table.name}))"
                    )
                )
        conn.execute(sa.update(DataVersion).values(version=DataVersion.version + 1))
    return counts


def load_demo(
    tier: str = "S", url: str | None = None, *, seed: int = 42, today: dt.date | None = None
) -> dict[str, int]:
    upgrade_database(url)
    return load(generate(tier, seed=seed, today=today), url)


def ensure_demo_data(url: str | None = None) -> bool:
    """Load tier S into an empty database (the newcomer's first start); True if it did."""
    upgrade_database(url)
    if not is_empty(url):
        return False
    # Several app processes may start together on the same empty database: one loads it.
    with upgrade_lock(get_engine(url)):
        if not is_empty(url):
            return False
        load(generate("S"), url)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=sorted(TIERS), default="S")
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or data/pmo.db)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=None,
        help="the day the portfolio is generated around (default: today)",
    )
    args = parser.parse_args()
    upgrade_database(args.url)
    if not is_empty(args.url):
        parser.error("the database already holds projects; give an empty one")
    started = time.perf_counter()
    portfolio = generate(args.tier, seed=args.seed, today=args.today)
    generated = time.perf_counter()
    counts = load(portfolio, args.url)
    done = time.perf_counter()
    for table, n in counts.items():
        print(f"{table:>20}: {n:>8,}")
    print(
        f"generated in {generated - started:.1f} s, loaded in {done - generated:.1f} s, "
        f"total {done - started:.1f} s"
    )


if __name__ == "__main__":
    main()
