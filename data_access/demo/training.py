"""The demo's course catalogue, the PMO's competence rule and the project managers' training
records, with a few gaps and expiries so the competence matrix and the warnings show them.
Uses its own random stream, so the rest of the portfolio does not change."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from data_access.core.training_models import CompetenceRule, Course, TrainingRecord

# name, kind, provider, months valid (None: never expires), share of PMs who hold it
COURSES = [
    ("PMO onboarding", "course", "Internal PMO", None, 0.95),
    ("PRINCE2 Foundation", "certification", "PeopleCert", 60, 0.8),
    ("PRINCE2 Practitioner", "certification", "PeopleCert", 36, 0.45),
    ("PMP", "certification", "PMI", 36, 0.2),
    ("Professional Scrum Master", "certification", "Scrum.org", 24, 0.35),
    ("Risk management workshop", "course", "Internal PMO", 24, 0.6),
    ("Finance for project managers", "course", "Internal Finance", None, 0.4),
    ("Stakeholder engagement", "course", "Internal PMO", None, 0.45),
]
RULES = {
    "small": ["PMO onboarding"],
    "medium": ["PMO onboarding", "PRINCE2 Foundation", "Risk management workshop"],
    "large": [
        "PMO onboarding",
        "PRINCE2 Foundation",
        "PRINCE2 Practitioner",
        "Risk management workshop",
    ],
    "risk_high": ["Risk management workshop"],
    "risk_critical": ["PRINCE2 Practitioner"],
}
# The demo project manager (first of the list) never took the Practitioner certificate, their
# risk workshop lapsed 20 days ago and their Foundation lapses in 45: the project page warning
# and the matrix show it on first start. Days left to expiry; None: never taken.
DEMO_PM_GAPS = {
    "PRINCE2 Practitioner": None,
    "Risk management workshop": -20,
    "PRINCE2 Foundation": 45,
}


def add_training(out: Any, seed: str, today: dt.date, stamp: dict, managers: list[int]) -> None:
    rng = random.Random(f"{seed}-training")
    ids = {}
    for name, kind, provider, months, _ in COURSES:
        ids[name] = out.add(
            Course,
            {**stamp, "name": name, "kind": kind, "provider": provider, "valid_months": months},
        )
    for applies_to, names in RULES.items():
        for name in names:
            out.add(CompetenceRule, {"applies_to": applies_to, "course_id": ids[name]})
    for i, person in enumerate(dict.fromkeys(managers)):
        for name, _, _, months, share in COURSES:
            if i == 0 and name in DEMO_PM_GAPS:
                left = DEMO_PM_GAPS[name]
                if left is None:
                    continue
                expires = today + dt.timedelta(days=left)
                completed = expires - dt.timedelta(days=months * 30)
            elif i == 0 or rng.random() < share:
                completed = today - dt.timedelta(days=rng.randint(30, 1500))
                expires = completed + dt.timedelta(days=months * 30) if months else None
            else:
                continue
            out.add(
                TrainingRecord,
                {
                    **stamp,
                    "person_id": person,
                    "course_id": ids[name],
                    "completed_on": completed,
                    "expires_on": expires,
                },
            )
