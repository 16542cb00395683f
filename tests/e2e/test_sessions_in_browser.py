"""Sign-in sessions in real browsers against a real server: the session cookie is HttpOnly and
set by the server, a token copied before sign-out is refused after it, "end all my sessions"
signs out another browser, an idle session ends by itself; and the security headers, under
which every part of the app still works."""

from __future__ import annotations

import shutil
import time
import urllib.error
import urllib.request

import pytest

from data_access.admin import commands as admin
from data_access.core.db import dispose_engines, read_df, session_scope
from data_access.core.sessions import SESSION_COOKIE
from data_access.core.writes import Actor
from tests.e2e.harness import (
    eventually,
    settle,
    sign_in_with_password,
    still,
    streamlit_servers,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-sessions")]

PASSWORD = "a long enough password"
EMAIL = "sam@example.org"
IDLE_SECONDS = 40  # well beyond what a page takes to show on a loaded machine
EXPORT_SECONDS = 15


def _server(demo_sqlite_path, folder, **env):
    """A server on its own copy of the demo database, with one person who has a password."""
    shutil.copy(demo_sqlite_path, folder / "pmo.db")
    url = f"sqlite:///{folder / 'pmo.db'}"
    with session_scope(url) as s:
        admin.create_person(
            {"name": "Sam Sessions", "email": EMAIL, "role": "project_manager"},
            password=PASSWORD,
            session=s,
            actor=Actor(1, "Ada Admin", "admin"),
        )
    dispose_engines()
    return streamlit_servers(url, folder, PMO_DEMO_DATA="off", **env)


@pytest.fixture(scope="module")
def server(demo_sqlite_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sessions")
    minutes = str(EXPORT_SECONDS / 60)
    with _server(demo_sqlite_path, folder, PMO_EXPORT_MINUTES=minutes) as (server,):
        yield server.url


def _signed_in(page):
    page.get_by_role("heading", name="Portfolio overview", exact=True).wait_for()


def _at_sign_in(page):
    page.get_by_label("Password", exact=True).wait_for()


def _session_cookie(context) -> dict:
    """This browser's session cookie, once the page has traded its one-time code for it."""
    return eventually(
        lambda: next((c for c in context.cookies() if c["name"] == SESSION_COOKIE), None)
    )


def _sign_in(page, base_url: str) -> dict:
    page.goto(base_url)
    sign_in_with_password(page, EMAIL, PASSWORD)
    _signed_in(page)
    return _session_cookie(page.context)


def _visit_with(new_page, base_url: str, cookies: list[dict]):
    """A fresh browser that replays the given cookies, as someone who copied them would."""
    page = new_page()
    page.context.add_cookies(
        [{"name": c["name"], "value": c["value"], "url": base_url} for c in cookies]
    )
    page.goto(base_url)
    return page


def test_the_token_is_httponly_and_a_copy_is_refused_after_sign_out(server, new_page):
    page = new_page()
    cookie = _sign_in(page, server)
    # Set by the server, out of reach of any script on the page.
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert SESSION_COOKIE not in page.evaluate("document.cookie")

    # While the session is open the token is what signs this browser in after a refresh...
    copy = _visit_with(new_page, server, [cookie])
    _signed_in(copy)

    page.get_by_role("button", name="Sign out").click()
    _at_sign_in(page)
    # ...once signed out, the same token signs nobody in, wherever it was copied to.
    eventually(lambda: not any(c["name"] == SESSION_COOKIE for c in page.context.cookies()))
    _at_sign_in(_visit_with(new_page, server, [cookie]))
    # The browser that was already open with the copy is sent to the sign-in form too.
    _at_sign_in(copy)


def test_document_cookie_holds_nothing_that_signs_in(server, new_page):
    page = new_page()
    _sign_in(page, server)
    readable = [
        {"name": name, "value": value}
        for name, _, value in (
            part.strip().partition("=") for part in page.evaluate("document.cookie").split(";")
        )
        if name
    ]
    assert all(c["name"] != SESSION_COOKIE for c in readable)
    # Everything a script could read, replayed from another browser, signs nobody in.
    _at_sign_in(_visit_with(new_page, server, readable))
    page.get_by_role("button", name="Sign out").click()
    _at_sign_in(_visit_with(new_page, server, readable))


def test_end_all_my_sessions_signs_out_the_other_browser(server, new_page):
    first, second = new_page(), new_page()
    _sign_in(first, server)
    _sign_in(second, server)
    first.get_by_role("button", name="Sessions").click()
    dialog = still(first.get_by_role("dialog"))
    dialog.locator('[data-testid="stDataFrame"]').wait_for()
    dialog.get_by_role("button", name="End all my sessions").click()
    _at_sign_in(first)
    # The other browser goes back to the sign-in form by itself, without a click.
    _at_sign_in(second)
    second.reload()
    _at_sign_in(second)


def test_an_idle_session_ends_by_itself(demo_sqlite_path, tmp_path, new_page):
    idle = str(IDLE_SECONDS / 60)
    with _server(demo_sqlite_path, tmp_path, PMO_SESSION_IDLE_MINUTES=idle) as (server,):
        page = new_page()
        # Signing in is the first use: the session starts after this moment.
        started = last_use = time.monotonic()
        cookie = _sign_in(page, server.url)
        # Used more often than the idle time, it stays open for longer than that. The user
        # comes back a third of the idle time after the last use, however long that use took
        # to show (a sign-in took 13 s on a loaded machine, and a written use may be a
        # quarter of the idle time older than the use), so no gap between uses nears it.
        while time.monotonic() - started < 1.25 * IDLE_SECONDS:
            time.sleep(max(0.0, last_use + IDLE_SECONDS / 3 - time.monotonic()))
            # The server notes the use while it runs the page, after this moment: a loaded
            # machine can take seconds more to show it, which must not count as idle time.
            last_use = time.monotonic()
            page.reload()
            _signed_in(page)
        # Nobody touches the page: it goes back to the sign-in form once the idle time is up,
        # counted from the last use noted (uses are written at most every quarter of it).
        _at_sign_in(page)
        assert time.monotonic() - last_use >= IDLE_SECONDS * 3 / 4
        _at_sign_in(_visit_with(new_page, server.url, [cookie]))


VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
    (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def test_security_headers_and_the_app_works_under_them(server, new_page):
    with urllib.request.urlopen(server) as answer:
        headers = answer.headers
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"

    page = new_page()
    page.context.add_init_script(VIOLATIONS)
    _sign_in(page, server)  # the sign-in cookie's component runs under the policy
    settle(page)
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    assert charts.count() >= 1
    assert charts.locator("canvas, svg.marks").count() == charts.count()
    assert page.evaluate("window.__cspViolations") == []


def _export_csv(page) -> str:
    """Press the CSV export of the filtered portfolio; the address the file was served from."""
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV", exact=True).first.click()
    return download.value.url


def test_exports_only_to_the_signed_in_browser_and_only_for_minutes(server, new_page):
    page = new_page()
    _sign_in(page, server)
    page.goto(f"{server}/updates")
    page.get_by_role("tab", name="Import & export").click()
    # The file is built on the click, so its lifetime starts after this (the server's clock is
    # this machine's monotonic one); the checks below may take seconds on a busy machine.
    clicked = time.monotonic()
    address = _export_csv(page)
    assert "/media/" in address
    mine = page.context.request
    assert mine.get(address).status == 200
    # Anyone else holding the address gets nothing.
    assert new_page().context.request.get(address).status == 403
    with pytest.raises(urllib.error.HTTPError, match="403"):
        urllib.request.urlopen(address)
    # Minutes later (here: seconds, by the setting) the address stops working even for me...
    eventually(lambda: mine.get(address).status == 403)
    assert time.monotonic() - clicked >= EXPORT_SECONDS
    # ...until I build the file again; after signing out, it is refused again.
    address = _export_csv(page)
    assert mine.get(address).status == 200
    page.get_by_role("button", name="Sign out").click()
    _at_sign_in(page)
    eventually(lambda: mine.get(address).status == 403)


def test_sign_in_limits_count_each_client_behind_a_proxy_on_this_machine(
    demo_sqlite_path, tmp_path, new_page
):
    """The README's proxy on the same machine passes each client's address on in
    X-Forwarded-For: failed sign-ins count against each client, not all against the proxy's
    127.0.0.1 (which would let one guesser slow everyone down)."""
    clients = ("203.0.113.9", "198.51.100.4")
    with _server(demo_sqlite_path, tmp_path) as (server,):
        for client in clients:
            page = new_page()
            page.context.set_extra_http_headers({"X-Forwarded-For": client})
            page.goto(server.url)
            sign_in_with_password(page, EMAIL, "not the password")
            _at_sign_in(page)
    seen = read_df(
        "SELECT DISTINCT client FROM login_attempt WHERE email = :e AND NOT success",
        {"e": EMAIL},
        url=f"sqlite:///{tmp_path / 'pmo.db'}",
    )
    assert set(seen.client) == set(clients)
