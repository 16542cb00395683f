"""Writes of the push side, each validated, permission-checked and audited in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from data_access.core.db import get_engine
from data_access.core.models import Setting
from data_access.core.permissions import refuse, require_admin, require_project_edit
from data_access.core.settings import SECRET_KEYS
from data_access.core.writes import (
    Actor,
    ValidationFailed,
    audit,
    commit,
    delete_row,
    fetch_row,
    insert_row,
    update_row,
    validate,
)
from data_access.stakeholders.models import (
    NOTIFICATION_KINDS,
    NotificationPref,
    ShareLink,
    ShareLinkOpening,
    Stakeholder,
    StakeholderCreate,
    StakeholderUpdate,
    Subscription,
    SubscriptionCreate,
)

# --- subscriptions ------------------------------------------------------------------------


LINK_KEY = SECRET_KEYS[0]  # the setting row that holds the read-only links' signing key


def subscribe(data: dict[str, Any], *, session: Session, actor: Actor) -> int:
    """A person subscribes to a report (an admin may subscribe anyone)."""
    sub = validate(SubscriptionCreate, data)
    if actor.role != "admin" and sub.person_id != actor.person_id:
        refuse(
            session,
            actor,
            "subscribe someone else",
            entity="subscription",
            entity_id=None,
            project_id=None,
        )
    values = {**sub.model_dump(), "unsubscribe_token": secrets.token_urlsafe(32)}
    new_id = insert_row(session, Subscription, values, actor=actor, project_id=sub.project_id)
    commit(session)
    return new_id


def end_subscription(subscription_id: int, *, session: Session, actor: Actor) -> None:
    row = fetch_row(session, Subscription, subscription_id)
    if actor.role != "admin" and row["person_id"] != actor.person_id:
        refuse(
            session,
            actor,
            "end someone else's subscription",
            entity="subscription",
            entity_id=subscription_id,
            project_id=row["project_id"],
        )
    delete_row(
        session,
        Subscription,
        subscription_id,
        expected_version=row["version"],
        actor=actor,
        project_id=row["project_id"],
    )
    commit(session)


# Where a report's unsubscribe address points (components.stakeholders.routes answers it).
UNSUBSCRIBE_PATH = "/_pmo/unsubscribe"


def unsubscribe(token: str, *, session: Session) -> dict | None:
    """The one-click link in every report: ends that subscription. Returns what it was, or
    None for an unknown token (already ended, or never valid)."""
    table = Subscription.__table__
    row = session.execute(sa.select(table).where(table.c.unsubscribe_token == token)).first()
    if row is None:
        return None
    current = dict(row._mapping)
    who = Actor(person_id=current["person_id"], name="unsubscribe link", role="viewer")
    delete_row(
        session,
        Subscription,
        current["id"],
        expected_version=current["version"],
        actor=who,
        project_id=current["project_id"],
    )
    commit(session)
    return current


# --- notification choices -------------------------------------------------------------------


def set_notification_prefs(
    person_id: int, by_email: dict[str, bool], *, session: Session, actor: Actor
) -> None:
    """Which kinds also come by e-mail (the inbox always gets them)."""
    if actor.role != "admin" and actor.person_id != person_id:
        refuse(
            session,
            actor,
            "change someone else's notifications",
            entity="notification_pref",
            entity_id=person_id,
            project_id=None,
        )
    unknown = set(by_email) - set(NOTIFICATION_KINDS)
    if unknown:
        raise ValidationFailed({"": f"unknown kinds: {', '.join(sorted(unknown))}"})
    table = NotificationPref.__table__
    session.execute(sa.delete(table).where(table.c.person_id == person_id))
    for kind, email in by_email.items():
        session.execute(sa.insert(table).values(person_id=person_id, kind=kind, by_email=email))
    commit(session)


# --- stakeholder register -------------------------------------------------------------------


def add_stakeholder(data: dict[str, Any], *, session: Session, actor: Actor) -> int:
    row = validate(StakeholderCreate, data)
    require_project_edit(session, actor, row.project_id, "add a stakeholder", entity="stakeholder")
    new_id = insert_row(
        session, Stakeholder, row.model_dump(), actor=actor, project_id=row.project_id
    )
    commit(session)
    return new_id


def update_stakeholder(
    stakeholder_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    current = fetch_row(session, Stakeholder, stakeholder_id)
    require_project_edit(
        session,
        actor,
        current["project_id"],
        "change a stakeholder",
        entity="stakeholder",
        entity_id=stakeholder_id,
    )
    validate(StakeholderUpdate, changes)
    row = update_row(
        session,
        Stakeholder,
        stakeholder_id,
        changes,
        expected_version=expected_version,
        schema=StakeholderCreate,
        actor=actor,
        project_id=current["project_id"],
    )
    commit(session)
    return row


def remove_stakeholder(
    stakeholder_id: int, *, expected_version: int, session: Session, actor: Actor
) -> None:
    current = fetch_row(session, Stakeholder, stakeholder_id)
    require_project_edit(
        session,
        actor,
        current["project_id"],
        "remove a stakeholder",
        entity="stakeholder",
        entity_id=stakeholder_id,
    )
    delete_row(
        session,
        Stakeholder,
        stakeholder_id,
        expected_version=expected_version,
        actor=actor,
        project_id=current["project_id"],
    )
    commit(session)


# --- read-only links --------------------------------------------------------------------------


def _link_key(url=None) -> bytes:
    """The key that signs read-only links: random, made once, shared by every process."""
    engine = get_engine(url)
    query = sa.select(Setting.value).where(Setting.key == LINK_KEY)
    with engine.connect() as conn:
        value = conn.execute(query).scalar()
    if value is None:
        try:
            with engine.begin() as conn:
                conn.execute(sa.insert(Setting).values(key=LINK_KEY, value=secrets.token_hex(32)))
        except sa.exc.IntegrityError:  # another process made it first: use theirs
            pass
        with engine.connect() as conn:
            value = conn.execute(query).scalar_one()
    return bytes.fromhex(value)


def _sign(link_id: int, expires: int, url=None) -> str:
    message = f"share.{link_id}.{expires}".encode()
    return hmac.new(_link_key(url), message, hashlib.sha256).hexdigest()[:32]


def create_share_link(
    *,
    scope: str,
    project_id: int | None,
    filters: dict | None,
    recipient: str,
    days: int,
    now: dt.datetime,
    session: Session,
    actor: Actor,
    url: str | None = None,
) -> str:
    """A signed token for one project's report or one filtered portfolio view, valid `days`."""
    require_admin(session, actor, "create a read-only link", entity="share_link")
    problems = {}
    if scope not in ("project", "portfolio"):
        problems["scope"] = "must be project or portfolio"
    if scope == "project" and project_id is None:
        problems["project_id"] = "choose the project"
    if not 1 <= days <= 366:
        problems["days"] = "must be between 1 and 366"
    if problems:
        raise ValidationFailed(problems)
    expires_at = now + dt.timedelta(days=days)
    values = {
        "scope": scope,
        "project_id": project_id if scope == "project" else None,
        "filters": filters if scope == "portfolio" else None,
        "recipient": recipient.strip()[:200],
        "expires_at": expires_at,
        "created_by_id": actor.person_id,
        "created_at": now,
    }
    link_id = insert_row(session, ShareLink, values, actor=actor, project_id=values["project_id"])
    commit(session)
    expires = int(expires_at.timestamp())
    return f"{link_id}.{expires}.{_sign(link_id, expires, url)}"


def revoke_share_link(link_id: int, *, now: dt.datetime, session: Session, actor: Actor) -> None:
    require_admin(session, actor, "revoke a read-only link", entity="share_link", entity_id=link_id)
    table = ShareLink.__table__
    link = session.execute(sa.select(table).where(table.c.id == link_id)).first()
    if link is None or link.revoked_at is not None:
        return
    session.execute(sa.update(table).where(table.c.id == link_id).values(revoked_at=now))
    audit(
        session,
        actor=actor,
        action="revoke",
        entity="share_link",
        entity_id=link_id,
        project_id=link.project_id,
    )
    commit(session)


def open_share_link(token: str, *, now: dt.datetime, session: Session, url=None) -> dict:
    """Check a token and record the opening. Returns {"ok": True, link...} or {"ok": False,
    "reason": words}: a forged, expired or revoked link shows nothing but the reason."""
    parts = token.split(".")
    link_id = int(parts[0]) if len(parts) == 3 and parts[0].isdigit() else None
    outcome, link = "forged", None
    if link_id is not None and parts[1].isdigit():
        good = hmac.compare_digest(_sign(link_id, int(parts[1]), url), parts[2])
        table = ShareLink.__table__
        row = (
            session.execute(sa.select(table).where(table.c.id == link_id)).first() if good else None
        )
        if row is not None:
            link = dict(row._mapping)
            expires = link["expires_at"]
            expires = expires if expires.tzinfo else expires.replace(tzinfo=dt.UTC)
            outcome = (
                "revoked"
                if link["revoked_at"] is not None
                else "expired"
                if expires <= now
                else "opened"
            )
    session.execute(
        sa.insert(ShareLinkOpening.__table__).values(
            link_id=link["id"] if link else None, at=now, outcome=outcome
        )
    )
    session.commit()
    if outcome != "opened":
        reasons = {
            "forged": "This link is not valid. Ask the PMO for a new one.",
            "expired": "This link has expired. Ask the PMO for a new one.",
            "revoked": "This link was withdrawn by the PMO.",
        }
        return {"ok": False, "reason": reasons[outcome]}
    return {"ok": True, **link}
