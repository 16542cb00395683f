"""Sign-in sessions kept on the server: one-time codes, tokens, idle and absolute expiry,
ending one session or all of a person's; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data_access.core import auth, sessions
from data_access.core.clock import real_now
from data_access.core.db import get_engine, read_df
from data_access.core.models import SignInSession
from data_access.core.writes import Actor
from tests.auth_helpers import fast_hashing  # noqa: F401 (a fixture)
from tests.factories import make_org

pytestmark = pytest.mark.usefixtures("fast_hashing")

T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def _open(url, person_id: int, role: str = "project_manager", now=T0) -> tuple[int, str]:
    """A session opened and its cookie token fetched, as a browser does after signing in."""
    session_id, code = sessions.start_session(
        person_id, role, client="203.0.113.7", user_agent="Firefox", now=now, url=url
    )
    token = sessions.redeem_code(code, now=now + dt.timedelta(seconds=1), url=url)
    assert token
    return session_id, token


def test_code_is_spent_once_and_only_hashes_are_stored(db_url):
    org = make_org(db_url)
    session_id, code = sessions.start_session(org["pm"], "project_manager", now=T0, url=db_url)
    token = sessions.redeem_code(code, now=T0, url=db_url)
    assert sessions.session_for_token(token, now=T0, url=db_url).session_id == session_id
    # A code works once; a wrong or late one never.
    assert sessions.redeem_code(code, now=T0, url=db_url) is None
    assert sessions.redeem_code("guess", now=T0, url=db_url) is None
    _, late = sessions.start_session(org["pm"], "project_manager", now=T0, url=db_url)
    late_at = T0 + sessions.CODE_LIFETIME + dt.timedelta(seconds=1)
    assert sessions.redeem_code(late, now=late_at, url=db_url) is None
    # The table holds neither the code nor the token, only their hashes.
    with get_engine(db_url).connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(sa.select(SignInSession)) for v in row)
    assert token not in stored and code not in stored and late not in stored


def test_idle_and_absolute_expiry(db_url, monkeypatch):
    monkeypatch.setenv("PMO_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("PMO_SESSION_HOURS", "2")
    org = make_org(db_url)
    session_id, token = _open(db_url, org["pm"])
    assert sessions.session_for_token(token, now=T0 + 29 * MINUTE, url=db_url)
    assert sessions.session_for_token(token, now=T0 + 31 * MINUTE, url=db_url) is None
    # Used every 20 minutes it stays open, until the absolute lifetime ends it.
    for minutes in range(20, 120, 20):
        now = T0 + minutes * MINUTE
        open_session = sessions.check_session(session_id, now=now, url=db_url)
        assert open_session, minutes
        sessions.touch(open_session, now=now, url=db_url)
    assert sessions.check_session(session_id, now=T0 + 119 * MINUTE, url=db_url)
    assert sessions.check_session(session_id, now=T0 + 121 * MINUTE, url=db_url) is None


def test_durations_default_and_bad_settings_keep_the_default(monkeypatch):
    monkeypatch.delenv("PMO_SESSION_IDLE_MINUTES", raising=False)
    monkeypatch.setenv("PMO_SESSION_HOURS", "soon")
    assert sessions.idle_timeout() == dt.timedelta(hours=2)
    assert sessions.absolute_lifetime() == dt.timedelta(hours=12)


def test_sign_out_ends_only_that_session_and_end_all_ends_every_one(db_url):
    org = make_org(db_url)
    first, first_token = _open(db_url, org["pm"])
    _, second_token = _open(db_url, org["pm"])
    _, other_token = _open(db_url, org["other_pm"])
    sessions.end_token_session(first_token, "signed out", url=db_url)
    assert sessions.session_for_token(first_token, now=T0, url=db_url) is None
    assert sessions.session_for_token(second_token, now=T0, url=db_url)

    pm = Actor(org["pm"], "PM", "project_manager")
    # Nobody but a PMO admin ends someone else's sessions.
    with pytest.raises(PermissionError):
        sessions.end_sessions_of(org["other_pm"], actor=pm, url=db_url)
    assert sessions.end_sessions_of(org["pm"], actor=pm, url=db_url) == 1
    assert sessions.session_for_token(second_token, now=T0, url=db_url) is None
    assert sessions.session_for_token(other_token, now=T0, url=db_url)
    boss = Actor(org["admin"], "Admin", "admin")
    assert sessions.end_sessions_of(org["other_pm"], actor=boss, url=db_url) == 1
    assert sessions.session_for_token(other_token, now=T0, url=db_url) is None
    ended = read_df("SELECT id, end_reason FROM sign_in_session ORDER BY id", url=db_url)
    assert ended.end_reason.tolist() == ["signed out", "ended by the person", "ended by an admin"]
    audit = read_df(
        "SELECT actor_id, entity_id FROM audit_log WHERE action = 'end_sessions' ORDER BY id",
        url=db_url,
    )
    assert audit.values.tolist() == [[org["pm"], org["pm"]], [org["admin"], org["other_pm"]]]


def test_open_sessions_lists_what_is_open(db_url):
    org = make_org(db_url)
    _open(db_url, org["pm"], now=real_now())
    _open(db_url, org["viewer"], role="viewer", now=real_now())
    mine = sessions.open_sessions(org["pm"], url=db_url)
    assert mine[["client", "user_agent", "role"]].values.tolist() == [
        ["203.0.113.7", "Firefox", "project_manager"]
    ]
    assert len(sessions.open_sessions(url=db_url)) == 2
    assert mine.expires.iloc[0] - mine.signed_in.iloc[0] == sessions.absolute_lifetime()


def test_a_new_password_ends_the_persons_sessions(db_url):
    person_id = auth.create_admin("boss@example.org", "Boss", "a long password one", url=db_url)
    _, token = _open(db_url, person_id, role="admin", now=real_now())
    assert sessions.session_for_token(token, url=db_url)
    auth.create_admin("boss@example.org", "Boss", "a long password two", url=db_url)
    assert sessions.session_for_token(token, url=db_url) is None


def test_a_single_sign_on_opens_no_session_once_one_of_its_sessions_ended(db_url, monkeypatch):
    monkeypatch.setenv("PMO_SESSION_IDLE_MINUTES", "30")
    org = make_org(db_url)
    sign_in, later = "https://idp|ann|1764000000", "https://idp|ann|1764003600"

    def start(key: str, now=T0) -> int:
        return sessions.start_session(
            org["pm"], "project_manager", sso_key=key, now=now, url=db_url
        )[0]

    first = start(sign_in)
    assert not sessions.sso_sign_in_spent(sign_in, now=T0, url=db_url)
    # A token rotation (a role change) ends a session but the sign-in goes on.
    sessions.end_session(first, sessions.ROTATED, now=T0, url=db_url)
    second = start(sign_in)
    assert not sessions.sso_sign_in_spent(sign_in, now=T0, url=db_url)
    # Idle, the sign-in is spent; a later sign-in at the provider is another one.
    assert sessions.sso_sign_in_spent(sign_in, now=T0 + 31 * MINUTE, url=db_url)
    assert not sessions.sso_sign_in_spent(later, now=T0 + 31 * MINUTE, url=db_url)
    # Signed out (or ended by an admin): spent at once.
    sessions.end_session(second, "signed out", now=T0, url=db_url)
    assert sessions.sso_sign_in_spent(sign_in, now=T0, url=db_url)
    with get_engine(db_url).connect() as conn:
        stored = conn.execute(sa.select(SignInSession.sso_hash)).scalars().all()
    assert sign_in not in stored and all(len(h) == 64 for h in stored)  # only its hash
