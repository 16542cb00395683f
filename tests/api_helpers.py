"""Tokens for the API tests: a real token made by the app's own write function."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from data_access.api_tokens.commands import create_token
from data_access.core.auth import actor_for_person
from data_access.core.db import get_engine, session_scope
from data_access.core.models import Person, Project
from data_access.core.writes import Actor


def person(url: str, role: str) -> Actor:
    """The first active person with `role` (demo accounts first)."""
    with get_engine(url).connect() as conn:
        pid = conn.execute(
            sa.select(Person.id)
            .where(Person.role == role, Person.active.is_(True))
            .order_by(Person.is_demo_account.desc(), Person.id)
            .limit(1)
        ).scalar_one()
    return actor_for_person(pid, url)


def own_project(url: str, actor: Actor) -> tuple[int, str]:
    """(id, code) of a project `actor` manages."""
    with get_engine(url).connect() as conn:
        row = conn.execute(
            sa.select(Project.id, Project.code)
            .where(Project.manager_id == actor.person_id)
            .order_by(Project.id)
        ).first()
    return row.id, row.code


def token(url: str, actor: Actor, today: dt.date, scope: str = "read", days: int = 30) -> str:
    with session_scope(url) as session:
        _, secret = create_token(
            {"name": f"{scope} test", "scope": scope, "expires_on": today + dt.timedelta(days)},
            today=today,
            session=session,
            actor=actor,
        )
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
