"""PMO dashboard: entry point. Sets the page up, prepares the database, draws the shared
filters and routes to one file per page in pages/."""

import logging

import streamlit as st

from components.access.session import pages_for
from components.access.sign_in import account_box, require_sign_in
from components.common import data
from components.common.filters import page_menu, sidebar_filters
from components.common.layout import fit_the_room
from components.stakeholders.public import public_view
from components.stakeholders.views import inbox_badge
from data_access.core import clock
from data_access.core.db import UNAVAILABLE_ERRORS

if __name__ != "__main__":
    # `streamlit run app.py` first imports this file to find its web server (st.App): the pages
    # plus the routes in server.py (API, OData feed). Each page run executes it as __main__.
    import server

    server.preload()
    app = st.App(__file__, routes=server.routes(), middleware=server.middleware())

log = logging.getLogger("pmo")
RETRY_SECONDS = 5


@st.fragment(run_every=RETRY_SECONDS)
def _rerun_when_database_is_back() -> None:
    """Look for the database every few seconds and bring the page back once it answers."""
    try:
        data.current_version()
    except UNAVAILABLE_ERRORS:
        st.caption(
            f"Still unreachable at {clock.real_now().astimezone(clock.time_zone()):%H:%M:%S}; "
            f"trying again every {RETRY_SECONDS} seconds."
        )
        return
    st.rerun()


def database_unavailable(notice) -> None:
    """The same clear message whichever page hit the failure; details go to the server log."""
    log.exception("database unavailable")
    with notice.container():
        st.error(
            "**The database cannot be reached right now.** Nothing you entered has been lost. "
            "The app retries on its own: press the button, or wait and reload.",
            icon=":material/cloud_off:",
        )
        st.button("Try again")
        _rerun_when_database_is_back()
    st.stop()


if __name__ == "__main__":  # a page run (see the top): draw the page
    st.set_page_config(page_title="PMO dashboard", page_icon=":material/dashboard:", layout="wide")
    fit_the_room()
    pages = {
        "Portfolio": [
            st.Page(
                "pages/portfolio.py", title="Overview", icon=":material/dashboard:", default=True
            ),
            st.Page("pages/project.py", title="Project", icon=":material/folder_open:"),
            st.Page("pages/recovery.py", title="Path to green", icon=":material/trending_up:"),
            st.Page("pages/milestones.py", title="Milestones", icon=":material/flag:"),
            st.Page("pages/risks.py", title="Risks & RAID", icon=":material/warning:"),
            st.Page("pages/resources.py", title="Resources & money", icon=":material/groups:"),
        ],
        "Work": [
            st.Page("pages/updates.py", title="Quick updates", icon=":material/edit_note:"),
            st.Page("pages/meeting.py", title="Meeting mode", icon=":material/slideshow:"),
            st.Page("pages/stakeholders.py", title="Stakeholders", icon=":material/campaign:"),
            st.Page("pages/inbox.py", title="Inbox", icon=":material/inbox:"),
            st.Page("pages/gates.py", title="Gates & compliance", icon=":material/rule:"),
            st.Page("pages/intake.py", title="Intake & selection", icon=":material/lightbulb:"),
            st.Page("pages/lessons.py", title="Lessons learned", icon=":material/school:"),
        ],
        "Settings": [
            st.Page("pages/admin.py", title="Admin", icon=":material/settings:"),
            st.Page("pages/api_tokens.py", title="API tokens", icon=":material/key:"),
        ],
    }
    # A page that fails half-way still gets the message at the top.
    notice = st.empty()
    try:
        clock.today()
    except clock.ClockSettingError as exc:  # a deployment's setting: say which and how to fix it
        st.error(f"**The app's clock is not set up right.** {exc}", icon=":material/schedule:")
        st.stop()
    try:
        version = data.current_version()
        st.session_state["data_version"] = version
        public_view()  # a read-only or unsubscribe link: that alone, no sign-in, no menu
        # Nothing below (filters, pages) is drawn until someone is signed in.
        actor = require_sign_in(version, pages)
        account_box(actor)
        badge = st.sidebar.container()  # the inbox link, drawn once the pages are known
        menu = st.sidebar.container()  # above the filters, filled once the pages are known
        st.session_state["portfolio_filter"] = sidebar_filters(version)
        allowed = pages_for(pages, actor)
        # Our own menu: its links keep the filter in the URL (Streamlit's menu would clear it).
        page = st.navigation(allowed, position="hidden")
        page_menu(menu, allowed, st.session_state["portfolio_filter"])
        with badge:
            inbox_badge(version, actor)
        page.run()
    except UNAVAILABLE_ERRORS:
        database_unavailable(notice)
