"""Who is using the app, as plain values, and what their role lets them see and do.

A person is signed in either locally (their id in `st.session_state[AUTH_KEY]`, set by the
sign-in form) or through single sign-on (`st.user`, when `[auth]` is configured in
.streamlit/secrets.toml). Either way, every rerun re-reads them from the database, so a
role change or a deactivation applies at once; `current_actor()` returns the result.

A local sign-in also leaves a signed, expiring token in a cookie (`auth.SESSION_COOKIE`), so
that a browser refresh, which starts a new Streamlit session, finds the person again. Any
change to the person (role, password, deactivation) voids the token; signing out deletes it.
"""

from __future__ import annotations

import logging

import streamlit as st

from components.common import data
from components.common.layout import current_version
from data_access.core import auth
from data_access.core.db import session_scope
from data_access.core.permissions import may_create_project
from data_access.core.permissions import may_edit_project as _may_edit_project
from data_access.core.writes import Actor

log = logging.getLogger("pmo.auth")

AUTH_KEY = "auth_person_id"
ACTOR_KEY = "actor"
COOKIE_KEY = "auth_cookie"  # the token to store in the browser ("" to delete it) on the next run
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


@st.cache_data(max_entries=512, show_spinner=False)
def _actor_for_person(version: data.Version, person_id: int) -> Actor | None:
    return auth.actor_for_person(person_id, version[0])


@st.cache_data(max_entries=512, show_spinner=False)
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
    if email is not None:
        actor = _actor_for_email(version, email) if email else None
    else:
        person_id = st.session_state.get(AUTH_KEY)
        if person_id is None and not st.session_state.get(SIGNED_OUT_KEY):
            person_id = _person_from_cookie(version[0])
        actor = _actor_for_person(version, person_id) if person_id is not None else None
    if actor is None:
        st.session_state.pop(AUTH_KEY, None)
        st.session_state.pop(ACTOR_KEY, None)
    else:
        st.session_state[ACTOR_KEY] = actor
    return actor


def _person_from_cookie(url: str) -> int | None:
    """A refreshed browser: the person whose sign-in token it still holds, if valid."""
    token = st.context.cookies.get(auth.SESSION_COOKIE) if st.context.cookies else None
    actor = auth.actor_for_session_token(token, url=url) if token else None
    if actor is None:
        return None
    st.session_state[AUTH_KEY] = actor.person_id
    return actor.person_id


def sign_in_as(actor: Actor, url: str) -> None:
    """Remember a local sign-in for this session and this browser; redraw the app for them."""
    st.session_state[AUTH_KEY] = actor.person_id
    st.session_state[ACTOR_KEY] = actor
    st.session_state[COOKIE_KEY] = auth.issue_session_token(actor.person_id, url=url)
    st.session_state.pop(SIGNED_OUT_KEY, None)
    st.rerun()


def sign_out() -> None:
    st.session_state.pop(AUTH_KEY, None)
    st.session_state.pop(ACTOR_KEY, None)
    st.session_state[SIGNED_OUT_KEY] = True
    st.session_state[COOKIE_KEY] = ""
    if sso_email() is not None:
        st.logout()
    else:
        st.rerun()


# Sets or deletes the sign-in cookie in the browser. The script is a constant; the token is
# passed as data, never written into HTML.
_COOKIE_JS = """
export default function ({ data }) {
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  const value = data.token ? data.token : "";
  const maxAge = data.token ? data.max_age : 0;
  document.cookie = `${data.name}=${value}; Path=/; Max-Age=${maxAge}; SameSite=Strict${secure}`;
}
"""
_cookie_writer = st.components.v2.component("pmo_sign_in_cookie", js=_COOKIE_JS)


def write_cookie() -> None:
    """Store or delete the sign-in token in the browser, if a sign-in or sign-out asked to."""
    token = st.session_state.pop(COOKIE_KEY, None)
    if token is None:
        return
    _cookie_writer(
        data={
            "name": auth.SESSION_COOKIE,
            "token": token,
            "max_age": int(auth.SESSION_LIFETIME.total_seconds()),
        },
        key=f"sign_in_cookie_{bool(token)}",
    )
