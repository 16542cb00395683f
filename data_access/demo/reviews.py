"""Three past portfolio reviews with their actions."""

from __future__ import annotations

import datetime as dt

from data_access.core.models import Action, Review
from data_access.demo.rows import friday_on_or_before


def add_reviews(out, rng, today, n_projects, stamp) -> None:
    for months_ago in (3, 2, 1):
        held = friday_on_or_before(today - dt.timedelta(days=30 * months_ago))
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
                    "gate_review_id": None,
                    "origin": "review",
                    **stamp,
                },
            )
