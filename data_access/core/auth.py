"""Sign-in with local accounts: argon2 hashes, a rate limit on failures, the first admin.

No password is ever baked into the code. The first PMO admin comes from the command line

    python -m data_access.core.auth create-admin --email ada@example.org --name "Ada Lovelace"

(the password is asked for twice, or read from PMO_ADMIN_PASSWORD), or from the environment
at app start: PMO_ADMIN_EMAIL + PMO_ADMIN_PASSWORD (+ PMO_ADMIN_NAME) create that admin once,
if that address has no password yet. The same command resets a forgotten admin password.

Single sign-on (OpenID Connect through `st.login`) is handled in components/access/session.py; it
maps the signed-in e-mail to a person with `actor_for_email`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import math
import os
import sys
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session

from data_access.core import sign_in_limits as limits
from data_access.core.clock import real_now
from data_access.core.config import setting
from data_access.core.db import get_engine, session_scope
from data_access.core.models import (
    LoginAttempt,
    Person,
    PersonCreate,
    PersonUpdate,
    SignInSession,
    utcnow,
)
from data_access.core.settings import get_settings
from data_access.core.writes import (
    Actor,
    ValidationFailed,
    audit,
    commit,
    fetch_row,
    insert_row,
    update_row,
    validate,
)

# argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): slow enough to make
# guessing costly, light enough that ten people signing in at once do not exhaust memory.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verified when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")

MIN_PASSWORD_LENGTH = 10
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
WRONG = "The e-mail or the password is wrong."

# Who the command line and the environment bootstrap act as in the audit log.
BOOTSTRAP = Actor(person_id=None, name="command line", role="admin")


class SignInRefused(Exception):
    """A sign-in that did not succeed; the message is safe to show as it is."""


@dataclass(frozen=True)
class DemoAccount:
    person_id: int
    name: str
    role: str


def hash_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise ValidationFailed({"password": problem})
    return _hasher.hash(password)


def password_problem(password: str) -> str | None:
    """What is wrong with a new password, in words, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"use at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > 1024:
        return "use at most 1024 characters"
    if not password.strip():
        return "use more than spaces"
    return None


def password_matches(stored_hash: str | None, password: str) -> bool:
    """True if `password` fits the stored hash; a missing hash matches nothing."""
    try:
        _hasher.verify(stored_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return stored_hash is not None


def _normal(email: str) -> str:
    return (email or "").strip().lower()


# --- rate limit -------------------------------------------------------------------------


def failures_in_window(email: str, *, now: dt.datetime | None = None, url=None) -> int:
    """Failed sign-ins for `email` in the last FAILURE_WINDOW, counted after its last success."""
    now = now or real_now()
    since = now - FAILURE_WINDOW
    email = _normal(email)
    with get_engine(url).connect() as conn:
        last_success = conn.execute(
            sa.select(sa.func.max(LoginAttempt.at)).where(
                LoginAttempt.email == email,
                LoginAttempt.success.is_(True),
                LoginAttempt.at >= since,
            )
        ).scalar()
        return conn.execute(
            sa.select(sa.func.count())
            .select_from(LoginAttempt)
            .where(
                LoginAttempt.email == email,
                LoginAttempt.success.is_(False),
                LoginAttempt.at >= (last_success or since),
                LoginAttempt.at <= now,
            )
        ).scalar_one()


def _record_attempt(email: str, success: bool, client: str | None, now: dt.datetime, url) -> None:
    with get_engine(url).begin() as conn:
        conn.execute(
            sa.insert(LoginAttempt).values(email=email, at=now, success=success, client=client)
        )


def _check_limits(email: str, client: str | None, now: dt.datetime, url) -> None:
    """Refuse (and audit) an attempt that a lock or a limit holds back."""
    if limits.overall_busy(now, url):
        limits.record_refusal("sign_in_held_overall", email, client, url)
        raise SignInRefused(
            "Too many failed sign-ins on this dashboard right now. Wait a minute and try again."
        )
    wait = limits.client_wait(client, now, url)
    if wait is not None:
        limits.record_refusal("sign_in_slowed_client", email, client, url)
        seconds = max(1, math.ceil(wait.total_seconds()))
        raise SignInRefused(
            f"Too many failed sign-ins from your address. Wait {seconds} second"
            f"{'s' if seconds != 1 else ''} and try again."
        )
    if failures_in_window(email, now=now, url=url) >= MAX_FAILURES:
        limits.record_refusal("sign_in_refused_locked", email, client, url)
        raise SignInRefused(_locked_message(email, now, url))


def _locked_message(email: str, now: dt.datetime, url) -> str:
    with get_engine(url).connect() as conn:
        oldest = conn.execute(
            sa.select(LoginAttempt.at)
            .where(
                LoginAttempt.email == email,
                LoginAttempt.success.is_(False),
                LoginAttempt.at >= now - FAILURE_WINDOW,
            )
            .order_by(LoginAttempt.at.desc())
            .limit(1)
            .offset(MAX_FAILURES - 1)
        ).scalar()
    wait = (oldest + FAILURE_WINDOW - now) if oldest else FAILURE_WINDOW
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    return (
        f"Too many failed sign-ins for this e-mail. Wait {minutes} minute"
        f"{'s' if minutes != 1 else ''} and try again, or ask a PMO admin to reset the password."
    )


# --- signing in -------------------------------------------------------------------------


def authenticate(
    email: str,
    password: str,
    *,
    client: str | None = None,
    known_person: int | None = None,
    now: dt.datetime | None = None,
    url=None,
) -> Actor:
    """The person behind `email` if the password is right; otherwise SignInRefused.

    After MAX_FAILURES failures within FAILURE_WINDOW the address is refused without even
    checking the password, so guessing is slow; the refusals while locked are not counted,
    so the owner gets back in once the window has passed. The limits per client address and
    overall (core.sign_in_limits) apply too, except from a browser known to be this
    person's (`known_person`: the person of its session cookie, even ended by idling).
    """
    now = now or real_now()
    email = _normal(email)
    if not email or not password:
        raise SignInRefused("Enter your e-mail and your password.")
    with get_engine(url).connect() as conn:
        person = conn.execute(
            sa.select(
                Person.id,
                Person.name,
                Person.role,
                Person.active,
                Person.password_hash,
                Person.is_demo_account,
            ).where(Person.email == email)
        ).first()
    if person is None or person.id != known_person:
        _check_limits(email, client, now, url)
    stored = person.password_hash if person is not None else None
    ok = password_matches(stored, password)
    if ok and person.is_demo_account and not demo_accounts_enabled(url):
        ok = False
    if not ok or not person.active:
        _record_attempt(email, False, client, now, url)
        if failures_in_window(email, now=now, url=url) == MAX_FAILURES:
            limits.record_refusal("sign_in_locked", email, client, url)
        raise SignInRefused(WRONG)
    _record_attempt(email, True, client, now, url)
    if _hasher.check_needs_rehash(stored):
        with get_engine(url).begin() as conn:
            conn.execute(
                sa.update(Person)
                .where(Person.id == person.id)
                .values(password_hash=_hasher.hash(password))
            )
    return Actor(person_id=person.id, name=person.name, role=person.role)


def demo_setting() -> str:
    """`PMO_DEMO_ACCOUNTS`: "on" offers them anywhere, "off" nowhere; unset decides by itself."""
    return (setting("PMO_DEMO_ACCOUNTS") or "").strip().lower()


def real_admin_exists(url=None) -> bool:
    """Whether an active PMO admin who is not a demo account exists (someone set the app up)."""
    with get_engine(url).connect() as conn:
        return (
            conn.execute(
                sa.select(Person.id)
                .where(
                    Person.role == "admin",
                    Person.active.is_(True),
                    Person.is_demo_account.is_(False),
                )
                .limit(1)
            ).first()
            is not None
        )


def demo_people_exist(url=None) -> bool:
    """Whether the demo portfolio's accounts are in the database (on or off)."""
    with get_engine(url).connect() as conn:
        return (
            conn.execute(
                sa.select(Person.id).where(Person.is_demo_account.is_(True)).limit(1)
            ).first()
            is not None
        )


def demo_accounts_enabled(url=None) -> bool:
    """Demo accounts sign in: the Admin switch is on and, unless `PMO_DEMO_ACCOUNTS=on`, no
    real PMO admin exists yet (the first one turns them off by existing)."""
    choice = demo_setting()
    if choice == "off" or not get_settings(url).get("demo_accounts"):
        return False
    return choice == "on" or not real_admin_exists(url)


def demo_accounts(url=None, *, local: bool) -> list[DemoAccount]:
    """The demo portfolio's one-click accounts, when they may be offered (else none).

    `local`: the app listens on a loopback address only, so nobody on the network can reach
    the buttons; elsewhere they are offered only with `PMO_DEMO_ACCOUNTS=on`.
    """
    if not demo_accounts_enabled(url) or not (local or demo_setting() == "on"):
        return []
    with get_engine(url).connect() as conn:
        rows = conn.execute(
            sa.select(Person.id, Person.name, Person.role)
            .where(Person.is_demo_account.is_(True), Person.active.is_(True))
            .order_by(Person.id)
        ).all()
    return [DemoAccount(*row) for row in rows]


def demo_sign_in(person_id: int, *, local: bool, now: dt.datetime | None = None, url=None) -> Actor:
    """Sign in as a demo account: only a demo account, only while they are offered."""
    account = next((a for a in demo_accounts(url, local=local) if a.person_id == person_id), None)
    if account is None:
        raise SignInRefused("Demo accounts are turned off.")
    with get_engine(url).connect() as conn:
        email = conn.execute(sa.select(Person.email).where(Person.id == person_id)).scalar_one()
    _record_attempt(email, True, None, now or real_now(), url)
    return Actor(person_id=account.person_id, name=account.name, role=account.role)


def actor_for_person(person_id: int, url=None) -> Actor | None:
    """The person as signed in now, re-read on every rerun so a role change applies at once.

    None if they were deactivated, or are a demo account while demo accounts are off.
    """
    with get_engine(url).connect() as conn:
        row = conn.execute(
            sa.select(Person.id, Person.name, Person.role, Person.is_demo_account).where(
                Person.id == person_id, Person.active.is_(True)
            )
        ).first()
    if row is None or (row.is_demo_account and not demo_accounts_enabled(url)):
        return None
    return Actor(person_id=row.id, name=row.name, role=row.role)


def actor_for_email(email: str, url=None) -> Actor | None:
    """Single sign-on: the active person with this e-mail, or None (the app then refuses)."""
    with get_engine(url).connect() as conn:
        person_id = conn.execute(
            sa.select(Person.id).where(Person.email == _normal(email))
        ).scalar()
    return actor_for_person(person_id, url) if person_id is not None else None


# --- setting passwords and the first admin -------------------------------------------------


def store_password(session: Session, person_id: int, password: str, *, actor: Actor) -> None:
    """Set a person's password hash inside the caller's transaction, audited without the hash."""
    password_hash = hash_password(password)
    person = fetch_row(session, Person, person_id)
    session.execute(
        sa.update(Person)
        .where(Person.id == person_id)
        .values(password_hash=password_hash, version=person["version"] + 1, updated_at=utcnow())
    )
    # A new password ends every session opened with the old one.
    session.execute(
        sa.update(SignInSession)
        .where(SignInSession.person_id == person_id, SignInSession.ended_at.is_(None))
        .values(ended_at=real_now(), end_reason="password changed", code_hash=None)
    )
    audit(
        session,
        actor=actor,
        action="set_password",
        entity="person",
        entity_id=person_id,
        project_id=None,
        after={"password": "changed"},
    )


def create_admin(email: str, name: str, password: str, *, url=None) -> int:
    """Create a PMO admin with this password, or make the existing person with this e-mail
    an active admin with this password (how a forgotten admin password is reset)."""
    problem = password_problem(password)
    if problem:
        raise ValidationFailed({"password": problem})
    with session_scope(url) as session:
        person_id = session.execute(
            sa.select(Person.id).where(Person.email == _normal(email))
        ).scalar()
        if person_id is None:
            person = validate(PersonCreate, {"name": name, "email": email, "role": "admin"})
            person_id = insert_row(
                session, Person, person.model_dump(), actor=BOOTSTRAP, project_id=None
            )
        else:
            current = fetch_row(session, Person, person_id)
            update_row(
                session,
                Person,
                person_id,
                {"role": "admin", "active": True, **({"name": name} if name else {})},
                expected_version=current["version"],
                schema=PersonUpdate,
                actor=BOOTSTRAP,
                project_id=None,
            )
        store_password(session, person_id, password, actor=BOOTSTRAP)
        commit(session)
    return person_id


def bootstrap_admin_from_env(url=None) -> int | None:
    """At app start: PMO_ADMIN_EMAIL + PMO_ADMIN_PASSWORD create that admin, once.

    Nothing happens when the address already has a password, so a password changed in the
    app is not reset by the next restart.
    """
    email, password = setting("PMO_ADMIN_EMAIL"), setting("PMO_ADMIN_PASSWORD")
    if not email or not password:
        return None
    with get_engine(url).connect() as conn:
        has_password = conn.execute(
            sa.select(Person.password_hash.is_not(None)).where(Person.email == _normal(email))
        ).scalar()
    if has_password:
        return None
    return create_admin(email, setting("PMO_ADMIN_NAME") or "PMO admin", password, url=url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_access.core.auth", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser(
        "create-admin", help="create a PMO admin (or reset an admin's password)"
    )
    create.add_argument("--email", default=os.environ.get("PMO_ADMIN_EMAIL"))
    create.add_argument("--name", default=os.environ.get("PMO_ADMIN_NAME", "PMO admin"))
    create.add_argument("--url", help="database URL (default: DATABASE_URL or data/pmo.db)")
    args = parser.parse_args(argv)
    if not args.email:
        parser.error("give --email (or set PMO_ADMIN_EMAIL)")
    password = os.environ.get("PMO_ADMIN_PASSWORD")
    if not password:
        password = getpass.getpass("Password for the new admin: ")
        if getpass.getpass("The same password again: ") != password:
            print("The two passwords differ; nothing was changed.", file=sys.stderr)
            return 1
    from data_access.core.schema import upgrade_database

    upgrade_database(args.url)
    try:
        person_id = create_admin(args.email, args.name, password, url=args.url)
    except ValidationFailed as exc:
        print(f"Not created: {exc}", file=sys.stderr)
        return 1
    print(f"{_normal(args.email)} is a PMO admin (person {person_id}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
