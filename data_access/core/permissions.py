"""Who may change what, checked inside every write function (not only by hiding buttons).

- admin: everything, including settings and people.
- portfolio_manager: projects of the programs they manage or of their department.
- project_manager: their own projects (status updates, milestones, RAID items, the project record).
- viewer: nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from data_access.core.models import Person, Program, Project
from data_access.core.writes import Actor, PermissionDenied, audit


def may_edit_project(session: Session, actor: Actor, project_id: int) -> bool:
    if actor.role == "admin":
        return True
    if actor.person_id is None or actor.role == "viewer":
        return False
    row = session.execute(
        sa.select(Project.manager_id, Project.department_id, Program.manager_id)
        .join(Program, Program.id == Project.program_id)
        .where(Project.id == project_id)
    ).first()
    if row is None:
        return False
    manager_id, department_id, program_manager_id = row
    if actor.role == "project_manager":
        return manager_id == actor.person_id
    if actor.role == "portfolio_manager":
        return program_manager_id == actor.person_id or department_id == _department_of(
            session, actor
        )
    return False


def may_create_project(session: Session, actor: Actor, program_id: int, department_id: int) -> bool:
    if actor.role == "admin":
        return True
    if actor.role != "portfolio_manager" or actor.person_id is None:
        return False
    program_manager = session.execute(
        sa.select(Program.manager_id).where(Program.id == program_id)
    ).scalar()
    return program_manager == actor.person_id or department_id == _department_of(session, actor)


def _department_of(session: Session, actor: Actor) -> int | None:
    return session.execute(
        sa.select(Person.department_id).where(Person.id == actor.person_id)
    ).scalar()


def refuse(session: Session, actor: Actor, what: str, *, entity: str, entity_id, project_id):
    """Record the refused attempt in the audit log (its own transaction) and raise."""
    session.rollback()
    audit(
        session,
        actor=actor,
        action="refused",
        entity=entity,
        entity_id=entity_id,
        project_id=project_id,
        after={"attempted": what},
    )
    session.commit()
    raise PermissionDenied(f"{actor.name} ({actor.role}) may not {what}.")


def require_project_edit(
    session: Session, actor: Actor, project_id: int, what: str, *, entity: str, entity_id=None
) -> None:
    if not may_edit_project(session, actor, project_id):
        refuse(session, actor, what, entity=entity, entity_id=entity_id, project_id=project_id)


def require_admin(session: Session, actor: Actor, what: str, *, entity: str, entity_id=None):
    if actor.role != "admin":
        refuse(session, actor, what, entity=entity, entity_id=entity_id, project_id=None)
