"""Who is using the app, as plain values."""

from __future__ import annotations

import streamlit as st

from data_access.writes import Actor

# Until sign-in lands (issue #8) everyone works as the demo PMO admin, person 1 of the demo data.
DEMO_ADMIN = Actor(person_id=1, name="Ada Admin", role="admin")


def current_actor() -> Actor:
    return st.session_state.get("actor", DEMO_ADMIN)
