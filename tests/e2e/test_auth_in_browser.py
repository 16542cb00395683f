"""In a real browser against a real server: sign in, see the pages of one's role, sign out;
a refresh keeps the person signed in; and hostile text typed into names, summaries and titles
shows as text, never as HTML or script."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from data_access.admin import commands as admin
from data_access.core.db import dispose_engines, read_scalar, session_scope
from data_access.core.sessions import SESSION_COOKIE
from data_access.core.writes import Actor
from data_access.updates import commands
from tests.conftest import DEMO_TODAY
from tests.e2e.harness import (
    eventually,
    go_to,
    nav_titles,
    open_options,
    settle,
    settle_after_action,
    sign_in_with_password,
    streamlit_servers,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-auth")]

HOSTILE = "<img src=x onerror=alert(1)>"
PASSWORD = "a long enough password"
ADA = Actor(1, "Ada Admin", "admin")


def _plant_hostile_text(url: str) -> None:
    """Hostile strings written through the data layer, as a user would through the forms."""
    # The run's day: on or after the demo's last weekly report, so this one is the latest.
    day = DEMO_TODAY
    version = read_scalar("SELECT version FROM project WHERE id = 1", url=url)
    with session_scope(url) as s:
        commands.update_project(
            1, {"name": HOSTILE}, expected_version=version, session=s, actor=ADA
        )
    with session_scope(url) as s:
        commands.submit_status_report(
            {
                "project_id": 1,
                "report_date": day,
                "summary": f"Summary {HOSTILE}",
                "cost_to_date": 90_000,
                "forecast_at_completion": 200_000,
                "override_rag": "A",
                "override_reason": f"Reason {HOSTILE}",
            },
            session=s,
            actor=ADA,
        )
    with session_scope(url) as s:
        commands.create_risk(
            {"project_id": 1, "title": f"Risk {HOSTILE}", "probability": 4, "impact": 4},
            raised_on=day,
            session=s,
            actor=ADA,
        )
    with session_scope(url) as s:
        admin.update_program(
            1, {"name": f"Program {HOSTILE}"}, expected_version=1, session=s, actor=ADA
        )
    with session_scope(url) as s:
        admin.update_department(
            1, {"name": f"Department {HOSTILE}"}, expected_version=1, session=s, actor=ADA
        )
    for name, email, role in (
        (HOSTILE, "xss@example.org", "admin"),
        ("Paula Manager", "paula@example.org", "project_manager"),
    ):
        with session_scope(url) as s:
            admin.create_person(
                {"name": name, "email": email, "role": role},
                password=PASSWORD,
                session=s,
                actor=ADA,
            )


@pytest.fixture(scope="module")
def server(demo_sqlite_path, tmp_path_factory):
    """A server with its own copy of the demo database, hostile text planted in it."""
    folder = tmp_path_factory.mktemp("auth")
    shutil.copy(demo_sqlite_path, folder / "pmo.db")
    url = f"sqlite:///{folder / 'pmo.db'}"
    _plant_hostile_text(url)
    dispose_engines()
    # The hostile admin is a real admin: the setting keeps the demo buttons used below.
    with streamlit_servers(url, folder, PMO_DEMO_DATA="off", PMO_DEMO_ACCOUNTS="on") as (server,):
        yield server.url


@pytest.fixture
def page(new_page):
    """A new visitor whose browser records any alert() an injected script would raise."""
    tab = new_page()
    tab.dialogs = []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    return tab


def _sign_in(page, email: str) -> None:
    sign_in_with_password(page, email, PASSWORD)


def _has_session_cookie(page) -> bool:
    return any(c["name"] == SESSION_COOKIE for c in page.context.cookies())


def _heading(page, text: str):
    page.get_by_role("heading", name=text, exact=True).wait_for()


def test_sign_in_see_the_pages_of_the_role_sign_out(server, page):
    page.goto(server)
    page.get_by_role("button", name="Demo · Viewer · Vic Viewer").wait_for()
    _sign_in(page, "paula@example.org")
    _heading(page, "Portfolio overview")
    settle(page)
    pm_pages = nav_titles(page)
    assert "Quick updates" in pm_pages and "Admin" not in pm_pages
    assert page.get_by_text("Paula Manager").first.is_visible()

    # A refresh starts a new Streamlit session; the session cookie keeps the person in.
    eventually(lambda: _has_session_cookie(page))
    page.reload()
    _heading(page, "Portfolio overview")
    assert page.get_by_text("Paula Manager").first.is_visible()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Password", exact=True).wait_for()
    # The signed-in pages' menu goes once the sign-in run has finished (not at the first frame).
    menu_links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]')
    expect(menu_links).to_have_count(0)
    eventually(lambda: not _has_session_cookie(page))
    page.reload()
    page.get_by_label("Password", exact=True).wait_for()

    page.get_by_role("button", name="Demo · Viewer · Vic Viewer").click()
    _heading(page, "Portfolio overview")
    settle(page)
    viewer_pages = nav_titles(page)
    assert "Admin" not in viewer_pages and "Quick updates" not in viewer_pages
    assert "Overview" in viewer_pages and "Meeting mode" in viewer_pages

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Demo · PMO admin · Ada Admin").click()
    _heading(page, "Portfolio overview")
    settle(page)
    assert "Admin" in nav_titles(page)
    go_to(page, "Admin")
    _heading(page, "Admin")
    page.get_by_role("tab", name="Thresholds and settings").wait_for()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Password", exact=True).wait_for()
    assert page.dialogs == []


def _assert_no_injected_html(page) -> None:
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("script:text('alert')").count() == 0
    assert page.dialogs == []


def test_hostile_text_shows_as_text_everywhere(server, page, tmp_path):
    # A deep link survives the sign-in: the project page opens on the hostile project.
    page.goto(f"{server}/project?project=PRJ-0001")
    _sign_in(page, "xss@example.org")
    title = page.get_by_role("heading", name=f"PRJ-0001 · {HOSTILE}", exact=True)
    title.wait_for()
    settle(page)
    body = page.inner_text("body")
    for text in (f"Summary {HOSTILE}", f"Reason {HOSTILE}", f"Program {HOSTILE}"):
        assert text in body, text
    # The signed-in person's own name, in the sidebar.
    assert page.locator('[data-testid="stSidebar"]').get_by_text(HOSTILE).count() >= 1
    _assert_no_injected_html(page)
    page.screenshot(path=str(tmp_path / "project.png"))

    # The filters list the hostile program and department names as plain options.
    go_to(page, "Overview")
    _heading(page, "Portfolio overview")
    settle(page)
    for label in ("Program", "Department"):
        open_options(page.get_by_role("combobox", name=label))
        page.get_by_role("option", name=f"{label} {HOSTILE}").wait_for()
        page.keyboard.press("Escape")
    _assert_no_injected_html(page)

    # The admin page: the person's name in the picker and in the edit form.
    go_to(page, "Admin")
    _heading(page, "Admin")
    page.get_by_placeholder("Name, e-mail or role").fill("xss@")
    page.get_by_placeholder("Name, e-mail or role").press("Enter")
    settle(page)
    form_name = page.locator('[data-testid="stForm"]').first.get_by_label("Name")
    assert form_name.input_value() == HOSTILE
    picker = page.locator('[data-testid="stSelectbox"]', has_text="Person")
    assert f"{HOSTILE} · xss@example.org" in picker.inner_text() + "".join(
        picker.locator("input").evaluate_all("els => els.map(e => e.value)")
    )
    page.get_by_role("tab", name="Portfolios, programs, departments").click()
    settle(page)
    _assert_no_injected_html(page)
    page.screenshot(path=str(tmp_path / "admin.png"))


def test_first_request_of_a_fresh_server_goes_through_the_sign_in(demo_sqlite_path, tmp_path, page):
    """Streamlit starts in its legacy pages-folder mode until the first st.navigation call:
    the first request of a new server process for /admin must still meet the sign-in."""
    shutil.copy(demo_sqlite_path, tmp_path / "fresh.db")
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with streamlit_servers(url, tmp_path, PMO_DEMO_DATA="off") as (fresh,):
        page.goto(f"{fresh.url}/admin")
        page.get_by_label("Password", exact=True).wait_for()
        settle(page)
        assert page.get_by_role("heading", name="Admin", exact=True).count() == 0
        assert page.get_by_role("tab").count() == 0
        assert page.get_by_test_id("stPageLink-NavLink").count() == 0
        # Signing in then opens the page that was asked for.
        page.get_by_role("button", name="Demo · PMO admin · Ada Admin").click()
        settle_after_action(page)
        _heading(page, "Admin")
