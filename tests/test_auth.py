"""Local accounts: argon2 hashes, sign-in, the rate limit, demo accounts, the first admin;
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data_access.admin import commands as admin
from data_access.admin import reads as admin_reads
from data_access.core import auth
from data_access.core import sign_in_limits as limits
from data_access.core.db import get_engine, read_df, session_scope
from data_access.core.models import LoginAttempt, Person
from data_access.core.writes import ValidationFailed
from tests.auth_helpers import fast_hashing  # noqa: F401 (a fixture)
from tests.factories import make_org

pytestmark = pytest.mark.usefixtures("fast_hashing")

PASSWORD = "correct horse battery staple"
T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
SECOND = dt.timedelta(seconds=1)


def _admin(url) -> int:
    return auth.create_admin("Boss@Example.org ", "Boss", PASSWORD, url=url)


def _all_text(url) -> str:
    """Every value of every table, as one string: a password must appear nowhere."""
    from sqlmodel import SQLModel

    parts = []
    with get_engine(url).connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                parts.extend(str(v) for v in row)
    return "\n".join(parts)


def test_stored_password_is_an_argon2_hash_and_nowhere_in_clear(db_url):
    person_id = _admin(db_url)
    stored = read_df(
        "SELECT email, role, password_hash FROM person WHERE id = :id", {"id": person_id}, db_url
    ).iloc[0]
    assert stored.email == "boss@example.org" and stored.role == "admin"
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in _all_text(db_url)
    # The audit row says a password was set, never the hash.
    audit = read_df("SELECT action, after FROM audit_log ORDER BY id", url=db_url)
    assert audit.action.tolist() == ["create", "set_password"]
    assert "argon2" not in _all_text(db_url).replace(stored.password_hash, "")


def test_production_hash_cost_meets_owasp_minimum():
    # The module's own hasher made this hash at import, before tests swapped in a cheaper one.
    assert auth._DUMMY_HASH.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_same_password_hashes_differently_each_time():
    first, second = auth.hash_password(PASSWORD), auth.hash_password(PASSWORD)
    assert first != second and auth.password_matches(first, PASSWORD)
    assert auth.password_matches(second, PASSWORD)
    assert not auth.password_matches(first, PASSWORD + "!")
    assert not auth.password_matches(None, PASSWORD)


def test_short_password_is_refused(db_url):
    with pytest.raises(ValidationFailed) as err:
        auth.create_admin("a@example.org", "A", "short", url=db_url)
    assert err.value.errors == {"password": "use at least 10 characters"}
    assert read_df("SELECT COUNT(*) AS n FROM person", url=db_url).n.item() == 0


def test_right_password_signs_in_wrong_one_is_refused(db_url):
    person_id = _admin(db_url)
    actor = auth.authenticate("BOSS@example.org", PASSWORD, now=T0, url=db_url)
    assert (actor.person_id, actor.name, actor.role) == (person_id, "Boss", "admin")
    for email, password in (
        ("boss@example.org", "wrong password!"),
        ("nobody@example.org", PASSWORD),  # an unknown address gets the same answer
        ("boss@example.org", ""),
    ):
        with pytest.raises(auth.SignInRefused) as refused:
            auth.authenticate(email, password, now=T0, url=db_url)
        assert "Boss" not in str(refused.value)
    attempts = read_df("SELECT email, success FROM login_attempt ORDER BY id", url=db_url)
    assert attempts.values.tolist() == [
        ["boss@example.org", True],
        ["boss@example.org", False],
        ["nobody@example.org", False],
    ]


def test_inactive_person_and_person_without_password_cannot_sign_in(db_url):
    org = make_org(db_url)  # people without passwords (single sign-on only)
    with pytest.raises(auth.SignInRefused, match="wrong"):
        auth.authenticate("pm@example.org", PASSWORD, now=T0, url=db_url)
    person_id = _admin(db_url)
    with get_engine(db_url).begin() as conn:
        conn.execute(sa.update(Person).where(Person.id == person_id).values(active=False))
    with pytest.raises(auth.SignInRefused, match="wrong"):
        auth.authenticate("boss@example.org", PASSWORD, now=T0, url=db_url)
    assert auth.actor_for_person(person_id, db_url) is None
    assert auth.actor_for_person(org["pm"], db_url).role == "project_manager"


def test_five_failures_lock_the_address_for_fifteen_minutes(db_url):
    _admin(db_url)
    for i in range(auth.MAX_FAILURES):
        with pytest.raises(auth.SignInRefused, match="wrong"):
            auth.authenticate(
                "boss@example.org", f"guess number {i}", now=T0 + i * MINUTE, url=db_url
            )
    # Locked: even the right password is refused, and the refusal says how long to wait.
    with pytest.raises(auth.SignInRefused) as locked:
        auth.authenticate("boss@example.org", PASSWORD, now=T0 + 5 * MINUTE, url=db_url)
    assert "Too many failed sign-ins" in str(locked.value)
    assert "Wait 10 minutes" in str(locked.value)
    # Another address is not affected.
    auth.create_admin("other@example.org", "Other", PASSWORD, url=db_url)
    assert auth.authenticate("other@example.org", PASSWORD, now=T0 + 5 * MINUTE, url=db_url)
    # Still locked just before the oldest failure leaves the window, open just after.
    with pytest.raises(auth.SignInRefused, match="Too many"):
        auth.authenticate("boss@example.org", PASSWORD, now=T0 + 15 * MINUTE, url=db_url)
    actor = auth.authenticate(
        "boss@example.org", PASSWORD, now=T0 + 15 * MINUTE + dt.timedelta(seconds=1), url=db_url
    )
    assert actor.name == "Boss"
    # Refusals while locked were not recorded, so they did not extend the lock.
    failures = read_df(
        sa.select(sa.func.count().label("n")).where(
            LoginAttempt.email == "boss@example.org", LoginAttempt.success.is_(False)
        ),
        url=db_url,
    )
    assert failures.n.item() == auth.MAX_FAILURES


def test_a_success_clears_earlier_failures(db_url):
    _admin(db_url)
    for i in range(auth.MAX_FAILURES - 1):
        with pytest.raises(auth.SignInRefused):
            auth.authenticate("boss@example.org", "nope nope nope", now=T0 + i * MINUTE, url=db_url)
    auth.authenticate("boss@example.org", PASSWORD, now=T0 + 4 * MINUTE, url=db_url)
    with pytest.raises(auth.SignInRefused, match="wrong"):
        auth.authenticate("boss@example.org", "nope nope nope", now=T0 + 5 * MINUTE, url=db_url)
    assert auth.failures_in_window("boss@example.org", now=T0 + 5 * MINUTE, url=db_url) == 1


def test_demo_accounts_sign_in_only_while_the_setting_is_on(demo_db_url, monkeypatch):
    monkeypatch.setenv("PMO_DEMO_ACCOUNTS", "on")  # kept on after the real admin below
    url = demo_db_url
    accounts = auth.demo_accounts(url, local=True)
    assert [(a.person_id, a.name, a.role) for a in accounts] == [
        (1, "Ada Admin", "admin"),
        (2, "Pat Portfolio", "portfolio_manager"),
        (3, "Petra Projects", "project_manager"),
        (4, "Vic Viewer", "viewer"),
    ]
    assert auth.demo_sign_in(4, local=True, url=url).role == "viewer"
    # Only demo accounts sign in without a password.
    with pytest.raises(auth.SignInRefused):
        auth.demo_sign_in(5, local=True, url=url)
    person_id = auth.create_admin("real@example.org", "Real Admin", PASSWORD, url=url)
    real = auth.actor_for_person(person_id, url)
    with session_scope(url) as session:
        versions = admin_reads.setting_versions(url)
        admin.update_settings(
            {"demo_accounts": False}, expected_versions=versions, session=session, actor=real
        )
    assert auth.demo_accounts(url, local=True) == []
    with pytest.raises(auth.SignInRefused, match="turned off"):
        auth.demo_sign_in(1, local=True, url=url)
    # A demo session already open ends on its next rerun.
    assert auth.actor_for_person(1, url) is None
    assert auth.actor_for_person(person_id, url) == real


def test_demo_accounts_only_on_loopback_or_by_setting_and_off_once_a_real_admin_exists(
    demo_db_url, monkeypatch
):
    url = demo_db_url
    monkeypatch.delenv("PMO_DEMO_ACCOUNTS", raising=False)
    # Reachable from the network: no demo buttons, and no demo sign-in by a crafted request.
    assert auth.demo_accounts(url, local=False) == []
    with pytest.raises(auth.SignInRefused):
        auth.demo_sign_in(1, local=False, url=url)
    assert len(auth.demo_accounts(url, local=True)) == 4
    monkeypatch.setenv("PMO_DEMO_ACCOUNTS", "on")
    assert len(auth.demo_accounts(url, local=False)) == 4
    monkeypatch.setenv("PMO_DEMO_ACCOUNTS", "off")
    assert auth.demo_accounts(url, local=True) == []
    # The first real admin turns them off by existing, and signs the demo admin out.
    monkeypatch.delenv("PMO_DEMO_ACCOUNTS")
    assert auth.actor_for_person(1, url).role == "admin"
    assert auth.demo_people_exist(url) and not auth.real_admin_exists(url)
    auth.create_admin("real@example.org", "Real Admin", PASSWORD, url=url)
    assert auth.real_admin_exists(url)
    assert auth.demo_accounts(url, local=True) == []
    assert auth.actor_for_person(1, url) is None


def test_single_sign_on_maps_the_email_to_a_person(db_url):
    org = make_org(db_url)
    actor = auth.actor_for_email(" PM@Example.org", db_url)
    assert (actor.person_id, actor.role) == (org["pm"], "project_manager")
    assert auth.actor_for_email("stranger@example.org", db_url) is None


def test_first_admin_from_the_environment_is_created_once(db_url, monkeypatch):
    monkeypatch.setenv("PMO_ADMIN_EMAIL", "first@example.org")
    monkeypatch.setenv("PMO_ADMIN_PASSWORD", PASSWORD)
    monkeypatch.setenv("PMO_ADMIN_NAME", "First Admin")
    person_id = auth.bootstrap_admin_from_env(db_url)
    assert auth.authenticate("first@example.org", PASSWORD, now=T0, url=db_url).role == "admin"
    # A restart with another password in the environment leaves the account alone.
    monkeypatch.setenv("PMO_ADMIN_PASSWORD", "a different password")
    assert auth.bootstrap_admin_from_env(db_url) is None
    assert auth.authenticate("first@example.org", PASSWORD, now=T0, url=db_url).person_id == (
        person_id
    )


def test_no_environment_no_admin(db_url, monkeypatch):
    monkeypatch.delenv("PMO_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("PMO_ADMIN_PASSWORD", raising=False)
    assert auth.bootstrap_admin_from_env(db_url) is None
    assert read_df("SELECT COUNT(*) AS n FROM person", url=db_url).n.item() == 0


def test_command_line_creates_an_admin_and_resets_a_password(db_url, monkeypatch, capsys):
    org = make_org(db_url)
    monkeypatch.setenv("PMO_ADMIN_PASSWORD", PASSWORD)
    code = auth.main(
        ["create-admin", "--email", "pm@example.org", "--name", "Promoted", "--url", db_url]
    )
    assert code == 0
    assert "pm@example.org is a PMO admin" in capsys.readouterr().out
    actor = auth.authenticate("pm@example.org", PASSWORD, now=T0, url=db_url)
    assert (actor.person_id, actor.role, actor.name) == (org["pm"], "admin", "Promoted")
    monkeypatch.setenv("PMO_ADMIN_PASSWORD", "too short")
    assert auth.main(["create-admin", "--email", "x@example.org", "--url", db_url]) == 1
    assert "at least 10 characters" in capsys.readouterr().err


ATTACKER = "198.51.100.9"


def test_one_client_guessing_across_fifty_addresses_is_slowed_and_audited(db_url):
    _admin(db_url)
    slowed = 0
    for i in range(50):
        try:
            auth.authenticate(
                f"person{i}@example.org",
                "password123!",
                client=ATTACKER,
                now=T0 + i * SECOND,
                url=db_url,
            )
        except auth.SignInRefused as refused:
            slowed += "from your address" in str(refused)
    # Five free tries (0-4 s), then a delay doubling from 1 s: only at 5, 7, 11, 19 and 35 s.
    checked = read_df(
        "SELECT COUNT(*) AS n FROM login_attempt WHERE client = :c", {"c": ATTACKER}, db_url
    ).n.item()
    assert checked == limits.CLIENT_FREE_FAILURES + 5
    assert slowed == 50 - checked
    audit = read_df(
        "SELECT action, actor_name, after FROM audit_log WHERE entity = 'sign_in'", url=db_url
    )
    assert (audit.action == "sign_in_slowed_client").sum() == slowed
    assert set(audit.actor_name) == {"sign-in form"}
    assert ATTACKER in str(audit.after.iloc[0])
    # Another client is not held back by the attacker's delay.
    assert auth.authenticate(
        "boss@example.org", PASSWORD, client="192.0.2.1", now=T0 + 50 * SECOND, url=db_url
    )
    # The delay grows with each failure and ends once the attacker waits long enough.
    later = T0 + limits.WINDOW + 50 * SECOND
    assert limits.client_wait(ATTACKER, later, db_url) is None


def test_a_locked_email_still_signs_in_from_the_owners_browser(db_url):
    person_id = _admin(db_url)
    for i in range(auth.MAX_FAILURES):
        with pytest.raises(auth.SignInRefused, match="wrong"):
            auth.authenticate(
                "boss@example.org",
                f"guess {i} guess",
                client=f"203.0.113.{i}",
                now=T0 + i * SECOND,
                url=db_url,
            )
    after = T0 + 10 * SECOND
    with pytest.raises(auth.SignInRefused, match="for this e-mail"):
        auth.authenticate("boss@example.org", PASSWORD, client="192.0.2.1", now=after, url=db_url)
    # The owner's browser, known by its (idle) session cookie, is let through.
    actor = auth.authenticate(
        "boss@example.org",
        PASSWORD,
        client="192.0.2.1",
        known_person=person_id,
        now=after,
        url=db_url,
    )
    assert actor.person_id == person_id
    actions = read_df(
        "SELECT action FROM audit_log WHERE entity = 'sign_in' ORDER BY id", url=db_url
    ).action.tolist()
    assert actions == ["sign_in_locked", "sign_in_refused_locked"]


def test_failures_from_everywhere_hold_every_sign_in_for_a_minute(db_url):
    _admin(db_url)
    for i in range(limits.OVERALL_FAILURES_PER_MINUTE):
        with pytest.raises(auth.SignInRefused, match="wrong"):
            auth.authenticate(
                f"p{i}@example.org",
                "guess guess guess",
                client=f"10.0.{i}.1",
                now=T0 + dt.timedelta(milliseconds=500 * i),
                url=db_url,
            )
    with pytest.raises(auth.SignInRefused, match="on this dashboard right now"):
        auth.authenticate(
            "boss@example.org", PASSWORD, client="192.0.2.1", now=T0 + 40 * SECOND, url=db_url
        )
    assert auth.authenticate(
        "boss@example.org", PASSWORD, client="192.0.2.1", now=T0 + 2 * MINUTE, url=db_url
    )
    assert (
        read_df(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'sign_in_held_overall'", url=db_url
        ).n.item()
        == 1
    )
