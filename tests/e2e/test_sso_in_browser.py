"""Single sign-on in a real browser, through a real OpenID Connect provider: oidc-provider-mock
(an authlib server, run in a thread, that signs in whoever is typed into its form). The app
runs Streamlit's own `st.login` against it, configured by a secrets file as a deployment is.

A provider's sign-in opens a server-side session like a local sign-in's: listed, ended by an
admin, and then the provider's cookie alone does not sign in again, not even replayed from
another browser; signing in at the provider again does."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from benchmarks.browser import StreamlitServer
from data_access.core import sessions
from data_access.core.db import read_df, read_scalar
from data_access.core.writes import Actor
from tests.e2e.harness import settle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-sso")]
SIGN_IN = "Sign in with single sign-on"


@pytest.fixture(scope="module")
def provider():
    import oidc_provider_mock

    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def sso_server(demo_url, provider, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sso")
    secrets_file = folder / "secrets.toml"
    server = StreamlitServer(
        demo_url, folder / "streamlit.log", STREAMLIT_SECRETS_FILES=str(secrets_file)
    )
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{server.url}/oauth2callback"\n'
        'cookie_secret = "a cookie secret only these tests know"\n'
        'client_id = "pmo-dashboard"\n'
        'client_secret = "any secret: the provider takes every client"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    server.start().wait_ready()
    try:
        yield server
    finally:
        server.stop()


def _sign_in_at_provider(page, base: str, email: str) -> None:
    page.goto(base)
    settle(page)
    page.get_by_role("button", name=SIGN_IN).click()
    page.locator('input[name="sub"]').fill(email)  # the provider's own form
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{base}/**")
    settle(page)


def _sent_to_provider_to_sign_out(page, base: str, provider: str) -> None:
    """Opening the app with an ended session drops the provider's cookie and sends the
    browser to the provider's sign-out (Streamlit's `st.logout`); back to the app after."""
    page.goto(base)
    page.wait_for_url(f"{provider}/**")
    page.get_by_role("button", name="End session").click()
    page.goto(base)
    settle(page)
    expect(page.get_by_role("button", name=SIGN_IN)).to_be_visible()


def _open_sessions(url: str, person_id: int) -> int:
    return read_scalar(
        "SELECT COUNT(*) FROM sign_in_session WHERE person_id = :p AND ended_at IS NULL "
        "AND sso_hash IS NOT NULL",
        {"p": person_id},
        url=url,
    )


def test_a_single_sign_on_session_ends_for_good(sso_server, demo_url, provider, new_page):
    person = read_df(
        "SELECT id, name, email FROM person WHERE role = 'project_manager' ORDER BY id LIMIT 1",
        url=demo_url,
    ).iloc[0]
    base = sso_server.url
    page = new_page()
    context = page.context
    _sign_in_at_provider(page, base, person.email)
    expect(page.get_by_test_id("stSidebar")).to_contain_text(person["name"])
    assert _open_sessions(demo_url, int(person.id)) == 1
    copied = context.storage_state()  # every cookie the browser holds, as a thief would copy

    admin = Actor(person_id=1, name="Ada Admin", role="admin")
    assert sessions.end_sessions_of(int(person.id), actor=admin, url=demo_url) == 1

    # The next visit finds the session ended and drops the provider's cookie.
    _sent_to_provider_to_sign_out(page, base, provider)
    assert "_streamlit_user" not in {c["name"] for c in context.cookies()}

    # The copied cookies, replayed from another browser, open nothing.
    thief = new_page(storage_state=copied)
    _sent_to_provider_to_sign_out(thief, base, provider)
    assert _open_sessions(demo_url, int(person.id)) == 0

    # Signing in at the provider again is a new sign-in: a new session.
    _sign_in_at_provider(page, base, person.email)
    expect(page.get_by_test_id("stSidebar")).to_contain_text(person["name"])
    assert _open_sessions(demo_url, int(person.id)) == 1
