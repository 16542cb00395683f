"""A deterministic, realistic demo portfolio at the scale tiers of PMO_DOMAIN.md.

Most projects are green, with a tail of amber and red; milestones slip in steps; risks are
re-scored; a few projects have stopped reporting (stale). The same seed and `today` always give
the same portfolio. Rows are built as plain dicts with their ids and bulk-inserted (`loader`),
so tier L loads in seconds. Each module of this package builds one kind of row.
"""

from __future__ import annotations

import datetime as dt
import random

from data_access.core import clock
from data_access.core.models import AuditLog, utcnow
from data_access.demo.gates import add_gates
from data_access.demo.intake import add_intake
from data_access.demo.lessons import add_lessons
from data_access.demo.library import add_library
from data_access.demo.organisation import add_organisation
from data_access.demo.projects import add_project
from data_access.demo.recovery import add_recovery
from data_access.demo.resources import add_resources
from data_access.demo.reviews import add_reviews
from data_access.demo.rows import DemoRows, friday_on_or_before
from data_access.demo.schedules import add_schedule_imports
from data_access.demo.stakeholders import add_inbox, add_stakeholders
from data_access.demo.training import add_training

TIERS = {
    # number of projects; everything else scales with it
    "S": 50,
    "M": 500,
    "L": 5_000,
    "XL": 20_000,  # PostgreSQL: the team deployment's ceiling (PMO_DOMAIN.md)
}
WEEKS = 52
PROFILES = (("green", 0.68), ("amber", 0.18), ("red", 0.08), ("watch", 0.06))


def generate(tier: str = "S", *, seed: int = 42, today: dt.date | None = None) -> DemoRows:
    """Build the rows of a demo portfolio; nothing is written."""
    today = today or clock.today()
    n_projects = TIERS[tier]
    rng = random.Random(f"{seed}-{tier}")
    out = DemoRows()
    now = utcnow()
    stamp = {"version": 1, "created_at": now, "updated_at": now}
    report_days = [friday_on_or_before(today) - dt.timedelta(weeks=w) for w in range(WEEKS)][::-1]

    organisation = add_organisation(out, rng, tier, n_projects, stamp)

    profile_names = [p for p, _ in PROFILES]
    profile_weights = [w for _, w in PROFILES]
    for p in range(1, n_projects + 1):
        profile = rng.choices(profile_names, profile_weights)[0]
        add_project(
            out,
            rng,
            p,
            profile,
            today,
            report_days,
            stamp,
            program=rng.randint(1, organisation.n_programs),
            department=rng.randint(1, organisation.n_departments),
            manager=organisation.project_managers[(p - 1) % len(organisation.project_managers)],
            sponsor=rng.choice(organisation.sponsors),
            staff=organisation.staff,
            n_projects=n_projects,
        )

    add_gates(out, f"{seed}-{tier}", today, stamp)
    add_lessons(out, f"{seed}-{tier}", today, stamp, organisation.project_managers)
    add_training(out, f"{seed}-{tier}", today, stamp, organisation.project_managers)
    add_library(out, f"{seed}-{tier}", today, stamp, admin=1)
    add_resources(out, random.Random(f"{seed}-{tier}-resources"), today, stamp, organisation.staff)
    add_reviews(out, rng, today, n_projects, stamp)
    add_recovery(out, random.Random(f"{seed}-{tier}-recovery"), today, stamp)
    add_schedule_imports(out, today)

    add_stakeholders(out, random.Random(f"{seed}-{tier}-stakeholders"), n_projects, stamp)
    add_inbox(out, today, now)

    add_intake(out, random.Random(f"{seed}-{tier}-intake"), tier, today, stamp, organisation)
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
