"""Write an imported schedule into a project: all or nothing, through the ordinary writes.

The project's fields go through `stage_project` / `stage_project_update`, milestones through
`stage_milestone` / `stage_milestone_change` (so every moved date becomes a milestone history
row on the file's status date, exactly as if the project manager had reported it), confirmed
new people through `stage_person` and allocations through `stage_allocations`, each with its
audit row; one commit at the end bumps the data version.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from data_access.admin.commands import stage_person
from data_access.core.db import session_scope
from data_access.core.models import ScheduleImport, ScheduleLink
from data_access.core.writes import (
    Actor,
    ConflictError,
    ValidationFailed,
    WriteError,
    audit,
    commit,
    insert_row,
)
from data_access.resources.commands import stage_allocations
from data_access.schedules import reads
from data_access.schedules.plan import Plan, Preview, history_change, preview
from data_access.updates import commands


def preview_import(
    plan: Plan,
    project_id: int | None,
    *,
    confirmed: frozenset[int] = frozenset(),
    replace_typed: bool = False,
    session: Session,
) -> tuple[Preview, dict | None]:
    """The preview of importing `plan` into a project (None: a new one), and the project row;
    `confirmed` are the file's unknown resources the user confirmed as new people,
    `replace_typed` whether the file's hours replace allocations typed in by hand that they
    overlap."""
    project, milestones = reads.project_state(session, project_id) if project_id else (None, [])
    if project_id and project is None:
        raise ValidationFailed({"project": "does not exist any more"})
    imported, typed = reads.project_allocations(session, project_id) if project_id else ([], [])
    found = preview(
        plan,
        project,
        milestones,
        people=reads.people(session),
        allocations=imported,
        typed=typed,
        confirmed=confirmed,
        replace_typed=replace_typed,
    )
    return found, project


def preview_for(
    plan: Plan,
    project_id: int | None,
    *,
    confirmed: frozenset[int] = frozenset(),
    replace_typed: bool = False,
    url: str | None,
) -> Preview:
    """The preview a page shows (its own read-only session)."""
    with session_scope(url) as session:
        return preview_import(
            plan, project_id, confirmed=confirmed, replace_typed=replace_typed, session=session
        )[0]


def followed_for(project_id: int, *, url: str | None) -> frozenset[int]:
    with session_scope(url) as session:
        return reads.followed_tasks(session, project_id)


def target_for(guid: str, code: str, *, url: str | None) -> tuple[int | None, frozenset[int]]:
    """The project a bulk-imported file feeds (None: a new one) and the tasks it follows."""
    with session_scope(url) as session:
        project_id = reads.project_for_file(session, guid, code)
        return project_id, reads.followed_tasks(session, project_id) if project_id else frozenset()


def import_schedule(
    seen: Preview,
    *,
    project_id: int | None,
    new_project: dict[str, Any] | None,
    file_name: str,
    url: str | None,
    actor: Actor,
) -> tuple[int, int]:
    """The page's one call for "Import": its own session and transaction."""
    with session_scope(url) as session:
        return apply_import(
            seen,
            project_id=project_id,
            new_project=new_project,
            file_name=file_name,
            session=session,
            actor=actor,
        )


def apply_import(
    seen: Preview,
    *,
    project_id: int | None,
    new_project: dict[str, Any] | None = None,
    file_name: str,
    session: Session,
    actor: Actor,
) -> tuple[int, int]:
    """Write what the user saw in `seen`; returns (project id, number of changes written).

    The preview is computed again inside this transaction: if the project or its milestones
    changed since the user looked (someone else saved, or imported), the import is refused
    with a conflict, never applied on top. `new_project` holds code, name, program_id,
    department_id (and optionally manager_id) when `project_id` is None. An unchanged file
    writes nothing at all.
    """
    plan = seen.plan
    now, project = preview_import(
        plan,
        project_id,
        confirmed=seen.confirmed,
        replace_typed=seen.replace_typed,
        session=session,
    )
    if now.changes != seen.changes:
        raise ConflictError(
            "project", project_id or 0, {**(project or {}), "_changed_by": "another save"}
        )
    if not now.changes:
        return project_id or 0, 0
    try:
        if project is None:
            project_id = commands.stage_project(
                {**(new_project or {}), **plan.project}, session=session, actor=actor
            )
        else:
            fields = {c.field: c.new for c in now.changes if c.entity == "project"}
            if fields:
                commands.stage_project_update(
                    project_id,
                    fields,
                    expected_version=project["version"],
                    session=session,
                    actor=actor,
                )
        created = _write_milestones(now, project_id, file_name, session=session, actor=actor)
        department_id = (project or new_project or {}).get("department_id")
        staffed = _write_staffing(now, project_id, department_id, session=session, actor=actor)
        import_id = insert_row(
            session,
            ScheduleImport,
            {
                "project_id": project_id,
                "file_name": file_name[-255:],
                "file_guid": plan.guid,
                "baseline": plan.baseline,
                "status_date": plan.status_date,
                "created": created,
                "changed": len(now.changes),
                "actor_id": actor.person_id,
            },
            actor=actor,
            project_id=project_id,
        )
        if staffed is not None:
            audit(
                session,
                actor=actor,
                **reads.ALLOCATIONS_MARK,
                entity_id=import_id,
                project_id=project_id,
                after={"allocation_ids": staffed, "file_name": file_name[-255:]},
            )
    except WriteError:
        session.rollback()
        raise
    commit(session)
    return project_id, len(now.changes)


def _write_milestones(
    now: Preview, project_id: int, file_name: str, *, session: Session, actor: Actor
) -> int:
    """Stage the milestone creations, changes and removals; returns how many were created."""
    plan = now.plan
    _, stored = reads.project_state(session, project_id)
    by_uid = {m["task_uid"]: m for m in stored}
    new = {c.uid for c in now.changes if c.entity == "milestone" and c.action == "create"}
    removed = {c.uid for c in now.changes if c.entity == "milestone" and c.action == "remove"}
    updates: dict[int, dict[str, Any]] = {}
    for c in now.changes:
        if c.entity == "milestone" and c.action == "update":
            updates.setdefault(c.uid, {})[c.field] = c.new
    created = 0
    for m in plan.milestones:
        if m.uid not in new:
            continue
        values = {
            "name": m.name,
            "baseline_date": m.baseline_date,
            "forecast_date": m.forecast_date,
            "actual_date": m.actual_date,
        }
        old = by_uid.get(m.uid)
        new_id = commands.stage_milestone(
            {"project_id": project_id, **values},
            reported_on=plan.status_date,
            session=session,
            actor=actor,
        )
        if old is None:
            session.add(ScheduleLink(project_id=project_id, milestone_id=new_id, task_uid=m.uid))
        else:  # a task back in the file after its milestone was removed: a new milestone
            session.execute(
                sa.update(ScheduleLink)
                .where(ScheduleLink.project_id == project_id, ScheduleLink.task_uid == m.uid)
                .values(milestone_id=new_id)
            )
        created += 1
    for uid, changes in updates.items():
        commands.stage_milestone_change(
            by_uid[uid]["id"],
            changes,
            change=history_change(set(changes), changes.get("actual_date")),
            what="import the schedule",
            reported_on=plan.status_date,
            reason=f"from the schedule {file_name}"[:200],
            expected_version=by_uid[uid]["version"],
            session=session,
            actor=actor,
        )
    for uid in removed:
        old = by_uid[uid]
        commands.stage_milestone_change(
            old["id"],
            {"removed_on": plan.status_date},
            change="removed",
            what="import the schedule",
            reported_on=plan.status_date,
            reason=f"no longer in the schedule {file_name}"[:200],
            expected_version=old["version"],
            session=session,
            actor=actor,
        )
    return created


def _write_staffing(
    now: Preview, project_id: int, department_id: int | None, *, session: Session, actor: Actor
) -> list[int] | None:
    """Stage the confirmed new people (in the project's department) and the allocations the
    preview creates and replaces (the previous import's, and those typed in by hand that the
    user let the file replace); returns the ids of the import's allocations now (None: the
    allocations are as the previous import left them)."""
    person_of = {r.uid: p["id"] for r, p in now.matches if p is not None}
    for c in now.changes:
        if c.entity == "person":
            person_of[c.uid] = stage_person(
                {"name": c.name, "email": c.new, "department_id": department_id},
                session=session,
                actor=actor,
            )
    added = [
        {
            "person_id": person_of[c.uid],
            "project_id": project_id,
            "start_date": c.start,
            "end_date": c.end,
            "hours_per_week": c.new,
        }
        for c in now.changes
        if c.entity == "allocation" and c.action == "create"
    ]
    removed = {
        c.record_id for c in now.changes if c.entity == "allocation" and c.action == "remove"
    }
    if not added and not removed:
        return None
    stored, typed = reads.project_allocations(session, project_id)
    new_ids = stage_allocations(
        added=added,
        deleted=[(s["id"], s["version"]) for s in stored + typed if s["id"] in removed],
        session=session,
        actor=actor,
    )
    return sorted([s["id"] for s in stored if s["id"] not in removed] + new_ids)
