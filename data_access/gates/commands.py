"""Writes of the methodology: template library, lifecycles, gate submissions and decisions.

Each follows data_access/commands.py: keyword-only `session=` and `actor=`, every problem
reported at once, a permission check, versioned rows, audit rows and one commit. A project's
phase changes here only: through a gate decision, or a PMO admin's recorded exception.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, Session, SQLModel

from data_access.core.lesson_models import Lesson
from data_access.core.lifecycles import DECISION_LABELS, MOVES_ON
from data_access.core.models import (
    NAME_MAX,
    TEXT_MAX,
    Action,
    GateEvidence,
    GateReview,
    LifecycleTemplate,
    LifecycleTemplateBase,
    LifecycleTemplateCreate,
    Person,
    Project,
    ProjectBase,
    ProjectLifecycle,
    _check_choice,
    utcnow,
)
from data_access.core.permissions import may_edit_project, refuse, require_admin
from data_access.core.writes import (
    Actor,
    ConflictError,
    NotFound,
    ValidationFailed,
    WriteError,
    audit,
    check_text,
    commit,
    committed,
    delete_row,
    fetch_row,
    insert_row,
    update_row,
    validate,
    with_last_editor,
)

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


class GateDecidedMeanwhile(ConflictError):
    """Another approver decided this gate after this one opened it."""

    def __init__(self, gate: dict[str, Any]):
        self.entity, self.entity_id, self.current = "gate_review", gate["id"], gate
        by = gate.get("_changed_by") or "another approver"
        decision = DECISION_LABELS.get(gate.get("decision"), "a decision")
        WriteError.__init__(
            self, f"This gate was decided meanwhile by {by}: {decision}. Nothing was saved."
        )


class NewerRevision(ConflictError):
    """A revision of the template was saved after this one was opened for editing."""

    def __init__(self, latest: dict[str, Any]):
        self.entity, self.entity_id, self.current = "lifecycle_template", latest["id"], latest
        by = latest.get("_changed_by") or "someone else"
        WriteError.__init__(
            self,
            f"{by} saved revision {latest['revision']} of this template since you opened it. "
            "Nothing was saved: open the newest revision and make your changes there.",
        )


class _GateFields(SQLModel):
    """The gate review fields a decision sets (validated like any update)."""

    status: str
    decision: str | None = None
    decided_on: dt.date | None = None
    decided_by_id: int | None = None
    reason: str = Field(default="", max_length=TEXT_MAX)


class _LifecycleFields(SQLModel):
    template_id: int
    phase_index: int = Field(ge=0)
    phase_started_on: dt.date
    gate_due: dt.date | None = None
    status: str


class _TemplateStatus(SQLModel):
    status: str

    @field_validator("status")
    @classmethod
    def _status(cls, v):
        return _check_choice(v, ("active", "retired"), "status")


# --- the template library ------------------------------------------------------------------


def copy_template(template_id: int, data: dict[str, Any], *, session: Session, actor: Actor) -> int:
    """A new template (revision 1) from an existing one, under a new key and name."""
    require_admin(session, actor, "copy a lifecycle template", entity="lifecycle_template")
    source = fetch_row(session, LifecycleTemplate, template_id)
    values = {
        "key": data.get("key"),
        "name": data.get("name"),
        "description": data.get("description", source["description"]),
        "phases": source["phases"],
        "revision": 1,
    }
    valid = validate(LifecycleTemplateCreate, values)
    taken = session.execute(
        sa.select(LifecycleTemplate.id).where(LifecycleTemplate.key == valid.key)
    ).first()
    if taken:
        raise ValidationFailed({"key": "is already used by another template"})
    new_id = insert_row(
        session, LifecycleTemplate, valid.model_dump(), actor=actor, project_id=None
    )
    commit(session)
    return new_id


def stage_template_revision(
    template_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> int:
    """`revise_template` without the commit: a lesson merged into guidance is marked in the
    same transaction as the revision it made."""
    require_admin(
        session,
        actor,
        "edit a lifecycle template",
        entity="lifecycle_template",
        entity_id=template_id,
    )
    current = fetch_row(session, LifecycleTemplate, template_id)
    if current["version"] != expected_version:
        raise ConflictError(
            "lifecycle_template",
            template_id,
            with_last_editor(session, "lifecycle_template", current),
        )
    latest_id = session.execute(
        sa.select(LifecycleTemplate.id)
        .where(LifecycleTemplate.key == current["key"])
        .order_by(LifecycleTemplate.revision.desc())
        .limit(1)
    ).scalar_one()
    if latest_id != template_id:
        latest = fetch_row(session, LifecycleTemplate, latest_id)
        raise NewerRevision(with_last_editor(session, "lifecycle_template", latest))
    if "phases" in changes:
        changes = {**changes, "phases": _with_criterion_ids(changes["phases"])}
    fields = set(LifecycleTemplateBase.model_fields) - {"key", "revision", "status"}
    merged = {
        **{k: current[k] for k in fields},
        **{k: v for k, v in changes.items() if k in fields},
        "key": current["key"],
        "revision": current["revision"] + 1,
    }
    valid = validate(LifecycleTemplateCreate, merged)
    return insert_row(session, LifecycleTemplate, valid.model_dump(), actor=actor, project_id=None)


revise_template = committed(
    stage_template_revision,
    "Edit a template: a new revision under the same key. The edited revision is never "
    "rewritten, so projects that follow it keep their history; moving them is explicit.",
)


def _with_criterion_ids(phases: Any) -> Any:
    """New criteria (no id yet) get one no other criterion has had: gate records name the
    criteria by id, so an id is never reused for another criterion."""
    if not isinstance(phases, list):
        return phases
    return [
        {
            **p,
            "criteria": [
                {**c, "id": c.get("id") or f"c-{uuid.uuid4().hex[:12]}"}
                if isinstance(c, dict)
                else c
                for c in p.get("criteria") or []
            ],
        }
        if isinstance(p, dict)
        else p
        for p in phases
    ]


def set_template_status(
    template_id: int, status: str, *, expected_version: int, session: Session, actor: Actor
) -> dict[str, Any]:
    """Retire a template (no new project may take it) or bring it back."""
    require_admin(
        session,
        actor,
        "retire a lifecycle template",
        entity="lifecycle_template",
        entity_id=template_id,
    )
    row = update_row(
        session,
        LifecycleTemplate,
        template_id,
        {"status": status},
        expected_version=expected_version,
        schema=_TemplateStatus,
        actor=actor,
        project_id=None,
    )
    commit(session)
    return row


def delete_template(
    template_id: int, *, expected_version: int, session: Session, actor: Actor
) -> None:
    """Delete a template nobody ever used; one in use can only be retired."""
    require_admin(
        session,
        actor,
        "delete a lifecycle template",
        entity="lifecycle_template",
        entity_id=template_id,
    )
    used = session.execute(
        sa.select(sa.func.count())
        .select_from(ProjectLifecycle)
        .where(ProjectLifecycle.template_id == template_id)
    ).scalar_one()
    gated = session.execute(
        sa.select(sa.func.count())
        .select_from(GateReview)
        .where(GateReview.template_id == template_id)
    ).scalar_one()
    if used or gated:
        raise WriteError(
            f"This template is in use ({used} project(s), {gated} gate record(s)): it cannot "
            "be deleted, only retired."
        )
    delete_row(
        session,
        LifecycleTemplate,
        template_id,
        expected_version=expected_version,
        actor=actor,
        project_id=None,
    )
    commit(session)


# --- lifecycles ------------------------------------------------------------------------------


def _phases(session: Session, template_id: int) -> list[dict]:
    return fetch_row(session, LifecycleTemplate, template_id)["phases"]


def _lifecycle_of(session: Session, project_id: int) -> dict[str, Any] | None:
    row = session.execute(
        sa.select(ProjectLifecycle.__table__).where(ProjectLifecycle.project_id == project_id)
    ).first()
    return dict(row._mapping) if row else None


def _set_project_phase(session, project_id: int, changes: dict[str, Any], actor: Actor) -> None:
    project = fetch_row(session, Project, project_id)
    update_row(
        session,
        Project,
        project_id,
        changes,
        expected_version=project["version"],
        schema=ProjectBase,
        actor=actor,
        project_id=project_id,
    )


def _move(session, lifecycle: dict, changes: dict, *, expected_version: int, actor: Actor):
    return update_row(
        session,
        ProjectLifecycle,
        lifecycle["id"],
        changes,
        expected_version=expected_version,
        schema=_LifecycleFields,
        actor=actor,
        project_id=lifecycle["project_id"],
    )


def _check_phase_index(phases: list[dict], phase_index: Any) -> dict[str, str]:
    if not isinstance(phase_index, int) or not 0 <= phase_index < len(phases):
        return {"phase_index": "choose one of the template's phases"}
    return {}


def assign_template(
    project_id: int, template_id: int | None, *, on: dt.date, session: Session, actor: Actor
) -> int:
    """Make a project follow a template, starting in the phase that matches its current one."""
    if template_id is None:
        raise ValidationFailed({"template_id": "choose a lifecycle template"})
    if not may_edit_project(session, actor, project_id):
        refuse(
            session,
            actor,
            "choose the project's lifecycle",
            entity="project_lifecycle",
            entity_id=None,
            project_id=project_id,
        )
    template = fetch_row(session, LifecycleTemplate, template_id)
    if template["status"] != "active":
        raise ValidationFailed({"template_id": "this template is retired; choose an active one"})
    if _lifecycle_of(session, project_id):
        raise WriteError(
            "This project already follows a lifecycle; a PMO admin moves it to another one."
        )
    project = fetch_row(session, Project, project_id)
    phases = template["phases"]
    index = next((i for i, p in enumerate(phases) if p["stage"] == project["phase"]), 0)
    values = {
        "project_id": project_id,
        "template_id": template_id,
        "phase_index": index,
        "phase_started_on": on,
        "gate_due": on + dt.timedelta(weeks=phases[index]["weeks"]),
        "status": "active",
    }
    new_id = insert_row(session, ProjectLifecycle, values, actor=actor, project_id=project_id)
    if project["phase"] != phases[index]["stage"]:
        _set_project_phase(session, project_id, {"phase": phases[index]["stage"]}, actor)
    commit(session)
    return new_id


def phase_exception(
    project_id: int,
    *,
    template_id: int,
    phase_index: int,
    reason: str,
    on: dt.date,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    """A PMO admin's recorded exception: put the project in a phase without a gate, or move it
    to another revision of its template. The reason is kept in the audit trail."""
    require_admin(
        session,
        actor,
        "change a phase without a gate",
        entity="project_lifecycle",
        entity_id=None,
    )
    lifecycle = _lifecycle_of(session, project_id)
    if lifecycle is None:
        raise NotFound("This project follows no lifecycle yet.")
    errors: dict[str, str] = {}
    if not (reason or "").strip():
        errors["reason"] = "is required: an exception is always explained"
    template = fetch_row(session, LifecycleTemplate, template_id)
    current = fetch_row(session, LifecycleTemplate, lifecycle["template_id"])
    if template["key"] != current["key"]:
        errors["template_id"] = "choose a revision of the same template"
    errors.update(_check_phase_index(template["phases"], phase_index))
    if errors:
        raise ValidationFailed(errors)
    check_text("reason", reason)
    if session.execute(
        sa.select(GateReview.id).where(
            GateReview.project_id == project_id, GateReview.status == "submitted"
        )
    ).first():
        raise WriteError("A gate of this project awaits a decision: decide it first.")
    phase = template["phases"][phase_index]
    row = _move(
        session,
        lifecycle,
        {
            "template_id": template_id,
            "phase_index": phase_index,
            "phase_started_on": on,
            "gate_due": on + dt.timedelta(weeks=phase["weeks"]),
            "status": "active",
        },
        expected_version=expected_version,
        actor=actor,
    )
    audit(
        session,
        actor=actor,
        action="exception",
        entity="project_lifecycle",
        entity_id=lifecycle["id"],
        project_id=project_id,
        before={"template_id": lifecycle["template_id"], "phase_index": lifecycle["phase_index"]},
        after={"template_id": template_id, "phase_index": phase_index, "reason": reason.strip()},
    )
    _set_project_phase(session, project_id, {"phase": phase["stage"]}, actor)
    commit(session)
    return row


# --- gates -------------------------------------------------------------------------------------


def _evidence_problems(criteria: list[dict], evidence: list[dict]) -> dict[str, str]:
    errors: dict[str, str] = {}
    attested = {c["id"]: c for c in criteria if c["kind"] == "attested"}
    given = {e.get("criterion_id"): e for e in evidence}
    for cid in given:
        if cid not in attested:
            errors[f"evidence.{cid}"] = "is not a criterion of this gate to attest"
    for cid, c in attested.items():
        e = given.get(cid)
        if e is None:
            if c.get("must", True):
                errors[f"evidence.{cid}"] = "give a link or a file as evidence, and a comment"
            continue
        link, content = (e.get("link") or "").strip(), e.get("content")
        if not link and not content:
            errors[f"evidence.{cid}"] = "give a link or a file as evidence"
        elif link and not link.startswith(("https://", "http://")):
            errors[f"evidence.{cid}"] = "the link must start with https:// or http://"
        elif content is not None and len(content) > MAX_EVIDENCE_BYTES:
            errors[f"evidence.{cid}"] = "the file must be at most 10 MB"
        elif not (e.get("comment") or "").strip():
            errors[f"evidence.{cid}"] = "add a comment saying what the evidence shows"
        elif len(e.get("comment") or "") > TEXT_MAX or len(link) > 2000:
            errors[f"evidence.{cid}"] = "the comment or the link is too long"
    return errors


CLOSING_NEEDS_LESSON = (
    "the closing gate asks for at least one lesson learned: record one for this project first"
)


def _has_lesson(session: Session, project_id: int) -> bool:
    """Whether the project has a lesson the PMO has not archived (the closing gate's rule)."""
    return (
        session.execute(
            sa.select(Lesson.id)
            .where(Lesson.project_id == project_id, Lesson.status != "archived")
            .limit(1)
        ).first()
        is not None
    )


def submit_gate(
    project_id: int,
    *,
    note: str,
    evidence: list[dict[str, Any]],
    checked: list[dict[str, Any]],
    on: dt.date,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> int:
    """The project manager submits the current phase's gate for a decision, with evidence.

    `checked` holds the criteria as the app evaluated them from the live data just before
    (`domain.gates.evaluate_criteria`): they are kept with the submission, so the approvers
    and the compliance view see what held on the day it was submitted. Attested criteria are
    met by the evidence given here, whatever `checked` says. The gate that closes the
    lifecycle (its last phase's) asks for at least one lesson recorded on the project.
    """
    if not may_edit_project(session, actor, project_id):
        refuse(
            session,
            actor,
            "submit this project's gate",
            entity="gate_review",
            entity_id=None,
            project_id=project_id,
        )
    lifecycle = _lifecycle_of(session, project_id)
    if lifecycle is None or lifecycle["status"] != "active":
        raise WriteError("This project has no open gate: it follows no active lifecycle.")
    if lifecycle["version"] != expected_version:
        raise ConflictError(
            "project_lifecycle",
            lifecycle["id"],
            with_last_editor(session, "project_lifecycle", lifecycle),
        )
    pending = session.execute(
        sa.select(GateReview.__table__).where(
            GateReview.project_id == project_id, GateReview.status == "submitted"
        )
    ).first()
    if pending:
        raise WriteError(
            f"This gate was already submitted on {pending.submitted_on} and awaits a decision."
        )
    phases = _phases(session, lifecycle["template_id"])
    phase = phases[lifecycle["phase_index"]]
    errors = _evidence_problems(phase["criteria"], evidence)
    if len(note or "") > TEXT_MAX:
        errors["note"] = f"must be at most {TEXT_MAX:,} characters"
    if lifecycle["phase_index"] == len(phases) - 1 and not _has_lesson(session, project_id):
        errors["lessons"] = CLOSING_NEEDS_LESSON
    if errors:
        raise ValidationFailed(errors)
    results = _results(phase["criteria"], checked, {e["criterion_id"] for e in evidence})
    gate_id = insert_row(
        session,
        GateReview,
        {
            "project_id": project_id,
            "template_id": lifecycle["template_id"],
            "phase_index": lifecycle["phase_index"],
            "planned_on": lifecycle["gate_due"],
            "status": "submitted",
            "submitted_on": on,
            "submitted_by_id": actor.person_id,
            "note": (note or "").strip(),
            "criteria": results,
            "unmet": sum(1 for r in results if r["must"] and not r["met"]),
            "reason": "",
        },
        actor=actor,
        project_id=project_id,
    )
    for e in evidence:
        _attest(session, gate_id, project_id, e, actor)
    commit(session)
    return gate_id


def _attest(session: Session, gate_id: int, project_id: int, e: dict, actor: Actor) -> None:
    """Store one piece of evidence; the audit row names the file and its size, not its bytes."""
    check_text("comment", e.get("comment") or "")
    content = e.get("content")
    values = {
        "gate_review_id": gate_id,
        "criterion_id": e["criterion_id"],
        "comment": (e.get("comment") or "").strip(),
        "link": (e.get("link") or "").strip(),
        "file_name": (e.get("file_name") or "")[:NAME_MAX],
        "attested_by_id": actor.person_id,
    }
    table = GateEvidence.__table__
    new_id = session.execute(
        sa.insert(table)
        .values(**values, content=content, created_at=utcnow())
        .returning(table.c.id)
    ).scalar_one()
    size = {"file_bytes": len(content)} if content is not None else {}
    audit(
        session,
        actor=actor,
        action="create",
        entity="gate_evidence",
        entity_id=new_id,
        project_id=project_id,
        after={**values, **size},
    )


def _results(criteria: list[dict], checked: list[dict], attested: set[str]) -> list[dict]:
    """The gate's criteria with met and reason: as checked for the app's, by evidence for the
    attested ones. A criterion the check left out counts as unmet."""
    found = {c.get("id"): c for c in checked}
    out = []
    for c in criteria:
        if c["kind"] == "attested":
            met = c["id"] in attested
            reason = "Attested with evidence" if met else "No evidence given"
        else:
            result = found.get(c["id"], {})
            met = bool(result.get("met", False))
            reason = str(result.get("reason") or "Not checked")[:NAME_MAX]
        out.append({**c, "met": met, "reason": reason})
    return out


def decision_problems(
    decision: str | None, reason: str, conditions: list[dict], on: dt.date
) -> dict[str, str]:
    """Every problem with a gate decision at once: {field: words}."""
    errors: dict[str, str] = {}
    if decision not in DECISION_LABELS:
        errors["decision"] = "choose Go, Go with conditions, Hold, Recycle or Stop"
    if not (reason or "").strip():
        errors["reason"] = "is required: say why"
    if decision == "go_conditions" and not conditions:
        errors["conditions"] = "Go with conditions needs at least one condition"
    if decision != "go_conditions" and conditions:
        errors["conditions"] = "only Go with conditions carries conditions"
    for i, c in enumerate(conditions):
        if not (c.get("title") or "").strip():
            errors[f"conditions.{i}.title"] = "is required"
        if c.get("owner_id") is None:
            errors[f"conditions.{i}.owner_id"] = "choose who owns it"
        due = c.get("due_date")
        if due is None:
            errors[f"conditions.{i}.due_date"] = "give a due date"
        elif due < on:
            errors[f"conditions.{i}.due_date"] = "cannot be before the decision"
    return errors


def may_decide(session: Session, actor: Actor, project_id: int, approvers: list[str]) -> bool:
    """The approvers the template names for the gate: the project's sponsor, a portfolio
    manager of the project, the PMO (admins; they may always decide)."""
    if actor.role == "admin":
        return True
    if actor.person_id is None:
        return False
    if "sponsor" in approvers:
        sponsor = session.execute(
            sa.select(Project.sponsor_id).where(Project.id == project_id)
        ).scalar()
        if sponsor == actor.person_id:
            return True
    return (
        "portfolio_manager" in approvers
        and actor.role == "portfolio_manager"
        and may_edit_project(session, actor, project_id)
    )


def decide_gate(
    gate_id: int,
    *,
    decision: str | None,
    reason: str,
    conditions: list[dict[str, Any]],
    on: dt.date,
    expected_version: int,
    next_due: dt.date | None = None,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    """Decide a submitted gate: Go moves the project to the next phase (or closes it after
    the last), Go with conditions also creates an action per condition, Hold and Recycle keep
    it in its phase (optionally with a new gate date), Stop cancels the project.

    Two approvers deciding at once never both win: the second is told it was decided meanwhile.
    """
    gate = fetch_row(session, GateReview, gate_id)
    phases = _phases(session, gate["template_id"])
    phase = phases[gate["phase_index"]]
    if not may_decide(session, actor, gate["project_id"], phase["approvers"]):
        refuse(
            session,
            actor,
            "decide this gate",
            entity="gate_review",
            entity_id=gate_id,
            project_id=gate["project_id"],
        )
    if gate["status"] == "decided":
        raise GateDecidedMeanwhile(with_last_editor(session, "gate_review", gate))
    errors = decision_problems(decision, reason, conditions, on)
    for i, c in enumerate(conditions):
        if (
            c.get("owner_id") is not None
            and not session.execute(sa.select(Person.id).where(Person.id == c["owner_id"])).first()
        ):
            errors[f"conditions.{i}.owner_id"] = "choose a person who exists"
    if next_due is not None and next_due < on:
        errors["next_due"] = "cannot be before the decision"
    if errors:
        raise ValidationFailed(errors)
    check_text("reason", reason)
    try:
        row = update_row(
            session,
            GateReview,
            gate_id,
            {
                "status": "decided",
                "decision": decision,
                "decided_on": on,
                "decided_by_id": actor.person_id,
                "reason": reason.strip(),
            },
            expected_version=expected_version,
            schema=_GateFields,
            actor=actor,
            project_id=gate["project_id"],
        )
    except ConflictError as exc:
        if exc.current.get("status") == "decided":
            raise GateDecidedMeanwhile(exc.current) from exc
        raise
    for c in conditions:
        insert_row(
            session,
            Action,
            {
                "title": c["title"].strip()[:NAME_MAX],
                "project_id": gate["project_id"],
                "owner_id": c["owner_id"],
                "due_date": c["due_date"],
                "status": "open",
                "gate_review_id": gate_id,
            },
            actor=actor,
            project_id=gate["project_id"],
        )
    _apply(session, gate, phases, decision, on, next_due, actor)
    commit(session)
    return row


def _apply(session, gate: dict, phases: list[dict], decision: str, on, next_due, actor) -> None:
    """What a decision does to the project's lifecycle and record."""
    lifecycle = _lifecycle_of(session, gate["project_id"])

    def move(changes: dict) -> None:
        _move(session, lifecycle, changes, expected_version=lifecycle["version"], actor=actor)

    project_id = gate["project_id"]
    if decision in MOVES_ON:
        following = gate["phase_index"] + 1
        if following >= len(phases):
            move({"status": "completed", "gate_due": None})
            _set_project_phase(session, project_id, {"phase": "Closed"}, actor)
            return
        phase = phases[following]
        move(
            {
                "phase_index": following,
                "phase_started_on": on,
                "gate_due": on + dt.timedelta(weeks=phase["weeks"]),
            }
        )
        _set_project_phase(session, project_id, {"phase": phase["stage"]}, actor)
    elif decision == "stop":
        move({"status": "stopped", "gate_due": None})
        _set_project_phase(session, project_id, {"status": "cancelled"}, actor)
    elif next_due is not None:
        move({"gate_due": next_due})
