"""Write functions for projects, weekly status reports, milestones and risks.

Each one: permission check, validation through the model's schema, the row, its history row,
its audit row and the data-version bump, committed together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from data_access.core.models import (
    Milestone,
    MilestoneBase,
    MilestoneCreate,
    MilestoneHistory,
    Project,
    ProjectBase,
    ProjectCreate,
    ProjectLifecycle,
    Risk,
    RiskAssessment,
    RiskBase,
    RiskCreate,
    StatusReport,
    StatusReportCreate,
    worst_rag,
)
from data_access.core.permissions import may_create_project, refuse, require_project_edit
from data_access.core.writes import (
    Actor,
    ConflictError,
    ValidationFailed,
    check_text,
    committed,
    fetch_row,
    insert_row,
    update_row,
    validate,
    with_last_editor,
)

# --- projects ---------------------------------------------------------------------------


def stage_project(data: dict[str, Any], *, session: Session, actor: Actor) -> int:
    """Validate, check and insert a project without committing (imports commit many at once)."""
    project = validate(ProjectCreate, data)
    if not may_create_project(session, actor, project.program_id, project.department_id):
        refuse(
            session,
            actor,
            "create a project here",
            entity="project",
            entity_id=None,
            project_id=None,
        )
    return insert_row(session, Project, project.model_dump(), actor=actor, project_id=None)


create_project = committed(stage_project, "Create a project.")


def stage_project_update(
    project_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    """Check and change a project without committing (schedule imports commit once)."""
    require_project_edit(
        session, actor, project_id, "edit this project", entity="project", entity_id=project_id
    )
    _refuse_phase_change(session, project_id, changes)
    return update_row(
        session,
        Project,
        project_id,
        changes,
        expected_version=expected_version,
        schema=ProjectBase,
        actor=actor,
        project_id=project_id,
    )


update_project = committed(stage_project_update, "Change a project.")


def _refuse_phase_change(session: Session, project_id: int, changes: dict[str, Any]) -> None:
    """A project that follows a lifecycle changes phase only through a gate decision (or a
    PMO admin's recorded exception), never by editing the record."""
    if "phase" not in changes:
        return
    current = session.execute(sa.select(Project.phase).where(Project.id == project_id)).scalar()
    follows = session.execute(
        sa.select(ProjectLifecycle.id).where(ProjectLifecycle.project_id == project_id)
    ).first()
    if follows and changes["phase"] != current:
        raise ValidationFailed(
            {"phase": "changes only through a gate decision (or a PMO admin's exception)"}
        )


# --- weekly status reports --------------------------------------------------------------


def report_problems(data: dict[str, Any], project_start: dt.date, today: dt.date) -> dict[str, str]:
    """The rules a weekly update keeps beyond its fields' types: dated within the project's
    life up to today, and saying in words where the project stands."""
    errors: dict[str, str] = {}
    day = data.get("report_date")
    if isinstance(day, dt.date) and day > today:
        errors["report_date"] = f"cannot be after today ({today:%d %b %Y})"
    elif isinstance(day, dt.date) and day < project_start:
        errors["report_date"] = f"cannot be before the project's start ({project_start:%d %b %Y})"
    if not str(data.get("summary") or "").strip():
        errors["summary"] = "is required: say in a sentence or two where the project stands"
    return errors


def stage_status_report(
    data: dict[str, Any],
    *,
    session: Session,
    actor: Actor,
    expected_latest_report: int | None = None,
    today: dt.date | None = None,
) -> int:
    """Append a status report and carry its figures onto the project, without committing.

    With `today` (a form's save) the report is also held to `report_problems`: older callers
    (imports, tests of the history) may write past reports with no summary.

    The overall RAG snapshot is derived here (override, else worst-of the dimensions) so that
    no caller can store an overall that contradicts its own dimensions.

    `expected_latest_report` is the id of the newest report the form was filled from (0 when
    the project had none): if someone submitted another update since, the save is refused
    with a ConflictError carrying that newer report, so it is never silently superseded.
    """
    data = dict(data)
    data.setdefault("author_id", actor.person_id)
    data["overall_rag"] = data.get("override_rag") or worst_rag(
        *(data.get(f"{d}_rag") for d in ("schedule", "cost", "scope", "risk"))
    )
    report = validate(StatusReportCreate, data)
    require_project_edit(
        session, actor, report.project_id, "submit a status update", entity="status_report"
    )
    if expected_latest_report is not None:
        _check_latest_report(session, report.project_id, expected_latest_report)
    project = fetch_row(session, Project, report.project_id)
    if today is not None:
        problems = report_problems(report.model_dump(), project["baseline_start"], today)
        if problems:
            raise ValidationFailed(problems)
    new_id = insert_row(
        session, StatusReport, report.model_dump(), actor=actor, project_id=report.project_id
    )
    update_row(
        session,
        Project,
        report.project_id,
        {
            "percent_complete": report.percent_complete,
            "actual_cost": report.cost_to_date,
            "forecast_at_completion": report.forecast_at_completion,
        },
        expected_version=project["version"],
        schema=ProjectBase,
        actor=actor,
        project_id=report.project_id,
    )
    return new_id


submit_status_report = committed(
    stage_status_report, "Submit a status report (stage_status_report says what is checked)."
)


def _check_latest_report(session: Session, project_id: int, expected: int) -> None:
    latest = session.execute(
        sa.select(StatusReport.__table__)
        .where(StatusReport.project_id == project_id)
        .order_by(StatusReport.id.desc())
        .limit(1)
    ).first()
    if (latest.id if latest else 0) != expected:
        current = with_last_editor(session, "status_report", dict(latest._mapping))
        raise ConflictError("status_report", latest.id, current)


# --- milestones -------------------------------------------------------------------------


def _milestone_history(
    session, milestone: dict, *, change: str, reported_on: dt.date, reason: str, actor: Actor
) -> None:
    session.add(
        MilestoneHistory(
            milestone_id=milestone["id"],
            project_id=milestone["project_id"],
            reported_on=reported_on,
            change=change,
            baseline_date=milestone["baseline_date"],
            forecast_date=milestone["forecast_date"],
            actual_date=milestone.get("actual_date"),
            reason=reason,
            author_id=actor.person_id,
        )
    )


def stage_milestone(
    data: dict[str, Any], *, reported_on: dt.date, session: Session, actor: Actor
) -> int:
    """Validate, check and insert a milestone with its history row, without committing."""
    milestone = validate(MilestoneCreate, data)
    require_project_edit(
        session, actor, milestone.project_id, "add a milestone", entity="milestone"
    )
    values = {**milestone.model_dump(), "added_on": reported_on}
    new_id = insert_row(session, Milestone, values, actor=actor, project_id=milestone.project_id)
    _milestone_history(
        session,
        {**values, "id": new_id},
        change="created",
        reported_on=reported_on,
        reason="",
        actor=actor,
    )
    return new_id


add_milestone = committed(stage_milestone, "Add a milestone with its history row.")


def stage_milestone_change(
    milestone_id: int,
    changes: dict,
    *,
    change: str | None,
    what: str,
    reported_on: dt.date,
    reason: str,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    """Change a milestone and keep `change` in its history, without committing."""
    check_text("reason", reason)
    actual = changes.get("actual_date")
    if isinstance(actual, dt.date) and actual > reported_on:
        raise ValidationFailed({"actual_date": "cannot be later than the reporting date"})
    current = fetch_row(session, Milestone, milestone_id)
    require_project_edit(
        session, actor, current["project_id"], what, entity="milestone", entity_id=milestone_id
    )
    row = update_row(
        session,
        Milestone,
        milestone_id,
        changes,
        expected_version=expected_version,
        schema=MilestoneBase,
        actor=actor,
        project_id=current["project_id"],
    )
    if change:  # the history keeps date changes; a renamed milestone is only audited
        _milestone_history(
            session, row, change=change, reported_on=reported_on, reason=reason, actor=actor
        )
    return row


_change_milestone = committed(stage_milestone_change, "Change a milestone, keeping the change.")

# The four date changes a PM reports. Each takes keyword-only `reported_on`,
# `expected_version`, `session` and `actor` (passed on as `how`) and commits.


def move_milestone(
    milestone_id: int, forecast_date: dt.date, *, reason: str = "", **how
) -> dict[str, Any]:
    return _change_milestone(
        milestone_id,
        {"forecast_date": forecast_date},
        change="forecast",
        what="move this milestone",
        reason=reason,
        **how,
    )


def complete_milestone(milestone_id: int, actual_date: dt.date, **how) -> dict[str, Any]:
    return _change_milestone(
        milestone_id,
        {"actual_date": actual_date, "forecast_date": actual_date},
        change="completed",
        what="complete this milestone",
        reason="",
        **how,
    )


def rebaseline_milestone(
    milestone_id: int, baseline_date: dt.date, *, reason: str, **how
) -> dict[str, Any]:
    """Re-baselining is explicit and needs a reason; the old baseline stays in the history."""
    if not reason.strip():
        raise ValidationFailed({"reason": "is required: say why the baseline changes"})
    return _change_milestone(
        milestone_id,
        {"baseline_date": baseline_date},
        change="rebaselined",
        what="re-baseline this milestone",
        reason=reason,
        **how,
    )


def remove_milestone(milestone_id: int, *, reason: str, **how) -> dict[str, Any]:
    """A removed milestone leaves the plan (the burndown's scope line) but keeps its history."""
    return _change_milestone(
        milestone_id,
        {"removed_on": how["reported_on"]},
        change="removed",
        what="remove this milestone",
        reason=reason,
        **how,
    )


# --- risks ------------------------------------------------------------------------------


def _assessment(session, risk: dict, *, assessed_on: dt.date, note: str, actor: Actor) -> None:
    session.add(
        RiskAssessment(
            risk_id=risk["id"],
            project_id=risk["project_id"],
            assessed_on=assessed_on,
            probability=risk["probability"],
            impact=risk["impact"],
            residual_probability=risk.get("residual_probability"),
            residual_impact=risk.get("residual_impact"),
            status=risk["status"],
            note=note,
            assessor_id=actor.person_id,
        )
    )


def stage_risk(data: dict[str, Any], *, raised_on: dt.date, session: Session, actor: Actor) -> int:
    """Validate, check and insert a risk with its first assessment, without committing."""
    risk = validate(RiskCreate, data)
    require_project_edit(session, actor, risk.project_id, "add a risk", entity="risk")
    values = {**risk.model_dump(), "raised_on": raised_on, "last_assessed_on": raised_on}
    new_id = insert_row(session, Risk, values, actor=actor, project_id=risk.project_id)
    _assessment(
        session, {**values, "id": new_id}, assessed_on=raised_on, note="raised", actor=actor
    )
    return new_id


create_risk = committed(stage_risk, "Raise a risk with its first assessment.")


def stage_risk_update(
    risk_id: int,
    changes: dict[str, Any],
    *,
    assessed_on: dt.date,
    expected_version: int,
    session: Session,
    actor: Actor,
    note: str = "",
) -> dict[str, Any]:
    """`update_risk` without the commit (closing a risk commits the lesson it taught with it)."""
    check_text("note", note)
    current = fetch_row(session, Risk, risk_id)
    require_project_edit(
        session, actor, current["project_id"], "change this risk", entity="risk", entity_id=risk_id
    )
    if changes.get("project_id", current["project_id"]) != current["project_id"]:
        # Moving a risk writes into the other project too: that needs the right to edit it.
        require_project_edit(
            session,
            actor,
            changes["project_id"],
            "move this risk to that project",
            entity="risk",
            entity_id=risk_id,
        )
    changes = dict(changes)
    scored = {"probability", "impact", "residual_probability", "residual_impact", "status"}
    reassessed = any(k in scored and current.get(k) != v for k, v in changes.items())
    if reassessed:
        changes["last_assessed_on"] = assessed_on
    if changes.get("status") == "closed" and current["status"] != "closed":
        changes["closed_on"] = assessed_on
    elif changes.get("status") == "open":
        changes["closed_on"] = None
    row = update_row(
        session,
        Risk,
        risk_id,
        changes,
        expected_version=expected_version,
        schema=RiskBase,
        actor=actor,
        project_id=current["project_id"],
    )
    if reassessed:
        _assessment(session, row, assessed_on=assessed_on, note=note, actor=actor)
    return row


update_risk = committed(
    stage_risk_update,
    "Change a risk; a change of scores or status is a re-assessment kept in the history.",
)
