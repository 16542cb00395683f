"""Run the app in Streamlit's AppTest as a signed-in person.

app.py shows only the sign-in page until someone is signed in. A test signs in by putting
the person in the AppTest's session state before running, exactly what the sign-in form
does after checking the password (with a real server-side session):

    from tests.auth_helpers import sign_in

    monkeypatch.setenv("DATABASE_URL", url)           # the database the app will use
    at = AppTest.from_file(str(APP), default_timeout=60)
    sign_in(at, role="project_manager")               # or email="jane@example.org"
    at.run()
    at.switch_page("pages/updates.py").run()

Roles: "admin", "portfolio_manager", "project_manager", "viewer". The person is the first
active one with that role, demo accounts first: on the demo portfolio these are Ada Admin,
Pat Portfolio, Petra Projects and Vic Viewer (ids 1 to 4); on a database made with
tests/factories.make_org, the people it creates. The database must exist already: when the
app's first run is what creates it, run once (the sign-in page shows), then sign in and run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from components.access.session import ACTOR_KEY, AUTH_KEY, SESSION_KEY
from data_access.core import auth, sessions
from data_access.core.config import normalise_url
from data_access.core.db import get_engine
from data_access.core.models import Person
from data_access.core.writes import Actor

APP = Path(__file__).resolve().parent.parent / "app.py"


def sign_in(
    at: AppTest, role: str = "admin", *, email: str | None = None, url: str | None = None
) -> Actor:
    """Sign `at` in as the first active person with `role` (or with `email`); returns them."""
    url = normalise_url(url or os.environ["DATABASE_URL"])
    query = sa.select(Person.id, Person.name, Person.role).where(Person.active.is_(True))
    query = query.where(Person.email == email.lower() if email else Person.role == role)
    with get_engine(url).connect() as conn:
        row = conn.execute(query.order_by(Person.is_demo_account.desc(), Person.id)).first()
    if row is None:
        raise LookupError(f"no active person with {'e-mail ' + email if email else 'role ' + role}")
    actor = Actor(person_id=row.id, name=row.name, role=row.role)
    at.session_state[AUTH_KEY] = actor.person_id
    at.session_state[ACTOR_KEY] = actor
    at.session_state[SESSION_KEY] = sessions.start_session(row.id, row.role, url=url)[0]
    return actor


def sign_out(at: AppTest) -> None:
    for key in (AUTH_KEY, ACTOR_KEY, SESSION_KEY):
        if key in at.session_state:
            del at.session_state[key]


@pytest.fixture
def fast_hashing(monkeypatch):
    """Real argon2id at the lowest cost, so tests that set many passwords stay quick
    (the production cost is asserted in tests/test_auth.py)."""
    monkeypatch.setattr(
        auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


def keep_navigation_mode(monkeypatch) -> None:
    """Make every AppTest run go through app.py (its sign-in gate and navigation), as on the
    real server.

    AppTest resets Streamlit's legacy "pages/ folder" mode before each run, so after the
    first run a page (the one switched to, or the one the last run ended on) runs alone,
    without app.py, and components.common.layout.ensure_app_shell reruns it, which drops the click
    or form submit under test.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def through_app_py(monkeypatch):
    keep_navigation_mode(monkeypatch)


def actor_of(url: str, person_id: int) -> Actor:
    """The person `person_id` as the app sees them signed in."""
    with get_engine(url).connect() as conn:
        name, role = conn.execute(
            sa.select(Person.name, Person.role).where(Person.id == person_id)
        ).one()
    return Actor(person_id, name, role)


def open_app(
    url: str,
    monkeypatch,
    page: str | None = None,
    *,
    role: str = "admin",
    actor: Actor | None = None,
    timeout: float = 90,
    **query,
) -> AppTest:
    """The app on database `url`, signed in as `actor` (or the first person with `role`), with
    these query parameters, switched to `page` (e.g. "pages/risks.py"); fails on an exception."""
    monkeypatch.setenv("DATABASE_URL", url)
    keep_navigation_mode(monkeypatch)
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    if actor is None:
        sign_in(at, role, url=url)
    else:  # as sign_in does: the app signs in only through an open server-side session
        at.session_state[AUTH_KEY] = actor.person_id
        at.session_state[ACTOR_KEY] = actor
        at.session_state[SESSION_KEY] = sessions.start_session(
            actor.person_id, actor.role, url=normalise_url(url)
        )[0]
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
