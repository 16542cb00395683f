"""Lessons learned for the demo portfolio: about four per project, in every category, written
the way project managers write them, with the PMO's review states and a few useful/applied
marks. Uses its own random stream, so the rest of the portfolio does not change."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from data_access.core.lesson_models import Lesson, LessonMark, size_of
from data_access.core.models import PHASES, GateReview, Project

PER_PROJECT = 4
STATUS_WEIGHTS = (("accepted", 0.45), ("draft", 0.30), ("merged", 0.15), ("archived", 0.10))
SUPPLIERS = [
    "Müller Logistik",
    "Société Réseau SA",
    "Nordström IT",
    "Atlas Consulting",
    "Café Créatif",
]
SYSTEMS = ["the ERP", "the CRM", "the data warehouse", "the payroll system", "the customer portal"]
TEAMS = ["finance", "the service desk", "legal", "the warehouse team", "marketing"]

# (category, kind, title, what happened, recommendation, tags); {supplier}, {system}, {team}
# and {weeks} are filled per lesson.
LESSONS = [
    (
        "scope",
        "avoid",
        "Scope grew through side requests",
        "Small requests from {team} were accepted in corridor conversations; after {weeks} weeks "
        "the backlog had grown by a third and nobody had approved it.",
        "Route every request through the change log and take it to the steering group weekly.",
        "change control, backlog",
    ),
    (
        "scope",
        "repeat",
        "Out-of-scope list signed with the charter",
        "Writing down what we would not do, and having the sponsor sign it, ended three debates "
        "about {system} reports before they started.",
        "Add an explicit out-of-scope list to the charter and review it at each gate.",
        "charter, sponsor",
    ),
    (
        "schedule",
        "avoid",
        "Test environment booked too late",
        "The shared test environment for {system} was booked out for {weeks} weeks when we needed "
        "it, and user acceptance testing slipped by a month.",
        "Reserve test environments at the planning gate, with a named owner and dates.",
        "testing, environments",
    ),
    (
        "schedule",
        "repeat",
        "Milestones re-forecast every Friday",
        "Re-forecasting the next three milestones in the weekly update showed the slip {weeks} "
        "weeks earlier than the monthly report would have.",
        "Forecast near milestones weekly, not only at month end.",
        "forecasting, status report",
    ),
    (
        "schedule",
        "avoid",
        "Holiday season ignored in the plan",
        "Key users from {team} were on leave during the cut-over window; the go-live moved "
        "by {weeks} weeks.",
        "Check the absence calendar of key users before fixing cut-over dates.",
        "cut-over, absences",
    ),
    (
        "cost",
        "avoid",
        "Licence costs missing from the business case",
        "Licences for {system} were priced per named user, not per seat; the forecast at "
        "completion rose by 18% in execution.",
        "Have procurement confirm the licence model before the business case is approved.",
        "licences, business case",
    ),
    (
        "cost",
        "repeat",
        "Contingency released only by the sponsor",
        "Keeping the contingency outside the team's budget made every draw a conscious decision; "
        "we finished with a third of it unused.",
        "Hold contingency at sponsor level and log every release with its reason.",
        "contingency, budget",
    ),
    (
        "quality",
        "avoid",
        "Acceptance criteria written after the build",
        "Acceptance criteria for {system} interfaces were agreed after development; {weeks} weeks "
        "of rework followed the first test cycle.",
        "Agree acceptance criteria with {team} before build starts, as a gate deliverable.",
        "acceptance, requirements",
    ),
    (
        "quality",
        "repeat",
        "Peer review of every data migration script",
        "A second pair of eyes on each migration script caught two mapping errors that would have "
        "corrupted customer records.",
        "Make peer review of migration scripts a definition-of-done item.",
        "data migration, review",
    ),
    (
        "risk",
        "avoid",
        "Risk register reviewed only at gates",
        "Risks were re-scored only before gate reviews; a supplier insolvency warning sat "
        "unassessed for {weeks} weeks.",
        "Review the top risks in every weekly meeting, not only at gates.",
        "risk review, cadence",
    ),
    (
        "risk",
        "repeat",
        "Pre-mortem at the start of execution",
        "A one-hour pre-mortem with {team} surfaced the data quality risk that later became the "
        "main issue, so a response was already planned.",
        "Run a pre-mortem workshop when execution starts and log what it finds.",
        "workshop, pre-mortem",
    ),
    (
        "stakeholders",
        "avoid",
        "Works council informed too late",
        "The works council heard of the new rota tool from staff, not from us; consultation added "
        "{weeks} weeks to the plan.",
        "Map statutory stakeholders in initiation and brief them before any announcement.",
        "works council, communication",
    ),
    (
        "stakeholders",
        "repeat",
        "Fortnightly demo for the business owners",
        "Showing working software to {team} every two weeks kept the sponsor engaged and caught "
        "misunderstandings early.",
        "Plan a short demo for business owners every sprint or fortnight.",
        "demo, engagement",
    ),
    (
        "resources",
        "avoid",
        "Key developer shared with three projects",
        "The only {system} specialist was allocated to three projects at once; each assumed "
        "priority and all three slipped.",
        "Check cross-project allocations of scarce specialists at the planning gate.",
        "allocation, specialists",
    ),
    (
        "resources",
        "repeat",
        "Named deputy for every critical role",
        "When the architect fell ill for {weeks} weeks, the named deputy took over the design "
        "decisions without a pause.",
        "Name a deputy for each critical role in the project charter.",
        "succession, roles",
    ),
    (
        "procurement",
        "avoid",
        "Supplier contract signed after kick-off",
        "The contract with {supplier} was signed {weeks} weeks after kick-off; work started on a "
        "letter of intent and scope was disputed.",
        "Start procurement before the planning gate; no supplier work without a signed contract.",
        "contract, supplier",
    ),
    (
        "procurement",
        "repeat",
        "Reference calls before choosing the vendor",
        "Calling two existing customers of {supplier} revealed support hours that did not match "
        "the proposal; we negotiated them into the contract.",
        "Make two reference calls part of every vendor selection.",
        "vendor selection, references",
    ),
    (
        "technology",
        "avoid",
        "Interface specifications assumed stable",
        "The {system} interface changed twice during build; each change cost {weeks} weeks of "
        "integration testing.",
        "Freeze interface versions with the owning team and track them as dependencies.",
        "integration, interfaces",
    ),
    (
        "technology",
        "repeat",
        "Spike before committing to the architecture",
        "A two-week technical spike on {system} showed the performance limit early and the design "
        "was changed before build.",
        "Budget a technical spike for any unproven component before the design gate.",
        "architecture, spike",
    ),
    (
        "governance",
        "avoid",
        "Steering group without decision rights",
        "The steering group could only recommend; each decision went on to the executive board and "
        "waited {weeks} weeks.",
        "Agree the steering group's decision rights and tolerances in the charter.",
        "steering group, tolerances",
    ),
    (
        "governance",
        "repeat",
        "Gate evidence prepared a week ahead",
        "Sending the gate evidence to approvers a week before the review made the meeting about "
        "decisions, not reading.",
        "Circulate gate evidence five working days before the review.",
        "gate review, evidence",
    ),
]


def add_lessons(out: Any, seed: str, today: dt.date, stamp: dict, people: list[int]) -> None:
    """Lessons of every generated project, and marks from project managers."""
    rng = random.Random(f"{seed}-lessons")
    gates_of: dict[int, list[int]] = {}
    for gate in out.rows.get(GateReview, []):
        if gate["status"] == "decided":
            gates_of.setdefault(gate["project_id"], []).append(gate["id"])
    states, weights = zip(*STATUS_WEIGHTS, strict=True)
    for project in out.rows[Project]:
        reached = PHASES.index(project["phase"])
        start = project["baseline_start"]
        for _ in range(PER_PROJECT):
            category, kind, title, happened, recommendation, tags = rng.choice(LESSONS)
            words = {
                "supplier": rng.choice(SUPPLIERS),
                "system": rng.choice(SYSTEMS),
                "team": rng.choice(TEAMS),
                "weeks": rng.randint(2, 9),
            }
            phase = PHASES[rng.randint(0, min(reached, len(PHASES) - 2))]
            gates = gates_of.get(project["id"], [])
            source = "closure" if phase == "Closing" else rng.choice(["gate", "manual"])
            if source == "gate" and not gates:
                source = "manual"
            # Between the project's start and today; a project not started yet learned lately.
            lived = (today - start).days
            recorded = today - dt.timedelta(days=rng.randint(0, lived if lived > 0 else 60))
            lesson_id = out.add(
                Lesson,
                {
                    **stamp,
                    "project_id": project["id"],
                    "title": title,
                    "what_happened": happened.format(**words),
                    "kind": kind,
                    "recommendation": recommendation.format(**words),
                    "category": category,
                    "phase": phase,
                    "department_id": project["department_id"],
                    "project_size": size_of(project["approved_budget"]),
                    "tags": tags,
                    "status": rng.choices(states, weights)[0],
                    "source": source,
                    "gate_review_id": rng.choice(gates) if source == "gate" else None,
                    "recorded_on": recorded,
                    "author_id": project["manager_id"],
                },
            )
            for person in rng.sample(people, k=rng.choice([0, 0, 1, 2, 3])):
                for mark in ("useful", "applied")[: rng.choice([1, 1, 2])]:
                    out.add(
                        LessonMark,
                        {
                            "lesson_id": lesson_id,
                            "person_id": person,
                            "project_id": None,
                            "kind": mark,
                            "marked_on": recorded,
                        },
                    )
