"""The three lifecycle templates the app ships: predictive (PRINCE2 style), agile and hybrid.

Shared (core) because every database is seeded with them when it is brought up to date,
like the default settings; the gates feature reads and writes them.

A PMO copies and edits them in the app; these definitions only seed an empty library.
Criteria checked by the app name a rule of `domain.gates.CHECKS`; attested ones need evidence.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from data_access.core.models import LifecycleTemplate, LifecycleTemplateCreate

PMO_SITE = "https://intranet.example.org/pmo"

DECISION_LABELS = {
    "go": "Go",
    "go_conditions": "Go with conditions",
    "hold": "Hold",
    "recycle": "Recycle",
    "stop": "Stop",
}
# Decisions that move the project to the next phase.
MOVES_ON = ("go", "go_conditions")


def _auto(phase: str, check: str, label: str, must: bool = True) -> dict[str, Any]:
    return {"id": f"{phase}-{check}", "kind": "auto", "check": check, "label": label, "must": must}


def _attest(phase: str, slug: str, label: str, must: bool = True) -> dict[str, Any]:
    return {"id": f"{phase}-{slug}", "kind": "attested", "check": "", "label": label, "must": must}


def _common(phase: str) -> list[dict[str, Any]]:
    """What every gate checks from the data: reporting, risks, the last gate's conditions."""
    return [
        _auto(phase, "status_recent", "A recent status update"),
        _auto(phase, "high_risks_answered", "High/Critical risks have an owner and a response"),
        _auto(phase, "risks_reviewed", "No risk left unreviewed", must=False),
        _auto(phase, "gate_actions_closed", "Conditions of the last gate closed"),
    ]


def _phase(slug, name, stage, weeks, guidance, deliverables, gate, approvers, extra):
    return {
        "name": name,
        "stage": stage,
        "weeks": weeks,
        "guidance": guidance,
        "deliverables": deliverables,
        "links": [f"{PMO_SITE}/templates/{slug}", f"{PMO_SITE}/training/{slug}"],
        "gate": gate,
        "approvers": approvers,
        "criteria": extra + _common(slug),
    }


PREDICTIVE = {
    "key": "predictive",
    "name": "Predictive (PRINCE2 style)",
    "description": "Plan-driven delivery in management stages; each stage boundary is a gate.",
    "phases": [
        _phase(
            "su",
            "Starting up",
            "Idea",
            4,
            "Appoint the executive and the project manager, capture lessons from earlier "
            "projects and write the project brief with an outline business case. Decide how "
            "the initiation stage will be run.",
            ["Project brief", "Outline business case", "Initiation stage plan"],
            "Authorise initiation",
            ["sponsor", "pmo"],
            [_attest("su", "brief", "Project brief approved by the sponsor")],
        ),
        _phase(
            "in",
            "Initiation",
            "Initiation",
            8,
            "Produce the project initiation documentation: detailed business case, project "
            "plan with baselined milestones, risk, quality, change and communication approaches. "
            "Get the budget approved.",
            ["Project initiation documentation", "Business case", "Project plan"],
            "Authorise the project",
            ["sponsor", "portfolio_manager", "pmo"],
            [
                _auto("in", "budget_approved", "Budget approved"),
                _auto("in", "plan_baselined", "Plan baselined with milestones"),
                _attest("in", "pid", "Project initiation documentation signed off"),
            ],
        ),
        _phase(
            "ds",
            "Delivery stages",
            "Execution",
            26,
            "Deliver the products stage by stage, report every week, keep risks and issues "
            "current and prepare the next stage plan before each boundary.",
            ["Products of the stage", "End stage report", "Updated business case"],
            "Authorise closure",
            ["sponsor", "portfolio_manager"],
            [
                _auto("ds", "phase_milestones_done", "Stage milestones complete"),
                _attest("ds", "acceptance", "Products accepted by the users"),
            ],
        ),
        _phase(
            "cl",
            "Closing",
            "Closing",
            4,
            "Hand over the products, confirm acceptance, write the end project report and the "
            "lessons report, and plan the benefits reviews.",
            ["End project report", "Lessons report", "Benefits review plan"],
            "Close the project",
            ["sponsor", "pmo"],
            [_attest("cl", "lessons", "Lessons report shared with the PMO")],
        ),
    ],
}

AGILE = {
    "key": "agile",
    "name": "Agile (discovery, releases, transition)",
    "description": "Iterative delivery in release increments after a short discovery.",
    "phases": [
        _phase(
            "di",
            "Discovery",
            "Initiation",
            6,
            "Understand the users and the problem, form the team, build a first product backlog "
            "and a release roadmap, and agree the budget envelope.",
            ["Product vision", "Initial backlog", "Release roadmap"],
            "Ready to build",
            ["sponsor", "portfolio_manager"],
            [
                _auto("di", "budget_approved", "Budget envelope approved"),
                _attest("di", "vision", "Product vision agreed with the product owner"),
            ],
        ),
        _phase(
            "ri",
            "Release increments",
            "Execution",
            24,
            "Deliver in sprints, demonstrate every increment, keep the release milestones "
            "forecast and the risk log current. Release when the increment is valuable.",
            ["Working increments", "Sprint reviews", "Release notes"],
            "Ready to transition",
            ["portfolio_manager"],
            [
                _auto("ri", "plan_baselined", "Release milestones baselined"),
                _auto("ri", "phase_milestones_done", "Release milestones complete"),
                _attest("ri", "demo", "Increment demonstrated to the users"),
            ],
        ),
        _phase(
            "tr",
            "Transition",
            "Closing",
            4,
            "Hand the product over to the teams who run it, train the users, close the "
            "backlog and share what the team learnt.",
            ["Run book", "Support handover", "Retrospective"],
            "Handed over",
            ["sponsor", "pmo"],
            [_attest("tr", "handover", "Support team accepted the handover")],
        ),
    ],
}

HYBRID = {
    "key": "hybrid",
    "name": "Hybrid (predictive start and end, agile delivery)",
    "description": "A governed start and close around iterative delivery.",
    "phases": [
        _phase(
            "id",
            "Idea and business case",
            "Idea",
            4,
            "Describe the need, the options and the expected benefits; the PMO checks that "
            "the idea fits the portfolio.",
            ["Idea brief", "Options analysis"],
            "Approve the business case",
            ["sponsor", "pmo"],
            [_attest("id", "case", "Business case approved")],
        ),
        _phase(
            "pl",
            "Planning",
            "Planning",
            8,
            "Plan the releases, baseline the key milestones, approve the budget and set up the "
            "team and its ways of working.",
            ["Release plan", "Budget", "Team charter"],
            "Start delivery",
            ["sponsor", "portfolio_manager", "pmo"],
            [
                _auto("pl", "budget_approved", "Budget approved"),
                _auto("pl", "plan_baselined", "Key milestones baselined"),
                _attest("pl", "charter", "Team charter agreed", must=False),
            ],
        ),
        _phase(
            "de",
            "Iterative delivery",
            "Execution",
            24,
            "Deliver in iterations against the baselined key milestones; report every week.",
            ["Increments", "Iteration reviews"],
            "Ready to close",
            ["portfolio_manager"],
            [
                _auto("de", "phase_milestones_done", "Key milestones complete"),
                _attest("de", "acceptance", "Users accepted the delivery"),
            ],
        ),
        _phase(
            "cs",
            "Closing",
            "Closing",
            4,
            "Hand over, close the contracts, report on benefits and lessons.",
            ["Closure report", "Lessons learnt"],
            "Close the project",
            ["sponsor", "pmo"],
            [_attest("cs", "closure", "Closure report approved")],
        ),
    ],
}

SHIPPED = (PREDICTIVE, AGILE, HYBRID)


def seed_templates(conn: sa.Connection) -> None:
    """Give an empty library the shipped templates (run at every start; a no-op once seeded)."""
    table = LifecycleTemplate.__table__
    if conn.execute(sa.select(table.c.id).limit(1)).first() is not None:
        return
    now = dt.datetime.now(dt.UTC)
    for definition in SHIPPED:
        valid = LifecycleTemplateCreate.model_validate(definition)
        conn.execute(sa.insert(table).values(**valid.model_dump(), created_at=now, updated_at=now))
