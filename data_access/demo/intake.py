"""The pipeline in front of the portfolio: strategic drivers, proposals (about 40 at tier S,
400 at L) with costs, people needed, benefits and reviewers' scores, two saved scenarios, and
benefits with realised measurements on the completed projects."""

from __future__ import annotations

import datetime as dt
import random

from data_access.core.intake_models import (
    Benefit,
    BenefitMeasurement,
    Proposal,
    ProposalCost,
    ProposalDriver,
    ProposalNeed,
    ProposalScore,
    ScenarioItem,
    SelectionScenario,
    StrategicDriver,
)
from data_access.core.models import Project
from data_access.demo.organisation import Organisation
from data_access.demo.rows import DemoRows
from data_access.demo.words import DEPARTMENTS, PROJECT_WORDS, SKILLS

PROPOSALS = {"S": 40, "M": 150, "L": 400, "XL": 800}
# Weighted directly (the AHP comparisons are left for the PMO to make).
DRIVERS = [
    ("Customer retention", "Keep and grow the customers we have", 0.30),
    ("Cost reduction", "Lower the cost to serve", 0.25),
    ("Regulatory compliance", "Meet the obligations on time", 0.20),
    ("Growth in new markets", "Revenue from markets we are not in yet", 0.15),
    ("Employee experience", "Tools and ways of working people like", 0.10),
]
STATUSES = (
    ("draft", 0.10),
    ("submitted", 0.35),
    ("under review", 0.30),
    ("deferred", 0.10),
    ("rejected", 0.07),
)
VERBS = ["Modernise", "Automate", "Consolidate", "Launch", "Replace", "Extend", "Digitise"]
BENEFITS = [
    ("financial", "Annual run cost (kEUR)", 900.0, 650.0),
    ("customer", "Net promoter score", 21.0, 35.0),
    ("efficiency", "Days to close the month", 9.0, 4.0),
    ("compliance", "Open audit findings", 14.0, 2.0),
    ("strategic", "Revenue from new markets (kEUR)", 0.0, 1_500.0),
]
REVIEWERS = (1, 2)  # Ada Admin and Pat Portfolio


def add_intake(
    out: DemoRows,
    rng: random.Random,
    tier: str,
    today: dt.date,
    stamp: dict,
    organisation: Organisation,
) -> None:
    for name, description, weight in DRIVERS:
        out.add(
            StrategicDriver,
            {"name": name, "description": description, "weight": weight, "active": True, **stamp},
        )
    priorities: dict[int, float] = {}
    for number in range(1, PROPOSALS[tier] + 1):
        status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
        pid = _proposal(out, rng, number, status, today, stamp, organisation)
        if status != "draft":
            priorities[pid] = _scores(out, rng, pid, today, stamp)
    _completed_projects(out, rng, today, stamp, organisation, priorities)
    _scenarios(out, today, stamp, priorities)


def _proposal(out, rng, number, status, today, stamp, organisation, project=None) -> int:
    start = (
        project["baseline_start"]
        if project
        else dt.date(today.year + 1, rng.choice((1, 4, 7, 10)), 1)
    )
    months = rng.choice((6, 9, 12, 18, 24))
    title = project["name"] if project else f"{rng.choice(VERBS)} {rng.choice(PROJECT_WORDS[0])}"
    pid = out.add(
        Proposal,
        {
            "code": f"PRP-{number:04d}",
            "title": title,
            "sponsor_id": project["sponsor_id"] if project else rng.choice(organisation.sponsors),
            "department_id": project["department_id"]
            if project
            else rng.randint(1, organisation.n_departments),
            "program_id": project["program_id"]
            if project
            else rng.randint(1, organisation.n_programs),
            "problem": f"{title}: today's way is slow, costly and hard to change.",
            "start_date": start,
            "duration_months": months,
            "risk_level": rng.choices(("low", "medium", "high"), (0.3, 0.5, 0.2))[0],
            "status": status,
            "submitted_by_id": rng.choice(organisation.project_managers),
            "project_id": project["id"] if project else None,
            **stamp,
        },
    )
    total = project["approved_budget"] if project else round(rng.lognormvariate(12.8, 0.8), -3)
    years = sorted({start.year + m // 12 for m in range(0, months, 12)} | {start.year})
    for year in years:
        out.add(
            ProposalCost,
            {"proposal_id": pid, "year": year, "amount": round(total / len(years), -2)},
        )
    first_quarter = (start.month - 1) // 3
    needs = set()
    for skill in rng.sample(SKILLS, rng.randint(1, 3)):
        # A fifth of the needs name a department rather than a skill.
        kind, pool = (
            ("department", rng.choice(DEPARTMENTS)[0]) if rng.random() < 0.2 else ("skill", skill)
        )
        for q in range(first_quarter, first_quarter + min(months // 3, 4)):
            needs.add((kind, pool, f"{start.year + q // 4}-Q{q % 4 + 1}"))
    for kind, pool, period in sorted(needs):
        out.add(
            ProposalNeed,
            {
                "proposal_id": pid,
                "pool_kind": kind,
                "pool": pool,
                "period": period,
                "hours": float(rng.choice((80, 120, 200, 320, 480))),
            },
        )
    served = rng.sample(range(1, len(DRIVERS) + 1), rng.randint(1, 3))
    # Keyed by the pair (no id column of its own), so not through out.add.
    out.rows.setdefault(ProposalDriver, []).extend(
        {"proposal_id": pid, "driver_id": driver} for driver in sorted(served)
    )
    for driver in served[: rng.randint(1, 2)]:
        kind, measure, baseline, target = BENEFITS[driver - 1]
        out.add(
            Benefit,
            {
                "proposal_id": pid,
                "project_id": project["id"] if project else None,
                "driver_id": driver,
                "kind": kind,
                "measure": measure,
                "baseline": baseline,
                "target": target,
                "by_when": start + dt.timedelta(days=30 * months + 180),
                **stamp,
            },
        )
    return pid


def _scores(out: DemoRows, rng: random.Random, pid: int, today: dt.date, stamp: dict) -> float:
    """Both reviewers score every driver; a proposal is strong on the drivers it serves.
    Returns its priority (100 x sum of weight x mean score / 4), as the app computes it."""
    served = {r["driver_id"] for r in out.rows[ProposalDriver] if r["proposal_id"] == pid}
    priority = 0.0
    for driver, (_, _, weight) in enumerate(DRIVERS, start=1):
        scores = [
            min(4, max(0, (rng.randint(2, 4) if driver in served else rng.randint(0, 1))))
            for _ in REVIEWERS
        ]
        for reviewer, score in zip(REVIEWERS, scores, strict=True):
            out.add(
                ProposalScore,
                {
                    "proposal_id": pid,
                    "driver_id": driver,
                    "reviewer_id": reviewer,
                    "score": score,
                    "scored_on": today - dt.timedelta(days=rng.randint(1, 40)),
                    "created_at": stamp["created_at"],
                },
            )
        priority += 100 * weight * sum(scores) / len(scores) / 4
    return priority


def _completed_projects(out, rng, today, stamp, organisation, priorities) -> None:
    """Each completed project came from an approved proposal; its benefits were measured
    monthly since it finished, most of them on their way to the target."""
    number = out.count(Proposal)
    for project in out.rows.get(Project, []):
        if project["status"] != "completed":
            continue
        number += 1
        pid = _proposal(out, rng, number, "approved", today, stamp, organisation, project)
        priorities[pid] = _scores(out, rng, pid, today, stamp)
        finish = project["actual_finish"] or project["forecast_finish"]
        pace = rng.uniform(0.3, 1.1)
        for benefit in [b for b in out.rows[Benefit] if b["proposal_id"] == pid]:
            day, step = finish + dt.timedelta(days=30), 0
            while day <= today:
                step += 1
                share = min(1.2, pace * step / 8)
                value = benefit["baseline"] + share * (benefit["target"] - benefit["baseline"])
                out.add(
                    BenefitMeasurement,
                    {
                        "benefit_id": benefit["id"],
                        "measured_on": day,
                        "value": round(value, 1),
                        "note": "",
                        "recorded_by_id": project["manager_id"],
                        "created_at": stamp["created_at"],
                    },
                )
                day += dt.timedelta(days=30)


def _scenarios(out: DemoRows, today: dt.date, stamp: dict, priorities: dict[int, float]) -> None:
    """Two saved scenarios over the open proposals: a lean one and a broad one (best value
    per cost first within a budget; the app's solver does better, which the comparison shows)."""
    open_ids = [
        r["id"]
        for r in out.rows[Proposal]
        if r["status"] in ("submitted", "under review", "deferred")
    ]
    cost = {pid: 0.0 for pid in open_ids}
    for row in out.rows[ProposalCost]:
        if row["proposal_id"] in cost:
            cost[row["proposal_id"]] += row["amount"]
    asked = sum(cost.values())
    year = today.year + 1
    for name, share in (("Lean next year", 0.35), ("Broad next year", 0.6)):
        limit, spent, chosen = asked * share, 0.0, set()
        for pid in sorted(open_ids, key=lambda p: -priorities.get(p, 0) / max(cost[p], 1)):
            if spent + cost[pid] <= limit:
                chosen.add(pid)
                spent += cost[pid]
        sid = out.add(
            SelectionScenario,
            {
                "name": name,
                "notes": f"About {share:.0%} of what the proposals ask",
                "budget": {
                    str(year): round(limit * 0.6, -3),
                    str(year + 1): round(limit * 0.4, -3),
                },
                "value": round(sum(priorities.get(p, 0) for p in chosen), 2),
                "cost": spent,
                "status": "saved",
                "created_by_id": 2,
                "approved_on": None,
                "approved_by_id": None,
                **stamp,
            },
        )
        for pid in open_ids:
            out.add(
                ScenarioItem,
                {
                    "scenario_id": sid,
                    "proposal_id": pid,
                    "included": pid in chosen,
                    "forced": None,
                    "priority": round(priorities.get(pid, 0), 2),
                },
            )
