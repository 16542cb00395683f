"""Limits on failed sign-ins beside the per-e-mail lock (core.auth): per client address and
overall, so that guessing one password on many addresses is slowed down too.

- **Per client**: after CLIENT_FREE_FAILURES failures within the window, each further attempt
  from that address must wait a delay that doubles with every failure (1 s, 2 s, 4 s ... up to
  the window), counted from its last failure. No CAPTCHA: time is the only cost.
- **Overall**: more than OVERALL_FAILURES_PER_MINUTE failures in the last minute, from anywhere,
  hold every password sign-in for that minute (a spread-out attack).

A browser that still holds a session cookie of the person signing in (idle or expired) is a
known one: neither these limits nor the e-mail lock apply to it, so nobody can keep a person
out by failing on their address. Every refusal by a limit or a lock is in the audit log.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from data_access.core.db import get_engine, session_scope
from data_access.core.models import LoginAttempt
from data_access.core.writes import Actor, audit

WINDOW = dt.timedelta(minutes=15)
CLIENT_FREE_FAILURES = 5
OVERALL_FAILURES_PER_MINUTE = 60
SIGN_IN_FORM = Actor(person_id=None, name="sign-in form", role="viewer")


def client_wait(client: str | None, now: dt.datetime, url=None) -> dt.timedelta | None:
    """How long `client` must still wait before its next attempt, or None if it may go on."""
    if not client:
        return None
    with get_engine(url).connect() as conn:
        failures, last = conn.execute(
            sa.select(sa.func.count(), sa.func.max(LoginAttempt.at)).where(
                LoginAttempt.client == client,
                LoginAttempt.success.is_(False),
                LoginAttempt.at >= now - WINDOW,
                LoginAttempt.at <= now,
            )
        ).one()
    if failures < CLIENT_FREE_FAILURES:
        return None
    delay = min(dt.timedelta(seconds=2 ** (failures - CLIENT_FREE_FAILURES)), WINDOW)
    wait = last + delay - now
    return wait if wait > dt.timedelta(0) else None


def overall_busy(now: dt.datetime, url=None) -> bool:
    """Whether failures from everywhere together exceed the overall limit right now."""
    with get_engine(url).connect() as conn:
        failures = conn.execute(
            sa.select(sa.func.count()).where(
                LoginAttempt.success.is_(False),
                LoginAttempt.at >= now - dt.timedelta(minutes=1),
                LoginAttempt.at <= now,
            )
        ).scalar_one()
    return failures >= OVERALL_FAILURES_PER_MINUTE


def record_refusal(action: str, email: str, client: str | None, url=None) -> None:
    """Put a lock or a limit in the audit log (not a data change: no data-version bump, so a
    flood of refusals does not empty everyone's caches)."""
    with session_scope(url) as session:
        audit(
            session,
            actor=SIGN_IN_FORM,
            action=action,
            entity="sign_in",
            entity_id=None,
            project_id=None,
            after={"email": email, "client": client},
        )
        session.commit()
