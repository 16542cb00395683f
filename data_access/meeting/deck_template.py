"""The organisation's PowerPoint template for the review deck: read the active one, upload a new
one, go back to the default look. Only a PMO admin changes it; every change is audited (the
file's name, size and checksum, not its bytes) and a change based on a template someone else
replaced meanwhile is refused. The file itself is checked by deck.template before it comes here.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlmodel import Session

from data_access.core.db import get_engine
from data_access.core.models import DeckTemplate, utcnow
from data_access.core.permissions import require_admin
from data_access.core.writes import Actor, ConflictError, ValidationFailed, audit, commit

MAX_BYTES = 20 * 1024 * 1024
TABLE = DeckTemplate.__table__


def active_template(url: str | None = None) -> dict | None:
    """The template in use: {id, name, size, sha256, content}, or None for the default look."""
    with get_engine(url).connect() as conn:
        row = conn.execute(
            sa.select(TABLE.c.id, TABLE.c.name, TABLE.c.size, TABLE.c.sha256, TABLE.c.content)
            .where(TABLE.c.active)
            .order_by(TABLE.c.id.desc())
            .limit(1)
        ).first()
    return dict(row._mapping) if row else None


def _active_id(session: Session) -> int | None:
    return session.execute(sa.select(TABLE.c.id).where(TABLE.c.active)).scalar()


def _replace_active(session: Session, expected_active: int | None, actor: Actor) -> None:
    """Retire the active template, if it is still the one the user saw."""
    current = _active_id(session)
    if current != expected_active:
        raise ConflictError("deck_template", current or 0, {"id": current, "version": None})
    if current is not None:
        session.execute(
            sa.update(TABLE)
            .where(TABLE.c.id == current)
            .values(active=False, version=TABLE.c.version + 1, updated_at=utcnow())
        )
        audit(
            session,
            actor=actor,
            action="update",
            entity="deck_template",
            entity_id=current,
            project_id=None,
            before={"active": True},
            after={"active": False},
        )


def upload_template(
    name: str,
    content: bytes,
    *,
    expected_active: int | None,
    session: Session,
    actor: Actor,
) -> int:
    """Make `content` (a checked .pptx/.potx) the deck's template; returns its id."""
    require_admin(session, actor, "change the deck template", entity="deck_template")
    errors = {}
    if not name.strip():
        errors["name"] = "is required"
    if not content:
        errors["file"] = "is empty"
    elif len(content) > MAX_BYTES:
        errors["file"] = f"is larger than {MAX_BYTES // (1024 * 1024)} MB"
    if errors:
        raise ValidationFailed(errors)
    _replace_active(session, expected_active, actor)
    facts = {
        "name": name.strip()[:200],
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    new_id = session.execute(
        sa.insert(TABLE)
        .values(
            **facts,
            content=content,
            active=True,
            uploaded_by_id=actor.person_id,
            version=1,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        .returning(TABLE.c.id)
    ).scalar_one()
    audit(
        session,
        actor=actor,
        action="create",
        entity="deck_template",
        entity_id=new_id,
        project_id=None,
        after=facts,
    )
    commit(session)
    return new_id


def use_default_look(*, expected_active: int | None, session: Session, actor: Actor) -> int:
    """No template: the deck goes back to the app's own look (uploads stay in the history).
    Returns the id of the template retired."""
    require_admin(session, actor, "change the deck template", entity="deck_template")
    if expected_active is None:
        raise ValidationFailed({"": "the deck already uses the app's own look"})
    _replace_active(session, expected_active, actor)
    commit(session)
    return expected_active
