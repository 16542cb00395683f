"""The API tokens page through Streamlit's AppTest on the demo portfolio: a person creates a
token (shown once), sees it listed and revokes it; an admin sees everyone's."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from data_access.api_tokens.commands import token_hash
from data_access.core.db import get_engine
from tests.api_helpers import person, token
from tests.auth_helpers import open_app
from tests.conftest import DEMO_TODAY

PAGE = "pages/api_tokens.py"


def _tokens(url: str) -> list[tuple]:
    with get_engine(url).connect() as conn:
        return conn.execute(
            sa.text("SELECT name, scope, token_hash, revoked_at FROM api_token ORDER BY id")
        ).all()


def test_create_shows_the_secret_once_then_revoke(demo_db_url, monkeypatch):
    at = open_app(demo_db_url, monkeypatch, PAGE, role="project_manager")
    at.text_input[0].input("Power BI report")
    at.radio[0].set_value("read-write")
    at.date_input[0].set_value(DEMO_TODAY + dt.timedelta(days=30))
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    secret = at.code[-1].value
    ((name, scope, stored, revoked),) = _tokens(demo_db_url)
    assert (name, scope, revoked) == ("Power BI report", "read-write", None)
    assert stored == token_hash(secret) and secret.startswith("pmo_")
    assert "shown only once" in at.success[0].value
    listed = at.dataframe[0].value
    assert list(listed.name) == ["Power BI report"] and list(listed.state) == ["active"]
    at.run()  # any rerun: the secret is gone from the page
    assert all(secret not in c.value for c in at.code)
    at.button(key="revoke_own_button").click().run()
    assert _tokens(demo_db_url)[0][3] is not None
    assert list(at.dataframe[0].value.state) == ["revoked"]


def test_an_empty_name_is_refused_in_words(demo_db_url, monkeypatch):
    at = open_app(demo_db_url, monkeypatch, PAGE, role="viewer")
    at.button[0].click().run()
    assert any("Name" in e.value and "required" in e.value for e in at.error)
    assert _tokens(demo_db_url) == []


def test_an_admin_sees_and_revokes_everyones_tokens(demo_db_url, monkeypatch):
    token(demo_db_url, person(demo_db_url, "viewer"), DEMO_TODAY)
    at = open_app(demo_db_url, monkeypatch, PAGE, role="admin")
    everyone = at.dataframe[-1].value
    assert list(everyone.owner) == [person(demo_db_url, "viewer").name]
    at.button(key="revoke_any_button").click().run()
    assert _tokens(demo_db_url)[0][3] is not None
