"""The sign-in gate, role-aware navigation and the admin page, through Streamlit's AppTest."""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.access.session import COOKIE_KEY, SESSION_KEY, pages_for
from data_access.admin import commands as admin
from data_access.admin import reads as admin_reads
from data_access.core import auth
from data_access.core.db import read_df, session_scope
from data_access.core.settings import get_settings
from data_access.core.writes import Actor
from tests.auth_helpers import fast_hashing, sign_in, through_app_py  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("fast_hashing")
APP = str(Path(__file__).resolve().parent.parent / "app.py")
PASSWORD = "a long enough password"
ADA = Actor(1, "Ada Admin", "admin")


@pytest.fixture
def direct_url(demo_db_url, monkeypatch) -> str:
    """The demo database, with AppTest's own page routing; AppTest has no server address, so
    the demo accounts are offered by the setting."""
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    monkeypatch.setenv("PMO_DEMO_ACCOUNTS", "on")
    return demo_db_url


@pytest.fixture
def url(direct_url, request) -> str:
    """The demo database, every run going through app.py like on the server."""
    request.getfixturevalue("through_app_py")
    return direct_url


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _texts(at: AppTest) -> str:
    return "\n".join(
        str(e.value) for kind in (at.markdown, at.error, at.warning, at.success) for e in kind
    )


def _signed_out(at: AppTest) -> bool:
    return [t.value for t in at.title] == ["PMO dashboard"] and not at.metric


def test_signed_out_sees_the_sign_in_page_only(url):
    at = _app().run()
    assert not at.exception
    assert _signed_out(at)
    assert not at.sidebar.multiselect  # not even the filters' names of managers and programs
    assert [b.label for b in at.button if b.label.startswith("Demo")] == [
        "Demo · PMO admin · Ada Admin",
        "Demo · Portfolio manager · Pat Portfolio",
        "Demo · Project manager · Petra Projects",
        "Demo · Viewer · Vic Viewer",
    ]


def test_demo_accounts_off_on_a_reachable_server_and_the_banner_while_on(url, monkeypatch):
    at = _app().run()
    banner = "anyone who can open this address can sign in as a PMO admin"
    assert banner in at.warning[0].value
    _button(at, "Demo · Viewer · Vic Viewer").click().run()
    assert banner in at.warning[0].value  # on every page, signed in too
    # Served on every interface without the setting: no buttons, no banner.
    monkeypatch.delenv("PMO_DEMO_ACCOUNTS")
    at = _app().run()
    assert _signed_out(at) and not [b for b in at.button if b.label.startswith("Demo")]
    assert not at.warning


def test_the_first_real_admin_is_told_the_demo_accounts_are_off(url, monkeypatch):
    monkeypatch.delenv("PMO_DEMO_ACCOUNTS")
    auth.create_admin("boss@example.org", "The Boss", PASSWORD, url=url)
    at = _app().run()
    at.text_input(key="sign_in_email").input("boss@example.org")
    at.text_input(key="sign_in_password").input(PASSWORD)
    _button(at, "Sign in").click().run()
    assert "The demo accounts are off now that a real PMO admin exists" in at.info[0].value


def test_local_account_signs_in_and_out(url):
    auth.create_admin("boss@example.org", "The Boss", PASSWORD, url=url)
    at = _app().run()
    at.text_input(key="sign_in_email").input("Boss@Example.org")
    at.text_input(key="sign_in_password").input(PASSWORD)
    _button(at, "Sign in").click().run()
    assert [t.value for t in at.title] == ["Portfolio overview"]
    assert "The Boss" in at.sidebar.markdown[0].value
    _button(at, "Sign out").click().run()
    assert _signed_out(at)


def test_wrong_password_is_refused_and_the_email_stays(url):
    auth.create_admin("boss@example.org", "The Boss", PASSWORD, url=url)
    at = _app().run()
    at.text_input(key="sign_in_email").input("boss@example.org")
    at.text_input(key="sign_in_password").input("not the password")
    _button(at, "Sign in").click().run()
    assert _signed_out(at)
    assert [e.value for e in at.error] == [auth.WRONG]
    assert at.text_input(key="sign_in_email").value == "boss@example.org"


def test_rate_limit_shows_in_the_form(url):
    auth.create_admin("boss@example.org", "The Boss", PASSWORD, url=url)
    at = _app().run()
    at.text_input(key="sign_in_email").input("boss@example.org")
    for i in range(auth.MAX_FAILURES):
        at.text_input(key="sign_in_password").input(f"guess {i} guess")
        _button(at, "Sign in").click().run()
    at.text_input(key="sign_in_password").input(PASSWORD)
    _button(at, "Sign in").click().run()
    assert _signed_out(at)
    assert "Too many failed sign-ins for this e-mail" in at.error[0].value


def test_demo_button_signs_in_and_turning_demo_off_ends_it(url):
    at = _app().run()
    _button(at, "Demo · Viewer · Vic Viewer").click().run()
    assert [t.value for t in at.title] == ["Portfolio overview"]
    with session_scope(url) as session:
        admin.update_settings(
            {"demo_accounts": False},
            expected_versions=admin_reads.setting_versions(url),
            session=session,
            actor=ADA,
        )
    at.run()
    assert _signed_out(at)
    assert not [b for b in at.button if b.label.startswith("Demo")]


def test_single_sign_on_maps_the_email_to_the_person(url):
    at = _app()
    at.user = {"is_logged_in": True, "email": "Petra.Projects.3@example.org", "name": "Petra"}
    at.run()
    assert [t.value for t in at.title] == ["Portfolio overview"]
    assert "Petra Projects" in at.sidebar.markdown[0].value


def test_single_sign_on_of_an_unknown_email_is_refused_clearly(url):
    at = _app()
    at.user = {"is_logged_in": True, "email": "stranger@elsewhere.org"}
    at.run()
    assert not at.exception and not at.metric
    assert "no active person with that e-mail" in at.error[0].value
    assert r"stranger\@elsewhere\.org" in at.error[0].value  # shown as text, escaped
    assert [b.label for b in at.button] == ["Sign out"]


PAGES = {
    "Portfolio": [types.SimpleNamespace(url_path=p) for p in ("", "project", "risks")],
    "Work": [types.SimpleNamespace(url_path=p) for p in ("updates", "meeting")],
    "Settings": [types.SimpleNamespace(url_path="admin")],
}


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("admin", ["", "project", "risks", "updates", "meeting", "admin"]),
        ("portfolio_manager", ["", "project", "risks", "updates", "meeting"]),
        ("project_manager", ["", "project", "risks", "updates", "meeting"]),
        ("viewer", ["", "project", "risks", "meeting"]),
    ],
)
def test_navigation_shows_what_the_role_may_use(role, visible):
    shown = pages_for(PAGES, Actor(1, "X", role))
    assert [p.url_path for section in shown.values() for p in section] == visible
    assert ("Settings" in shown) == (role == "admin")


@pytest.mark.parametrize(
    ("role", "hidden"),
    [
        ("portfolio_manager", ["admin"]),
        ("project_manager", ["admin"]),
        ("viewer", ["admin", "updates"]),
    ],
)
def test_pages_the_role_may_not_use_are_not_in_its_navigation(url, role, hidden):
    at = _app()
    sign_in(at, role)
    at.run()
    for page in hidden:
        # AppTest lists the pages app.py registered with st.navigation for this person.
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"pages/{page}.py")
    at.switch_page("pages/meeting.py").run()
    assert not at.exception


@pytest.mark.parametrize("role", ["portfolio_manager", "project_manager", "viewer"])
def test_admin_page_itself_refuses_other_roles(direct_url, role):
    """Even run on its own, without app.py and its navigation, the page refuses."""
    at = AppTest.from_file(str(Path(APP).parent / "pages" / "admin.py"), default_timeout=60)
    sign_in(at, role)
    at.session_state["data_version"] = (direct_url, 0)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "This page is for a PMO admin. Ask a PMO admin if you need it."
    ]
    assert not at.text_input and not at.tabs


def _admin_page(url, tab: str | None = None) -> AppTest:
    """The admin page; only its open tab is drawn (`tab`: another than the first)."""
    at = _app()
    sign_in(at, "admin")
    at.run()
    if tab:
        at.query_params["tab"] = tab
    at.switch_page("pages/admin.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    ("tab", "shown"),
    [
        ("People and roles", "Add a person"),
        ("Portfolios, programs, departments", "Programs"),
        ("Thresholds and settings", "Schedule health"),
        ("Changes", "The latest 200 changes"),
        ("E-mail and deliveries", "E-mail is off"),
    ],
)
def test_the_admin_page_draws_its_open_tab_only(url, monkeypatch, tab, shown):
    monkeypatch.delenv("PMO_SMTP_URL", raising=False)
    at = _admin_page(url, tab)
    texts = _texts(at) + " ".join(e.value for e in (*at.subheader, *at.caption))
    assert shown in texts
    others = {"Add a person", "Programs", "Schedule health", "The latest 200 changes"} - {shown}
    assert not any(other in texts for other in others)


def test_add_person_shows_every_problem_keeps_the_input_then_saves(url):
    at = _admin_page(url)
    at.text_input(key="person_new.name").input("")
    at.text_input(key="person_new.email").input("petra.projects.3@example.org")
    at.text_input(key="person_new.password").input("short")
    _button(at, "Add person").click().run()
    shown = _texts(at)
    assert "is required" in shown
    assert "another record already has this email" in shown
    assert at.text_input(key="person_new.email").value == "petra.projects.3@example.org"
    assert at.text_input(key="person_new.password").value == "short"

    at.text_input(key="person_new.name").input("Grace Hopper")
    at.text_input(key="person_new.email").input("grace@example.org")
    at.selectbox(key="person_new.role").set_value("portfolio_manager")
    at.text_input(key="person_new.password").input(PASSWORD)
    _button(at, "Add person").click().run()
    assert r"Person added\." in _texts(at)  # the confirmation, escaped like all text
    assert auth.authenticate("grace@example.org", PASSWORD, url=url).role == "portfolio_manager"
    audit = read_df(
        "SELECT actor_name, action FROM audit_log WHERE entity = 'person' ORDER BY id", url=url
    )
    assert audit.values.tolist() == [["Ada Admin", "create"], ["Ada Admin", "set_password"]]


def test_settings_form_saves_valid_and_refuses_invalid_thresholds(url):
    at = _admin_page(url, "Thresholds and settings")
    at.number_input(key="settings_schedule.schedule_amber_pct").set_value(20.0)
    _button_in_form(at, "settings_schedule").click().run()
    assert "the Red threshold must not be below the Amber one" in _texts(at)
    assert at.number_input(key="settings_schedule.schedule_amber_pct").value == 20.0
    assert get_settings(url)["schedule_amber_pct"] == 5.0

    at.number_input(key="settings_reporting.stale_days").set_value(21)
    _button_in_form(at, "settings_reporting").click().run()
    assert get_settings(url)["stale_days"] == 21
    after = read_df("SELECT actor_name, after FROM audit_log WHERE entity = 'setting'", url=url)
    assert after.actor_name.tolist() == ["Ada Admin"]
    assert '"stale_days": 21' in str(after["after"].iloc[0]).replace("'", '"')


def _button_in_form(at: AppTest, form_key: str):
    return next(b for b in at.button if b.label == "Save" and b.form_id == form_key)


def test_concurrent_edit_of_a_person_is_shown_and_can_be_reapplied(url):
    at = _admin_page(url)
    at.selectbox(key="admin_person").set_value(4).run()  # Vic Viewer
    # Someone else saves Vic in the meantime.
    with session_scope(url) as session:
        admin.update_person(4, {"skill": "Finance"}, expected_version=1, session=session, actor=ADA)
    at.text_input(key="person_4.name").input("Victor Viewer")
    _button_in_form(at, "person_4").click().run()
    assert any("saved this since you opened it" in w.value for w in at.warning)
    assert read_df("SELECT name FROM person WHERE id = 4", url=url).name.item() == "Vic Viewer"
    _button(at, "Re-apply my changes").click().run()
    row = read_df("SELECT name, skill FROM person WHERE id = 4", url=url).iloc[0]
    assert (row["name"], row.skill) == ("Victor Viewer", "Finance")  # both changes kept


def test_may_edit_project_helper_follows_the_roles(url):
    def script():
        import streamlit as st

        from components.access.session import may_edit_project

        st.text(repr([may_edit_project(pid) for pid in (1, 2, 3, 4, 5, 6)]))

    projects = read_df("SELECT id, manager_id FROM project WHERE id <= 6 ORDER BY id", url=url)
    for role, expected in (
        ("admin", [True] * 6),
        ("viewer", [False] * 6),
        ("project_manager", (projects.manager_id == 3).tolist()),
    ):
        at = AppTest.from_function(script)
        sign_in(at, role, url=url)
        at.session_state["data_version"] = (url, 0)
        at.run()
        assert not at.exception, (role, at.exception)
        assert at.text[0].value == repr(expected), role
    assert True in (projects.manager_id == 3).tolist()  # Petra manages one of them


@pytest.mark.parametrize(
    ("auth_section", "labels"),
    [
        (
            {"client_id": "x", "server_metadata_url": "https://idp/.well-known"},
            ["Sign in with single sign-on"],
        ),
        (
            {"redirect_uri": "x", "microsoft": {"client_id": "x"}, "okta_eu": {"client_id": "y"}},
            [
                "Sign in with Microsoft",
                "Sign in with Okta Eu",
            ],
        ),
    ],
)
def test_single_sign_on_buttons_appear_when_configured(url, auth_section, labels):
    at = _app()
    at.secrets["auth"] = auth_section
    at.run()
    assert [b.label for b in at.button if b.label.startswith("Sign in with")] == labels
    # Local accounts (the first admin among them) still sign in beside it.
    assert at.text_input(key="sign_in_email")


def test_a_role_change_rotates_the_token(url):
    at = _app()
    sign_in(at, email="petra.projects.3@example.org")
    at.run()
    first = at.session_state[SESSION_KEY]
    version = read_df("SELECT version FROM person WHERE id = 3", url=url).version.item()
    with session_scope(url) as session:
        admin.update_person(
            3, {"role": "viewer"}, expected_version=version, session=session, actor=ADA
        )
    at.run()
    assert "Viewer" in at.sidebar.markdown[0].value
    second = at.session_state[SESSION_KEY]
    assert second != first
    assert at.session_state[COOKIE_KEY]["action"] == "start"  # the browser fetches a new token
    rows = read_df(
        "SELECT id, role, COALESCE(end_reason, 'open') AS state FROM sign_in_session ORDER BY id",
        url=url,
    ).values.tolist()
    assert rows == [[first, "project_manager", "rotated"], [second, "viewer", "open"]]
