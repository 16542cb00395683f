"""Path-to-green rows for the demo portfolio: every Red and Amber project's recovery plans
over its current off-Green stretch (some holding their back-to-green date, some slipping
three times), recovery actions (done, open, overdue) and a few escalations, answered in the
last review or still open."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from data_access.core.models import (
    Action,
    Escalation,
    Program,
    Project,
    RaidItem,
    RecoveryPlan,
    Review,
    StatusReport,
)

CAUSES = ("scope", "resources", "supplier", "technical", "funding", "dependency")
ACTIONS = (
    "Second supplier contracted for the integration work",
    "Re-plan the cut-over with the business",
    "Two extra testers from the shared pool",
    "Descope the reporting module to release 2",
    "Daily defect triage with the vendor",
    "Change request for the extra budget to the board",
)
ASKS = (
    (
        "sponsor",
        "Approve 60 k extra budget for a second supplier",
        "The supplier cannot deliver before March; a second one keeps the go-live.",
    ),
    (
        "portfolio_manager",
        "Release two testers from the shared pool for six weeks",
        "Test capacity is the critical path; without it the date slips again.",
    ),
    (
        "steering_group",
        "Decide between the go-live date and the full scope",
        "Both cannot be held: the team needs the trade-off decided.",
    ),
)
ANSWERS = (
    "Second supplier approved up to 60 k",
    "Two testers released until the end of the quarter",
    "Go-live held; reporting module moved to release 2",
)
WEEK = dt.timedelta(weeks=1)
PLAN_WEEKS = 12


def add_recovery(out, rng: random.Random, today: dt.date, stamp: dict) -> None:
    reports = defaultdict(list)
    for row in out.rows.get(StatusReport, []):
        reports[row["project_id"]].append(row)
    red = []
    for project in out.rows[Project]:
        if project["status"] not in ("active", "on hold"):
            continue
        history = sorted(reports.get(project["id"], []), key=lambda r: r["report_date"])
        greens = [i for i, r in enumerate(history) if r["overall_rag"] == "G"]
        episode = history[greens[-1] + 1 :] if greens else history
        if not episode:
            continue
        _plans(out, rng, project, episode, today)
        start = max(episode[0]["report_date"], today - PLAN_WEEKS * WEEK)
        _actions(out, rng, project, start, today, stamp)
        if episode[-1]["overall_rag"] == "R":
            red.append(project)
    _escalations(out, rng, red, today, stamp)


def _plans(out, rng: random.Random, project: dict, episode: list[dict], today: dt.date) -> None:
    """Weekly plans over the last weeks of the episode (the PMO asked for them from then on).
    Seven in ten hold a date after today; the others slip it three times as it comes near,
    the last time beyond today (a plan's date is never before its report)."""
    plans = [r for r in episode if r["report_date"] > today - PLAN_WEEKS * WEEK]
    if not plans:
        return
    start = plans[0]["report_date"]
    slipping = len(plans) == PLAN_WEEKS and rng.random() < 0.3
    if slipping:
        expected = start + 3 * WEEK
    else:
        expected = max(start + rng.randint(8, 16) * WEEK, today + rng.randint(1, 8) * WEEK)
    cause = rng.choice(CAUSES)
    slips = 0
    for i, report in enumerate(plans):
        if slipping and slips < 3 and report["report_date"] >= expected - WEEK:
            slips += 1
            expected += rng.randint(2, 4) * WEEK
            if slips == 3:
                expected = max(expected, today + rng.randint(1, 4) * WEEK)
        out.add(
            RecoveryPlan,
            {
                "project_id": project["id"],
                "status_report_id": report["id"],
                "report_date": report["report_date"],
                "author_id": report["author_id"],
                "cause": cause,
                "expected_green_date": max(expected, report["report_date"]),
                "confidence": ("high", "medium", "low", "low")[slips] if slipping else "medium",
                "note": "Recovery agreed with the sponsor; tracked weekly." if i == 0 else "",
                "created_at": report["created_at"],
            },
        )


def _actions(out, rng: random.Random, project: dict, start: dt.date, today: dt.date, stamp):
    for k, title in enumerate(rng.sample(ACTIONS, 3)):
        due = start + (2 + 3 * k) * WEEK
        done = due < today - WEEK and rng.random() < 0.7
        out.add(
            Action,
            {
                "title": title,
                "review_id": None,
                "project_id": project["id"],
                "owner_id": project["manager_id"],
                "due_date": due,
                "status": "done" if done else "open",
                "closed_on": due if done else None,
                "origin": "recovery",
                "gate_review_id": None,
                **stamp,
            },
        )


def _escalations(out, rng: random.Random, red: list[dict], today: dt.date, stamp) -> None:
    """A few Red projects escalate: the older asks answered in the last review, the newer
    open (one of them past its date)."""
    last = max(out.rows[Review], key=lambda r: r["held_on"])
    managers = {p["id"]: p["manager_id"] for p in out.rows[Program]}
    for n, project in enumerate(red[: max(4, len(red) // 6)]):
        asked_of, ask, reason = ASKS[n % len(ASKS)]
        answered = n % 2 == 0
        # The first open one is past its date: overdue at the next review.
        days = 12 if answered else (20 if n == 1 else 5)
        raised = (last["held_on"] if answered else today) - dt.timedelta(days=days)
        decision_id = None
        if answered:
            decision_id = out.add(
                RaidItem,
                {
                    "project_id": project["id"],
                    "description": f"Answer to the escalation: {ask}.",
                    "owner_id": project["manager_id"],
                    "provider_project_id": None,
                    "provider_milestone_id": None,
                    "need_by": None,
                    "decided_on": last["held_on"],
                    "review_id": last["id"],
                    "raised_on": last["held_on"],
                    "closed_on": last["held_on"],
                    **stamp,
                    "kind": "decision",
                    "title": ANSWERS[n % len(ANSWERS)],
                    "status": "closed",
                    "due_date": None,
                },
            )
        out.add(
            Escalation,
            {
                "project_id": project["id"],
                "ask": ask,
                "reason": reason,
                "asked_of": asked_of,
                "needed_by": raised + 2 * WEEK,
                "asked_person_id": {
                    "sponsor": project["sponsor_id"],
                    "portfolio_manager": managers[project["program_id"]],
                }.get(asked_of),
                "raised_by_id": project["manager_id"],
                "raised_on": raised,
                "status": "answered" if answered else "open",
                "decision_id": decision_id,
                "answered_on": last["held_on"] if answered else None,
                **stamp,
            },
        )
