"""Sign-in sessions kept on the server, so that signing out (or an admin) really ends them.

A local sign-in creates a `sign_in_session` row and a one-time code (valid CODE_LIFETIME). The
page trades the code, over a plain HTTP request to the app server (components.access.routes),
for a random token that comes back only in an HttpOnly cookie: no script on the page ever sees
the token. The table keeps SHA-256 hashes of the code and token, never the values.

A session is good while it is not ended, not older than its absolute lifetime
(`PMO_SESSION_HOURS`, default 12) and used within the idle timeout (`PMO_SESSION_IDLE_MINUTES`,
default 120). Ending a session (sign-out, "end all my sessions", an admin) makes its token
useless at once, wherever it was copied to.

A single sign-on (Streamlit's `st.login`) gets the same kind of session, started when the
provider's sign-in first reaches the app and marked with that sign-in (`sso_key`): once one of
its sessions has ended, idled out or expired, that sign-in opens no other
(`sso_sign_in_spent`), and the person signs in at the provider again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from data_access.core.clock import real_now
from data_access.core.config import setting
from data_access.core.db import get_engine, session_scope
from data_access.core.models import Person, SignInSession
from data_access.core.writes import Actor, audit, commit

CODE_LIFETIME = dt.timedelta(seconds=60)
ROTATED = "rotated"  # the end of a session whose token was replaced (sign-in, role change)
SESSION_COOKIE = "pmo_session"
# A session's last use is written at most this often, so a busy page is not one write per click.
TOUCH_EVERY = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class OpenSession:
    session_id: int
    person_id: int
    role: str
    last_used_at: dt.datetime


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _duration_setting(name: str, default: float, unit: str) -> dt.timedelta:
    """A positive duration from a setting; a setting that cannot be read keeps the default."""
    try:
        amount = float(setting(name) or default)
    except ValueError:
        amount = default
    return dt.timedelta(**{unit: amount if amount > 0 else default})


def idle_timeout() -> dt.timedelta:
    """How long a session lives without being used (`PMO_SESSION_IDLE_MINUTES`, default 2 h)."""
    return _duration_setting("PMO_SESSION_IDLE_MINUTES", 120, "minutes")


def absolute_lifetime() -> dt.timedelta:
    """How long a session lives at most, used or not (`PMO_SESSION_HOURS`, default 12 h)."""
    return _duration_setting("PMO_SESSION_HOURS", 12, "hours")


def start_session(
    person_id: int,
    role: str,
    *,
    client: str | None = None,
    user_agent: str | None = None,
    sso_key: str | None = None,
    now: dt.datetime | None = None,
    url=None,
) -> tuple[int, str]:
    """A new session for this person and the one-time code that turns into its cookie
    (`sso_key`: the single sign-on it comes from, if any)."""
    now = now or real_now()
    code = secrets.token_urlsafe(32)
    with get_engine(url).begin() as conn:
        session_id = conn.execute(
            sa.insert(SignInSession)
            .values(
                person_id=person_id,
                role=role,
                code_hash=_hash(code),
                code_expires_at=now + CODE_LIFETIME,
                created_at=now,
                last_used_at=now,
                expires_at=now + absolute_lifetime(),
                client=(client or "")[:100] or None,
                user_agent=(user_agent or "")[:300] or None,
                sso_hash=_hash(sso_key) if sso_key else None,
            )
            .returning(SignInSession.id)
        ).scalar_one()
    return session_id, code


def redeem_code(code: str, *, now: dt.datetime | None = None, url=None) -> str | None:
    """The session token for a one-time code (which is then spent), or None if it is not good."""
    now = now or real_now()
    token = secrets.token_urlsafe(32)
    table = SignInSession
    with get_engine(url).begin() as conn:
        done = conn.execute(
            sa.update(table)
            .where(
                table.code_hash == _hash(code or ""),
                table.code_expires_at >= now,
                table.ended_at.is_(None),
            )
            .values(token_hash=_hash(token), code_hash=None, code_expires_at=None)
        ).rowcount
    return token if done == 1 else None


def _good(now: dt.datetime):
    """The conditions under which a session still signs in."""
    return sa.and_(
        SignInSession.ended_at.is_(None),
        SignInSession.expires_at > now,
        SignInSession.last_used_at > now - idle_timeout(),
    )


def _find(condition, now: dt.datetime, url) -> OpenSession | None:
    with get_engine(url).connect() as conn:
        row = conn.execute(
            sa.select(
                SignInSession.id,
                SignInSession.person_id,
                SignInSession.role,
                SignInSession.last_used_at,
            ).where(condition, _good(now))
        ).first()
    return OpenSession(*row) if row else None


def session_for_token(
    token: str | None, *, now: dt.datetime | None = None, url=None
) -> OpenSession | None:
    """The open session a cookie's token belongs to, or None (ended, expired, idle, unknown)."""
    if not token:
        return None
    return _find(SignInSession.token_hash == _hash(token), now or real_now(), url)


def known_person(token: str | None, *, url=None) -> int | None:
    """Whose browser this is, from its session cookie even once the session idled out or
    expired (not when an admin ended it): the sign-in limits let that person through."""
    if not token:
        return None
    with get_engine(url).connect() as conn:
        return conn.execute(
            sa.select(SignInSession.person_id).where(
                SignInSession.token_hash == _hash(token),
                sa.or_(
                    SignInSession.end_reason.is_(None),
                    SignInSession.end_reason != "ended by an admin",
                ),
            )
        ).scalar()


def sso_sign_in_spent(sso_key: str, *, now: dt.datetime | None = None, url=None) -> bool:
    """Whether a session of this single sign-on has ended (but by a token rotation), idled out
    or expired: then the sign-in opens no new session."""
    now = now or real_now()
    spent = sa.or_(SignInSession.end_reason.is_(None), SignInSession.end_reason != ROTATED)
    with get_engine(url).connect() as conn:
        return (
            conn.execute(
                sa.select(SignInSession.id)
                .where(SignInSession.sso_hash == _hash(sso_key), sa.not_(_good(now)), spent)
                .limit(1)
            ).first()
            is not None
        )


def check_session(
    session_id: int, *, now: dt.datetime | None = None, url=None
) -> OpenSession | None:
    """The session if it is still open (checked on every rerun of a signed-in page)."""
    return _find(SignInSession.id == session_id, now or real_now(), url)


def _touch_every() -> dt.timedelta:
    return min(TOUCH_EVERY, idle_timeout() / 4)


def touch(open_session: OpenSession, *, now: dt.datetime | None = None, url=None) -> None:
    """Note that the session was used now, keeping it from idling; written at most every
    TOUCH_EVERY, so most reruns cost no write."""
    now = now or real_now()
    if now - open_session.last_used_at < _touch_every():
        return
    with get_engine(url).begin() as conn:
        conn.execute(
            sa.update(SignInSession)
            .where(SignInSession.id == open_session.session_id, _good(now))
            .values(last_used_at=now)
        )


def end_session(session_id: int, reason: str, *, now: dt.datetime | None = None, url=None) -> None:
    """End one session (sign-out, rotation); its token is refused from now on."""
    with get_engine(url).begin() as conn:
        conn.execute(
            sa.update(SignInSession)
            .where(SignInSession.id == session_id, SignInSession.ended_at.is_(None))
            .values(ended_at=now or real_now(), end_reason=reason, code_hash=None)
        )


def end_token_session(token: str | None, reason: str, *, url=None) -> None:
    """End the session a cookie's token belongs to (the sign-out request of a browser)."""
    if token:
        with get_engine(url).begin() as conn:
            conn.execute(
                sa.update(SignInSession)
                .where(SignInSession.token_hash == _hash(token), SignInSession.ended_at.is_(None))
                .values(ended_at=real_now(), end_reason=reason, code_hash=None)
            )


def end_every_session(reason: str, *, url=None) -> None:
    """End all open sessions (after a restore): everyone signs in again."""
    with get_engine(url).begin() as conn:
        conn.execute(
            sa.update(SignInSession)
            .where(SignInSession.ended_at.is_(None))
            .values(ended_at=real_now(), end_reason=reason, code_hash=None)
        )


def end_sessions_of(person_id: int, *, actor: Actor, url=None) -> int:
    """End every open session of a person (their own "end all", or an admin's); audited.

    Anyone may end their own sessions; only a PMO admin may end someone else's.
    """
    if actor.person_id != person_id and actor.role != "admin":
        raise PermissionError("Only a PMO admin may end someone else's sessions.")
    reason = "ended by the person" if actor.person_id == person_id else "ended by an admin"
    with session_scope(url) as session:
        ended = session.execute(
            sa.update(SignInSession)
            .where(SignInSession.person_id == person_id, SignInSession.ended_at.is_(None))
            .values(ended_at=real_now(), end_reason=reason, code_hash=None)
        ).rowcount
        audit(
            session,
            actor=actor,
            action="end_sessions",
            entity="person",
            entity_id=person_id,
            project_id=None,
            after={"sessions_ended": ended},
        )
        commit(session)
    return ended


def open_sessions(person_id: int | None = None, *, now: dt.datetime | None = None, url=None):
    """Open sessions (of one person, or everyone's), newest use first, as a DataFrame."""
    now = now or real_now()
    query = (
        sa.select(
            SignInSession.id.label("session_id"),
            Person.id.label("person_id"),
            Person.name.label("person"),
            SignInSession.role,
            SignInSession.created_at.label("signed_in"),
            SignInSession.last_used_at.label("last_used"),
            SignInSession.expires_at.label("expires"),
            SignInSession.client,
            SignInSession.user_agent,
        )
        .join(Person, Person.id == SignInSession.person_id)
        .where(_good(now))
        .order_by(SignInSession.last_used_at.desc())
    )
    if person_id is not None:
        query = query.where(SignInSession.person_id == person_id)
    with get_engine(url).connect() as conn:
        frame = pd.DataFrame(
            conn.execute(query).mappings().all(), columns=query.selected_columns.keys()
        )
    for column in ("signed_in", "last_used", "expires"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame
