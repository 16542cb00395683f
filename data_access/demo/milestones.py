"""A project's milestones, slipping in steps, with their history."""

from __future__ import annotations

import datetime as dt

from data_access.core.models import Milestone, MilestoneHistory
from data_access.demo.words import MILESTONE_NAMES

MILESTONES_PER_PROJECT = 10


def add_milestones(
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
