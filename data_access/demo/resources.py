"""Allocations and absences."""

from __future__ import annotations

import datetime as dt
import random

from data_access.core.models import Absence, Allocation, Person, Project
from data_access.demo.rows import DemoRows, monday_of


def add_resources(out: DemoRows, rng: random.Random, today: dt.date, stamp: dict, staff) -> None:
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
    monday = monday_of(today)
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
        first = monday_of(max(project["baseline_start"], today - dt.timedelta(weeks=26)))
        last = monday_of(project["forecast_finish"]) + dt.timedelta(days=4)
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
        start = monday_of(today + dt.timedelta(days=rng.randint(-30, 170)))
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
