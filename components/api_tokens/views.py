"""The API tokens page: a person creates a token (shown once), sees when each was last used and
revokes it; an admin sees and revokes everyone's."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from components.common import data
from components.common.safe_text import md_escape
from data_access.api_tokens import commands, reads
from data_access.core.db import session_scope
from data_access.core.writes import Actor, ValidationFailed

SHOWN_KEY = "api_token_shown"  # the new secret, for this one rerun only (never in the URL)
SCOPES = {"read": "Read only", "read-write": "Read and write (status updates, milestones, RAID)"}


def _state(row: pd.Series, today: dt.date) -> str:
    if pd.notna(row.revoked_at):
        return "revoked"
    return "expired" if row.expires_on < today else "active"


def _create_form(actor: Actor, today: dt.date) -> None:
    with st.form("new_api_token", clear_on_submit=True):
        st.subheader("New token")
        name = st.text_input("Name", placeholder="Power BI portfolio report", max_chars=200)
        scope = st.radio("Access", list(SCOPES), format_func=SCOPES.get, horizontal=True)
        expires = st.date_input(
            "Expires on",
            value=today + dt.timedelta(days=90),
            min_value=today,
            max_value=today + dt.timedelta(days=commands.MAX_DAYS),
            format="YYYY-MM-DD",
        )
        submitted = st.form_submit_button("Create token", type="primary")
    if not submitted:
        return
    try:
        with session_scope(data.current_version()[0]) as session:
            _, secret = commands.create_token(
                {"name": name, "scope": scope, "expires_on": expires},
                today=today,
                session=session,
                actor=actor,
            )
    except ValidationFailed as exc:
        for field, message in exc.errors.items():
            st.error(f"**{field.replace('_', ' ').capitalize() or 'Token'}** {message}")
        return
    st.session_state[SHOWN_KEY] = (name, secret)
    st.rerun()


def _show_new_secret() -> None:
    shown = st.session_state.pop(SHOWN_KEY, None)
    if shown is None:
        return
    name, secret = shown
    st.success(
        f"Token **{md_escape(name)}** created. Copy it now: it is shown only once "
        "(only a hash is kept).",
        icon=":material/key:",
    )
    st.code(secret, language=None)


def _token_table(
    tokens: pd.DataFrame, today: dt.date, actor: Actor, key: str, with_owner: bool
) -> None:
    if tokens.empty:
        st.caption("No tokens yet.")
        return
    shown = tokens.assign(state=tokens.apply(_state, axis=1, today=today))
    columns = ["name", "scope", "prefix", "state", "created_at", "expires_on", "last_used_at"]
    st.dataframe(
        shown[(["owner"] if with_owner else []) + columns],
        hide_index=True,
        width="stretch",
        column_config={
            "prefix": "starts with",
            "created_at": st.column_config.DatetimeColumn("created", format="D MMM YYYY HH:mm"),
            "expires_on": st.column_config.DateColumn("expires", format="D MMM YYYY"),
            "last_used_at": st.column_config.DatetimeColumn("last used", format="D MMM YYYY HH:mm"),
        },
    )
    active = shown[shown.state == "active"]
    if active.empty:
        return
    labels = {
        int(r.id): f"{r.name} ({r.prefix}…)" + (f", {r.owner}" if with_owner else "")
        for r in active.itertuples()
    }
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox("Token to revoke", list(labels), format_func=labels.get, key=key)
    if right.button("Revoke", key=f"{key}_button", icon=":material/block:"):
        with session_scope(data.current_version()[0]) as session:
            commands.revoke_token(chosen, session=session, actor=actor)
        st.toast(f"Revoked {labels[chosen]}: it no longer works.")
        st.rerun()


def render(actor: Actor, today: dt.date) -> None:
    url = data.current_version()[0]
    _show_new_secret()
    _create_form(actor, today)
    # Read fresh, not cached: "last used" changes without a data-version bump.
    st.subheader("Your tokens")
    _token_table(reads.tokens(actor.person_id, url=url), today, actor, "revoke_own", False)
    if actor.role == "admin":
        st.subheader("Everyone's tokens")
        _token_table(reads.tokens(url=url), today, actor, "revoke_any", True)
