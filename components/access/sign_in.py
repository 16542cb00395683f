"""The sign-in page shown instead of the app until someone is signed in, and the account box."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import streamlit as st

from components.access import session, sessions_view
from components.common import data
from components.common.safe_text import md_escape
from data_access.core import auth
from data_access.core.writes import Actor

log = logging.getLogger("pmo.auth")


def require_sign_in(version: data.Version, pages: dict[str, list]) -> Actor:
    """The signed-in person; otherwise draw the sign-in page (or the SSO refusal) and stop.

    While signed out the navigation is registered hidden and no page runs: the address
    (say /project?project=PRJ-0042) stays as it is and opens once the person is signed in.
    """
    actor = session.resolve(version)
    session.write_cookie()
    demo_on = bool(session.demo_accounts(version))
    if demo_on:
        # Keyed so that the full-screen slides (PRESENTATION_CSS) can leave it off the screen
        # the room sees; every other page shows it.
        with st.container(key="demo_accounts_banner"):
            st.warning(
                "**Demo accounts are on: anyone who can open this address can sign in as a PMO "
                "admin with one click.** They go off by themselves once a real PMO admin exists.",
                icon=":material/lock_open:",
            )
    if actor is not None:
        if actor.role == "admin" and not demo_on:
            _tell_first_admin(version)
        return actor
    st.navigation(pages, position="hidden")
    _, middle, _ = st.columns([1, 1.2, 1])
    with middle:
        st.title("PMO dashboard")
        email = session.sso_email()
        if email is not None:
            _unknown_sso_user(email)
        else:
            _sign_in_forms(version)
    st.stop()


def _unknown_sso_user(email: str) -> None:
    log.warning("single sign-on refused for %r: no active person with this e-mail", email)
    st.error(
        f"**You are signed in as {md_escape(email or 'an account without e-mail')}, but this "
        "dashboard has no active person with that e-mail.** Ask a PMO admin to add you "
        "(Admin › People) with exactly this address, then sign in again.",
        icon=":material/person_off:",
    )
    if st.button("Sign out", icon=":material/logout:"):
        session.sign_out()


def _tell_first_admin(version: data.Version) -> None:
    """Once per session, tell a real admin that the demo accounts went off because of them."""
    if st.session_state.get("demo_off_told") or not auth.demo_people_exist(version[0]):
        return
    st.session_state["demo_off_told"] = True
    st.info(
        "The demo accounts are off now that a real PMO admin exists: nobody signs in with "
        "the one-click Demo buttons any more. Add the people who will use the app under "
        "Admin › People.",
        icon=":material/verified_user:",
    )


def _sign_in_forms(version: data.Version) -> None:
    url = version[0]
    if session.sso_configured():
        for provider, label in _sso_providers():
            if st.button(label, type="primary", icon=":material/login:", width="stretch"):
                st.login(provider)
        st.caption("Or with a local account:")
    with st.form("sign_in", enter_to_submit=True):
        st.subheader("Sign in")
        email = st.text_input("E-mail", key="sign_in_email", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="sign_in_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary", width="stretch")
    if submitted:
        try:
            actor = auth.authenticate(
                email,
                password,
                client=session.client_address(),
                known_person=session.known_person(url),
                url=url,
            )
        except auth.SignInRefused as refused:
            st.error(str(refused), icon=":material/block:")
        else:
            session.sign_in_as(actor, url)
    _demo_accounts(version)


def _sso_providers() -> list[tuple[str | None, str]]:
    """[auth] with its own client_id is one provider; [auth.name] sections are named ones."""
    section = st.secrets["auth"]
    named = [k for k, v in section.items() if isinstance(v, Mapping)]
    if not named:
        return [(None, "Sign in with single sign-on")]
    return [(name, f"Sign in with {name.replace('_', ' ').title()}") for name in named]


def _demo_accounts(version: data.Version) -> None:
    accounts = session.demo_accounts(version)
    if not accounts:
        return
    with st.container(border=True):
        st.markdown("**:material/science: Demo accounts**")
        st.caption(
            "The demo portfolio comes with one account per role, no password needed. "
            "They go off once a real PMO admin exists (or under Admin › Settings)."
        )
        for account in accounts:
            label = f"Demo · {session.ROLE_LABELS[account.role]} · {md_escape(account.name)}"
            if st.button(label, key=f"demo_{account.person_id}", width="stretch"):
                try:
                    actor = auth.demo_sign_in(
                        account.person_id, local=session.served_locally(), url=version[0]
                    )
                except auth.SignInRefused as refused:
                    st.error(str(refused))
                else:
                    session.sign_in_as(actor, version[0])


def account_box(actor: Actor) -> None:
    """Who is signed in, with their role, and the sign-out button, at the top of the sidebar."""
    with st.sidebar:
        st.markdown(
            f":material/account_circle: **{md_escape(actor.name)}** · "
            f"{session.ROLE_LABELS.get(actor.role, actor.role)}"
        )
        sign_out, mine = st.columns(2)
        if sign_out.button("Sign out", icon=":material/logout:", key="sign_out"):
            session.sign_out()
        if session.current_session() is not None and mine.button(
            "Sessions", icon=":material/devices:", key="my_sessions", help="My open sessions"
        ):
            sessions_view.my_sessions()
        session.watch_session()
        st.divider()
