"""Creating and revoking personal access tokens; each is audited and bumps the data version.

A token acts for its owner with the owner's role, never more: the API re-reads the person on
every request. The secret itself is returned once and never stored or audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from sqlmodel import Session

from data_access.core import clock
from data_access.core.models import ApiToken, ApiTokenCreate
from data_access.core.permissions import refuse
from data_access.core.writes import Actor, ValidationFailed, audit, commit, fetch_row, validate

TOKEN_PREFIX = "pmo_"
MAX_DAYS = 366


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(data: dict, *, today: dt.date, session: Session, actor: Actor) -> tuple[int, str]:
    """A new token for the actor; returns (id, secret). The secret is shown once."""
    if actor.person_id is None:
        raise ValidationFailed({"": "Only a signed-in person can own a token."})
    token = validate(ApiTokenCreate, data)
    if token.expires_on < today:
        raise ValidationFailed({"expires_on": "must be today or later"})
    if token.expires_on > today + dt.timedelta(days=MAX_DAYS):
        raise ValidationFailed({"expires_on": f"must be within {MAX_DAYS} days"})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    values = {
        **token.model_dump(),
        "person_id": actor.person_id,
        "prefix": secret[: len(TOKEN_PREFIX) + 6],
        "token_hash": token_hash(secret),
        "created_at": clock.real_now(),
    }
    new_id = session.execute(
        sa.insert(ApiToken).values(**values).returning(ApiToken.id)
    ).scalar_one()
    shown = {k: values[k] for k in ("name", "scope", "prefix", "person_id")}
    audit(
        session,
        actor=actor,
        action="create",
        entity="api_token",
        entity_id=new_id,
        project_id=None,
        after={**shown, "expires_on": token.expires_on.isoformat()},
    )
    commit(session)
    return new_id, secret


def revoke_token(token_id: int, *, session: Session, actor: Actor) -> None:
    """The owner or an admin revokes a token; it stops working at once (twice is a no-op)."""
    current = fetch_row(session, ApiToken, token_id)
    if current["person_id"] != actor.person_id and actor.role != "admin":
        refuse(
            session,
            actor,
            "revoke another person's API token",
            entity="api_token",
            entity_id=token_id,
            project_id=None,
        )
    if current["revoked_at"] is not None:
        return
    session.execute(
        sa.update(ApiToken)
        .where(ApiToken.id == token_id)
        .values(revoked_at=clock.real_now(), version=ApiToken.version + 1)
    )
    audit(
        session,
        actor=actor,
        action="revoke",
        entity="api_token",
        entity_id=token_id,
        project_id=None,
        before={"name": current["name"], "prefix": current["prefix"]},
    )
    commit(session)
