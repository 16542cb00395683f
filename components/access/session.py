"""Who is using the app, as plain values, and what their role lets them see and do.

A person is signed in either locally (their id in `st.session_state[AUTH_KEY]`, set by the
sign-in form) or through single sign-on (`st.user`, when `[auth]` is configured in
.streamlit/secrets.toml). Either way, every rerun re-reads them from the database, so a
role change or a deactivation applies at once; `current_actor()` returns the result.

A local sign-in is a session kept on the server (data_access.core.sessions): the browser holds
only its random token, in an HttpOnly cookie set by the app server (components.access.routes),
so that a refresh, which starts a new Streamlit session, finds the person again. Every rerun
checks the session is still open: signing out, "end all my sessions", an admin, the idle
timeout and the absolute lifetime end it at once. A role change rotates the token.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets

import streamlit as st

from components.common import data
from components.common.cache import data_cache
from components.common.layout import current_version
from data_access.core import auth, sessions
from data_access.core.db import session_scope
from data_access.core.permissions import may_create_project
from data_access.core.permissions import may_edit_project as _may_edit_project
from data_access.core.writes import Actor

log = logging.getLogger("pmo.auth")

AUTH_KEY = "auth_person_id"
ACTOR_KEY = "actor"
SESSION_KEY = "auth_session_id"  # this browser's sign-in session (data_access.core.sessions)
# What the browser is to do with its cookie: trade a one-time code for it, or drop it.
COOKIE_KEY = "auth_cookie"
SIGNED_OUT_KEY = "auth_signed_out"  # this session's cookies were read before the sign-out
ANONYMOUS = Actor(person_id=None, name="not signed in", role="viewer")

ROLE_LABELS = {
    "admin": "PMO admin",
    "portfolio_manager": "Portfolio manager",
    "project_manager": "Project manager",
    "viewer": "Viewer",
}
EDITORS = ("admin", "portfolio_manager", "project_manager")
# Pages (by URL path) that only some roles see; every other page is open to everyone signed in.
PAGE_ROLES = {"admin": ("admin",), "updates": EDITORS}


def current_actor() -> Actor:
    """The person signed in on this rerun (ANONYMOUS, who may change nothing, if nobody is)."""
    return st.session_state.get(ACTOR_KEY, ANONYMOUS)


def is_admin() -> bool:
    return current_actor().role == "admin"


def may_edit_project(project_id: int) -> bool:
    """Whether the current person may change this project, for pages to show or hide buttons.

    The write functions check the same rule again on the server side.
    """
    actor = current_actor()
    if actor.role == "viewer":
        return False
    with session_scope(current_version()[0]) as session:
        return _may_edit_project(session, actor, project_id)


def may_add_project(program_id: int, department_id: int) -> bool:
    actor = current_actor()
    if actor.role not in ("admin", "portfolio_manager"):
        return False
    with session_scope(current_version()[0]) as session:
        return may_create_project(session, actor, program_id, department_id)


def may_see_page(url_path: str, actor: Actor | None = None) -> bool:
    roles = PAGE_ROLES.get(url_path)
    return roles is None or (actor or current_actor()).role in roles


def pages_for(pages: dict[str, list], actor: Actor) -> dict[str, list]:
    """The navigation `pages` with only what `actor`'s role may use; empty sections dropped."""
    allowed = {
        section: [p for p in entries if may_see_page(p.url_path, actor)]
        for section, entries in pages.items()
    }
    return {section: entries for section, entries in allowed.items() if entries}


def require_role(*roles: str) -> Actor:
    """Stop the page with a plain refusal unless the current person has one of `roles`.

    Navigation already hides such pages; this guards a page opened by its URL.
    """
    actor = current_actor()
    if actor.role not in roles:
        wanted = " or ".join(ROLE_LABELS[r] for r in roles)
        st.error(
            f"This page is for a {wanted}. Ask a PMO admin if you need it.",
            icon=":material/lock:",
        )
        st.stop()
    return actor


# --- resolving the signed-in person --------------------------------------------------------


def sso_configured() -> bool:
    """Single sign-on is on when .streamlit/secrets.toml has an [auth] section."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def sso_email() -> str | None:
    """The e-mail of the single sign-on user, if one is logged in."""
    if st.user.get("is_logged_in"):
        return st.user.get("email") or ""
    return None


@data_cache(max_entries=512)
def _actor_for_person(version: data.Version, person_id: int) -> Actor | None:
    return auth.actor_for_person(person_id, version[0])


@data_cache(max_entries=512)
def _actor_for_email(version: data.Version, email: str) -> Actor | None:
    return auth.actor_for_email(email, version[0])


@st.cache_resource(show_spinner=False)
def accounts_ready(url: str) -> bool:
    """Once per process: create the first admin from PMO_ADMIN_EMAIL / PMO_ADMIN_PASSWORD."""
    created = auth.bootstrap_admin_from_env(url)
    if created is not None:
        log.info("created the PMO admin from the environment (person %s)", created)
    return True


def resolve(version: data.Version) -> Actor | None:
    """Who is signed in on this rerun, re-read from the database; stored for current_actor()."""
    accounts_ready(version[0])
    email = sso_email()
    actor = _sso_actor(version, email) if email is not None else _local_actor(version)
    if actor is None:
        for key in (AUTH_KEY, ACTOR_KEY, SESSION_KEY):
            st.session_state.pop(key, None)
    else:
        st.session_state[ACTOR_KEY] = actor
    return actor


def _cookie_token() -> str | None:
    return st.context.cookies.get(sessions.SESSION_COOKIE) if st.context.cookies else None


def known_person(url: str) -> int | None:
    """The person this browser's session cookie belongs to, even if that session idled out."""
    return sessions.known_person(_cookie_token(), url=url)


def _local_actor(version: data.Version) -> Actor | None:
    """The person of this browser's open sign-in session (kept on the server), if any."""
    url = version[0]
    session_id = st.session_state.get(SESSION_KEY)
    if session_id is None and not st.session_state.get(SIGNED_OUT_KEY):
        found = sessions.session_for_token(_cookie_token(), url=url)
        session_id = found.session_id if found else None
    if session_id is None:
        return None
    return _session_actor(version, session_id)


def _sso_key() -> str:
    """The provider's sign-in this browser holds: issuer, subject and when it was issued."""
    return "|".join(str(st.user.get(claim, "")) for claim in ("iss", "sub", "iat"))


def _sso_actor(version: data.Version, email: str) -> Actor | None:
    """The single sign-on user, through a session of the same kind as a local sign-in's: the
    first rerun after the provider's sign-in starts it; once it has ended (signed out, ended
    by an admin or by the person, idle or expired), the provider's cookie is dropped and
    that sign-in starts no other (the person signs in at the provider again)."""
    actor = _actor_for_email(version, email) if email else None
    if actor is None:  # not a person of the app: the sign-in page says so
        return None
    url = version[0]
    session_id = st.session_state.get(SESSION_KEY)
    if session_id is None:
        found = sessions.session_for_token(_cookie_token(), url=url)
        if found is not None and found.person_id == actor.person_id:
            session_id = found.session_id
        elif sessions.sso_sign_in_spent(_sso_key(), url=url):
            st.logout()
            return None
        else:
            _new_session(actor, url)
            session_id = st.session_state[SESSION_KEY]
    found_actor = _session_actor(version, session_id)
    if found_actor is None:
        st.logout()
    return found_actor


def _session_actor(version: data.Version, session_id: int) -> Actor | None:
    """The person of an open session, which this use keeps from idling; None once it ended."""
    url = version[0]
    open_session = sessions.check_session(session_id, url=url)
    if open_session is None:  # signed out elsewhere, ended by an admin, idle or expired
        return None
    sessions.touch(open_session, url=url)
    st.session_state[SESSION_KEY] = session_id
    actor = _actor_for_person(version, open_session.person_id)
    if actor is not None and actor.role != open_session.role:
        _new_session(actor, url)  # a role change: the old token goes, a new one is issued
    if actor is not None:
        st.session_state[AUTH_KEY] = actor.person_id
    return actor


def current_session() -> int | None:
    """The id of this browser's sign-in session (None for single sign-on)."""
    return st.session_state.get(SESSION_KEY)


# Often enough that an ended or idle session leaves the screen soon, rarely enough to be free.
_WATCH_SECONDS = max(1.0, min(30.0, sessions.idle_timeout().total_seconds() / 4))


@st.fragment(run_every=_WATCH_SECONDS)
def watch_session() -> None:
    """Take the page back to the sign-in form once this browser's session has ended
    (elsewhere, by an admin, or idle), even if nobody touches the page; not a use itself."""
    session_id = current_session()
    if session_id is None:
        return
    if sessions.check_session(session_id, url=current_version()[0]) is None:
        st.rerun(scope="app")


def served_locally() -> bool:
    """Whether the app listens on a loopback address only (Streamlit's `server.address`), so
    nobody else on the network can reach it; unset means every interface."""
    address = st.get_option("server.address") or ""
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return address == "localhost"


def demo_accounts(version: data.Version) -> list[auth.DemoAccount]:
    """The one-click demo accounts offered now (none once a real admin exists, see auth)."""
    return _demo_accounts(version, served_locally(), auth.demo_setting())


@data_cache(max_entries=64)
def _demo_accounts(version: data.Version, local: bool, setting: str) -> list[auth.DemoAccount]:
    # `setting` (PMO_DEMO_ACCOUNTS) is only part of the cache key.
    return auth.demo_accounts(version[0], local=local)


def client_address() -> str | None:
    """The address the browser connects from (the proxy's, behind one; see README)."""
    return _text(st.context.ip_address)


def _text(value) -> str | None:
    """A request detail as text, or None where there is none (AppTest has no request)."""
    return value if isinstance(value, str) else None


def _new_session(actor: Actor, url: str) -> None:
    """End this browser's session (if any) and start a new one: a new token each time."""
    old = st.session_state.get(SESSION_KEY)
    if old is not None:
        sessions.end_session(old, sessions.ROTATED, url=url)
    session_id, code = sessions.start_session(
        actor.person_id,
        actor.role,
        client=client_address(),
        user_agent=_text(st.context.headers.get("User-Agent")) if st.context.headers else None,
        sso_key=_sso_key() if sso_email() is not None else None,
        url=url,
    )
    st.session_state[SESSION_KEY] = session_id
    st.session_state[COOKIE_KEY] = {"action": "start", "code": code}


def sign_in_as(actor: Actor, url: str) -> None:
    """Start a sign-in session for this browser; redraw the app for the person."""
    _new_session(actor, url)
    st.session_state[AUTH_KEY] = actor.person_id
    st.session_state[ACTOR_KEY] = actor
    st.session_state.pop(SIGNED_OUT_KEY, None)
    st.rerun()


def sign_out() -> None:
    """End this browser's session on the server and have the browser drop its cookie."""
    session_id = st.session_state.pop(SESSION_KEY, None)
    if session_id is not None:
        sessions.end_session(session_id, "signed out", url=current_version()[0])
    st.session_state.pop(AUTH_KEY, None)
    st.session_state.pop(ACTOR_KEY, None)
    st.session_state[SIGNED_OUT_KEY] = True
    st.session_state[COOKIE_KEY] = {"action": "end", "code": secrets.token_hex(8)}
    if sso_email() is not None:
        st.logout()
    else:
        st.rerun()


def end_all_my_sessions() -> int:
    """End every session of the signed-in person, this one included; then sign out here."""
    actor = current_actor()
    ended = sessions.end_sessions_of(actor.person_id, actor=actor, url=current_version()[0])
    sign_out()
    return ended


# Trades the one-time code for the HttpOnly session cookie (or asks the server to drop it):
# the token itself only ever travels in the server's Set-Cookie header. The script is a
# constant; the code is passed as data. Each code is sent once, however often this is drawn.
_COOKIE_JS = """
const sent = new Set();
export default function ({ data }) {
  if (!data || sent.has(data.code)) return;
  sent.add(data.code);
  const path = data.action === "start" ? "/_pmo/session" : "/_pmo/sign-out";
  fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-PMO-Code": data.code },
  });
}
"""
_cookie_writer = st.components.v2.component("pmo_sign_in_cookie", js=_COOKIE_JS)


def write_cookie() -> None:
    """Have the browser fetch or drop its sign-in cookie, if a sign-in or sign-out asked to."""
    request = st.session_state.get(COOKIE_KEY)
    if request is None:
        return
    _cookie_writer(data=request, key="pmo_sign_in_cookie")
