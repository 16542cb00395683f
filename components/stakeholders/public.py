"""What someone without an account may open: a read-only link (`?token=`) shows one project's
status report or one filtered portfolio view and nothing else, and the one-click unsubscribe
link (`?unsubscribe=`) ends a subscription. Both are handled before sign-in, and stop the run
there, so no menu, filter or other page is drawn."""

from __future__ import annotations

import streamlit as st

from components.common.safe_text import md_escape
from components.meeting.slides import render_slide
from data_access.core import clock
from data_access.core.config import database_url
from data_access.core.db import session_scope
from data_access.stakeholders import commands
from deck.report import View, load_report
from domain.formatting import fmt_date


def public_view() -> bool:
    """Handle a read-only or unsubscribe link in the URL; True if this run was one (stopped)."""
    token = st.query_params.get("token")
    stop = st.query_params.get("unsubscribe")
    if not token and not stop:
        return False
    url = database_url()
    # One hidden page, so that Streamlit draws no menu of the app's pages beside it.
    st.navigation([st.Page(lambda: None, title="PMO dashboard", default=True)], position="hidden")
    if stop:
        _unsubscribe(stop, url)
    else:
        _shared_report(token, url)
    st.stop()
    return True


def _unsubscribe(token: str, url: str) -> None:
    st.title("Unsubscribe")
    # Opening the link is the one click: done at once, said plainly, safe to open twice.
    done_key = f"unsubscribed.{token}"
    if done_key not in st.session_state:
        with session_scope(url) as session:
            st.session_state[done_key] = commands.unsubscribe(token, session=session)
    ended = st.session_state[done_key]
    if ended:
        st.success("You are unsubscribed: this report will not be sent to you again.")
    else:
        st.info("This subscription has already ended. Nothing more will be sent for it.")


def _shared_report(token: str, url: str) -> None:
    # Each opening is recorded once per browser session, not once per rerun.
    seen_key = f"share_link.{token}"
    if seen_key not in st.session_state:
        with session_scope(url) as session:
            st.session_state[seen_key] = commands.open_share_link(
                token, now=clock.now(), session=session, url=url
            )
    link = st.session_state[seen_key]
    if not link["ok"]:
        st.title("Read-only report")
        st.error(link["reason"], icon=":material/link_off:")
        return
    today = clock.today()
    report = load_report(View(link["scope"], link["project_id"], link["filters"]), today, url)
    st.title(report.title)
    st.caption(
        f"Read-only report · {md_escape(report.view_words)} · {fmt_date(today)} · "
        f"link valid until {fmt_date(link['expires_at'])}"
    )
    slides = report.meeting.slides
    # One page of the report at a time, as in the meeting (the PDF of a subscription holds all).
    kinds = [s.kind for s in slides]
    first = kinds.index("project") if link["scope"] == "project" and "project" in kinds else 0
    chosen = st.selectbox(
        "Page",
        range(len(slides)),
        index=first,
        format_func=lambda i: f"{i + 1} of {len(slides)}: {slides[i].title}",
    )
    render_slide(slides[chosen])
