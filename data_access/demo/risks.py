"""A project's risks with their re-assessments, and its other RAID items."""

from __future__ import annotations

import datetime as dt

from data_access.core.models import RaidItem, Risk, RiskAssessment
from data_access.demo.words import CATEGORIES, RISK_TITLES

RISKS_PER_PROJECT = 10
ASSESSMENTS_PER_RISK = 5


def add_risks(
    out, rng, project_id, profile, start, today, report_days, stamp, staff, manager
) -> int:
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


def add_raid(out, rng, project_id, start, today, stamp, manager, n_projects) -> None:
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
