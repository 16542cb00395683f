"""Stakeholders, subscriptions and a few inbox messages, so the demo shows the push side."""

from __future__ import annotations

import datetime as dt
import secrets

from data_access.demo.words import FIRST, LAST
from data_access.stakeholders.models import Delivery, Stakeholder, Subscription

STAKEHOLDER_ROLES = (
    ("sponsor", 5, 4),
    ("steering group", 4, 3),
    ("user", 2, 5),
    ("supplier", 3, 2),
    ("team", 2, 4),
    ("other", 1, 2),
)
# The demo accounts (Ada Admin, Pat Portfolio, Petra Projects, Vic Viewer are ids 1 to 4).
SUBSCRIPTIONS = (
    {
        "person_id": 1,
        "scope": "portfolio",
        "filters": {},
        "cadence": "weekly",
        "weekday": 0,
        "hour": 8,
    },
    {
        "person_id": 2,
        "scope": "portfolio",
        "filters": {"health": ["Red", "Amber"]},
        "cadence": "weekly",
        "weekday": 4,
        "hour": 16,
    },
    {"person_id": 3, "scope": "project", "project_id": 1, "cadence": "after_review"},
    {
        "person_id": 4,
        "scope": "portfolio",
        "filters": {},
        "cadence": "monthly",
        "day_of_month": 1,
        "hour": 9,
    },
)


def add_stakeholders(out, rng, n_projects: int, stamp: dict) -> None:
    for project_id in range(1, n_projects + 1):
        for role, influence, interest in rng.sample(STAKEHOLDER_ROLES, rng.randint(3, 5)):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            out.add(
                Stakeholder,
                {
                    "project_id": project_id,
                    "person_id": None,
                    "name": name,
                    "email": f"{name.lower().replace(' ', '.')}@partner.example.org",
                    "role": role,
                    "influence": max(1, min(5, influence + rng.randint(-1, 1))),
                    "interest": max(1, min(5, interest + rng.randint(-1, 1))),
                    "receives": "Monthly status report" if influence >= 4 else "",
                    **stamp,
                },
            )
    for sub in SUBSCRIPTIONS:
        out.add(
            Subscription,
            {
                "project_id": None,
                "filters": None,
                "weekday": 0,
                "day_of_month": 1,
                "hour": 8,
                "time_zone": "Europe/Paris",
                "active": True,
                # Not from the seeded generator: an unsubscribe link must not be guessable.
                "unsubscribe_token": secrets.token_urlsafe(32),
                **sub,
                **stamp,
            },
        )


def add_inbox(out, today: dt.date, now: dt.datetime) -> None:
    """What the demo accounts find in their inbox on the first start."""
    messages = (
        (
            3,
            "reminder",
            "Weekly status update due: PRJ-0001",
            "Your weekly status update is due by Friday 17:00.",
            "/updates?project=PRJ-0001",
        ),
        (
            2,
            "notification",
            "An action was given to you: Confirm recovery plan with sponsor",
            "The action from the last portfolio review is now yours.",
            "/meeting",
        ),
        (
            1,
            "notification",
            "PRJ-0001 turned Red",
            "The latest status update made the project Red.",
            "/project?project=PRJ-0001",
        ),
    )
    for person_id, kind, subject, text, link in messages:
        out.add(
            Delivery,
            {
                "key": f"demo:{person_id}:{kind}:{today.isoformat()}",
                "kind": kind,
                "person_id": person_id,
                "email": "",
                "subject": subject,
                "body_text": text,
                "body_html": "",
                "parts": None,
                "blobs": None,
                "link": link,
                "unsubscribe": "",
                "by_email": False,
                "status": "inbox",
                "attempts": 0,
                "next_attempt_at": None,
                "last_error": "",
                "created_at": now,
                "sent_at": None,
                "read_at": None,
            },
        )
