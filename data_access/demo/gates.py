"""Gate histories for the demo portfolio: every project follows one of the shipped templates.

Most gates passed with Go, some with conditions (actions, mostly closed), a few were held or
recycled before passing, a cancelled project was stopped at a gate, and some gates wait for
a decision. Uses its own random stream, so the rest of the portfolio does not change.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import sqlalchemy as sa

from data_access.core.lifecycles import SHIPPED
from data_access.core.models import (
    PHASES,
    Action,
    GateEvidence,
    GateReview,
    LifecycleTemplate,
    Project,
    ProjectLifecycle,
)

TEMPLATE_WEIGHTS = (0.45, 0.30, 0.25)  # predictive, agile, hybrid
# The demo project manager's first project keeps its gate open, so a newcomer can submit it.
OPEN_FOR_DEMO = 1
UNMET_REASONS = {
    "status_recent": "Last update 12 days ago: more than 7",
    "risks_reviewed": "2 open risk(s) not re-assessed for more than 30 days",
    "phase_milestones_done": "1 milestone(s) baselined by the gate not complete",
    "plan_baselined": "0 baselined milestones in the plan: fewer than 1",
    "high_risks_answered": "1 open High/Critical risk(s) without an owner or a response",
    "gate_actions_closed": "1 action(s) from an earlier gate still open",
    "budget_approved": "No approved budget is recorded",
}


def remap_templates(conn: sa.Connection, rows: dict) -> None:
    """Point the demo's template ids (1, 2, 3 in SHIPPED order) at the ids the database gave
    the shipped templates when it seeded them."""
    ids = dict(
        conn.execute(
            sa.select(LifecycleTemplate.key, LifecycleTemplate.id).where(
                LifecycleTemplate.revision == 1
            )
        ).all()
    )
    mapping = {i + 1: ids[t["key"]] for i, t in enumerate(SHIPPED)}
    for model in (ProjectLifecycle, GateReview):
        for row in rows.get(model, []):
            row["template_id"] = mapping[row["template_id"]]


def _phase_index(phases: list[dict], stage: str) -> int:
    """The template phase a project in `stage` is in: the last one not beyond it."""
    order = PHASES.index(stage)
    fitting = [i for i, p in enumerate(phases) if PHASES.index(p["stage"]) <= order]
    return fitting[-1] if fitting else 0


def _snapshot(rng: random.Random, criteria: list[dict], strict: bool) -> list[dict]:
    out = []
    for c in criteria:
        slip = not strict and c["kind"] == "auto" and rng.random() < 0.25
        reason = UNMET_REASONS.get(c["check"], "Not met") if slip else "Met at submission"
        if c["kind"] == "attested":
            reason = "Attested with evidence"
        out.append({**c, "met": not slip, "reason": reason})
    return out


def add_gates(out: Any, seed: str, today: dt.date, stamp: dict) -> None:
    """Lifecycles and gate histories for every generated project (rows added to `out`)."""
    rng = random.Random(f"{seed}-gates")
    projects = out.rows[Project]
    if not any(p["status"] == "cancelled" for p in projects):
        # Every demo shows one project stopped at a gate: one that was on hold, if any.
        held = [p for p in projects if p["status"] == "on hold"] or projects[-1:]
        held[0].update(status="cancelled", phase="Closed", actual_finish=None)
    for project in projects:
        t_index = rng.choices(range(len(SHIPPED)), TEMPLATE_WEIGHTS)[0]
        phases = SHIPPED[t_index]["phases"]
        status = project["status"]
        start = project["baseline_start"]
        if status == "completed":
            current, life = len(phases), "completed"
        elif status == "cancelled":
            current, life = rng.randint(0, len(phases) - 1), "stopped"
        else:
            current, life = _phase_index(phases, project["phase"]), "active"
            project["phase"] = phases[current]["stage"]
        # Gates so far, spread between the start and a recent day.
        last_day = min(today, project["forecast_finish"]) if life != "active" else today
        span = max(1, (last_day - start).days)
        started_current = start + dt.timedelta(days=span * current // (len(phases)))
        if life == "active":
            # A proposed project (starting later) is in its first phase since today.
            started_current = min(
                today, max(start, today - dt.timedelta(days=rng.randint(10, 120)))
            )
        ctx = {"out": out, "rng": rng, "project": project, "template": t_index + 1, "today": today}
        day = start
        for i in range(min(current, len(phases))):
            day = start + dt.timedelta(days=(started_current - start).days * (i + 1) // current)
            _passed_gate(ctx, phases, i, min(day, today), stamp, recent=i == current - 1)
        if life == "stopped":
            gate_day = min(today, max(start, day) + dt.timedelta(days=14))
            _gate(ctx, phases, current, gate_day, "stop", stamp, strict=False)
        due = None
        if life == "active":
            due = started_current + dt.timedelta(weeks=phases[current]["weeks"])
            pending = rng.random() < 0.18 and project["id"] != OPEN_FOR_DEMO
            if pending:
                latest = min(today, due + dt.timedelta(days=3))
                back = dt.timedelta(days=rng.randint(1, 12))
                submitted = min(today, max(started_current, latest - back))
                _gate(ctx, phases, current, submitted, None, stamp, strict=rng.random() < 0.7)
            elif rng.random() < 0.06 and started_current < today - dt.timedelta(days=14):
                # Held recently: decide again at the new date.
                _gate(
                    ctx, phases, current, today - dt.timedelta(days=7), "hold", stamp, strict=False
                )
                due = today + dt.timedelta(days=21)
        out.add(
            ProjectLifecycle,
            {
                "project_id": project["id"],
                "template_id": t_index + 1,
                "phase_index": min(current, len(phases) - 1),
                "phase_started_on": min(started_current, today),
                "gate_due": due,
                "status": life,
                **stamp,
            },
        )
        if life != "active":
            project["phase"] = "Closed"


def _passed_gate(ctx, phases, i, day, stamp, *, recent: bool) -> None:
    """A passed gate, sometimes after a Hold or a Recycle, sometimes with conditions."""
    rng = ctx["rng"]
    roll = rng.random()
    if roll < 0.06:
        _gate(ctx, phases, i, day - dt.timedelta(days=28), "recycle", stamp, strict=False)
    elif roll < 0.14:
        _gate(ctx, phases, i, day - dt.timedelta(days=21), "hold", stamp, strict=False)
    decision = "go_conditions" if rng.random() < 0.22 else "go"
    gate_id = _gate(ctx, phases, i, day, decision, stamp, strict=rng.random() < 0.8)
    if decision == "go_conditions":
        for title in rng.sample(CONDITIONS, rng.randint(1, 2)):
            due = day + dt.timedelta(days=rng.randint(14, 45))
            # Conditions of earlier gates are closed; the last gate's stay open while they run
            # (more than a week to go), so the review's list of open actions is not swamped.
            done = not recent or due <= ctx["today"] + dt.timedelta(days=7)
            ctx["out"].add(
                Action,
                {
                    "title": title,
                    "review_id": None,
                    "project_id": ctx["project"]["id"],
                    "owner_id": ctx["project"]["manager_id"],
                    "due_date": due,
                    "status": "done" if done else "open",
                    "closed_on": min(due, ctx["today"]) if done else None,
                    "gate_review_id": gate_id,
                    "origin": "review",  # a gate condition is followed like a review action
                    **stamp,
                },
            )


CONDITIONS = [
    "Confirm the budget for the next stage with Finance",
    "Re-baseline the plan after the supplier change",
    "Name an owner for every High risk",
    "Get the data protection assessment signed",
    "Agree the acceptance criteria with the users",
    "Close the open audit findings",
]
REASONS = {
    "go": "Criteria met; the plan for the next phase is credible.",
    "go_conditions": "Good to proceed once the conditions are closed.",
    "hold": "Business case to be confirmed with the sponsor first.",
    "recycle": "The plan is not baselined yet: redo the phase's planning.",
    "stop": "Benefits no longer justify the cost; the sponsor withdrew support.",
}


def _gate(ctx, phases, i, day, decision, stamp, *, strict: bool) -> int:
    out, rng, project = ctx["out"], ctx["rng"], ctx["project"]
    criteria = _snapshot(rng, phases[i]["criteria"], strict)
    submitted = day - dt.timedelta(days=rng.randint(2, 9)) if decision else day
    gate_id = out.add(
        GateReview,
        {
            "project_id": project["id"],
            "template_id": ctx["template"],
            "phase_index": i,
            "planned_on": day + dt.timedelta(days=rng.randint(-7, 7)),
            "status": "decided" if decision else "submitted",
            "submitted_on": submitted,
            "submitted_by_id": project["manager_id"],
            "note": f"{phases[i]['gate']}: deliverables attached.",
            "criteria": criteria,
            "unmet": sum(1 for c in criteria if c["must"] and not c["met"]),
            "decision": decision,
            "decided_on": day if decision else None,
            "decided_by_id": 1 if decision else None,
            "reason": REASONS.get(decision, ""),
            **stamp,
        },
    )
    for c in criteria:
        if c["kind"] == "attested":
            out.add(
                GateEvidence,
                {
                    "gate_review_id": gate_id,
                    "criterion_id": c["id"],
                    "comment": f"{c['label']}: see the signed document.",
                    "link": f"https://intranet.example.org/projects/{project['code']}/{c['id']}",
                    "file_name": "",
                    "content": None,
                    "attested_by_id": project["manager_id"],
                    "created_at": stamp["created_at"],
                },
            )
    return gate_id
