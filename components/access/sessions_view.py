"""Open sign-in sessions of a person, with the button that ends them all: in the signed-in
person's "My sessions" dialog and, for a PMO admin, under Admin › People."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.access import session
from components.common.layout import current_version
from components.common.safe_text import md_escape
from data_access.core import sessions
from data_access.core.clock import time_zone


def browser_name(user_agent) -> str:
    """A short name for the browser, from its User-Agent (shown as text, never as HTML);
    "unknown" without one (None, or NaN in a column where other sessions have one)."""
    agent = user_agent if isinstance(user_agent, str) else ""
    for name in ("Edg", "Firefox", "Chrome", "Safari"):
        if name in agent:
            return {"Edg": "Edge"}.get(name, name)
    return agent[:40] or "unknown"


def sessions_table(person_id: int) -> int:
    """Draw the open sessions of a person; returns how many there are."""
    open_now = sessions.open_sessions(person_id, url=current_version()[0])
    if open_now.empty:
        st.caption("No open sessions.")
        return 0
    zone = time_zone()
    this = st.session_state.get(session.SESSION_KEY)
    st.dataframe(
        pd.DataFrame(
            {
                "Signed in": open_now.signed_in.dt.tz_convert(zone).dt.strftime("%d %b %H:%M"),
                "Last used": open_now.last_used.dt.tz_convert(zone).dt.strftime("%d %b %H:%M"),
                "Ends at the latest": open_now.expires.dt.tz_convert(zone).dt.strftime(
                    "%d %b %H:%M"
                ),
                # Streamlit gives no address for a browser on the server itself.
                "From": open_now.client.fillna("this machine"),
                "Browser": open_now.user_agent.map(browser_name),
                "This browser": open_now.session_id == this,
            }
        ),
        hide_index=True,
        width="stretch",
    )
    return len(open_now)


@st.dialog("My sessions", width="large")
def my_sessions() -> None:
    """The signed-in person's open sessions; ending them all signs out every browser."""
    actor = session.current_actor()
    count = sessions_table(actor.person_id)
    st.caption(
        f"A session ends when you sign out, after {_hours(sessions.idle_timeout())} without use, "
        f"or {_hours(sessions.absolute_lifetime())} after signing in."
    )
    if count and st.button(
        "End all my sessions", icon=":material/logout:", type="primary", key="end_all_mine"
    ):
        session.end_all_my_sessions()


def admin_sessions(person_id: int, name: str) -> None:
    """For a PMO admin: a person's open sessions and the button that ends them."""
    if sessions_table(person_id) and st.button(
        "End all their sessions", icon=":material/logout:", key=f"end_sessions_{person_id}"
    ):
        actor = session.current_actor()
        ended = sessions.end_sessions_of(person_id, actor=actor, url=current_version()[0])
        if person_id == actor.person_id:
            session.sign_out()
        st.success(f"Ended {ended} session{'s' if ended != 1 else ''} of {md_escape(name)}.")


def _hours(span) -> str:
    minutes = span.total_seconds() / 60
    if minutes < 60:
        return f"{minutes:g} minutes"
    return f"{minutes / 60:g} hours"
