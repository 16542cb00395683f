"""PMO dashboard: entry point. Sets the page up, prepares the database, draws the shared
filters and routes to one file per page in pages/."""

import logging

import streamlit as st

from components.access.session import pages_for
from components.access.sign_in import account_box, require_sign_in
from components.common import data
from components.common.filters import page_menu, sidebar_filters
from data_access.core import clock
from data_access.core.db import UNAVAILABLE_ERRORS

st.set_page_config(page_title="PMO dashboard", page_icon=":material/dashboard:", layout="wide")
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


pages = {
    "Portfolio": [
        st.Page("pages/portfolio.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/project.py", title="Project", icon=":material/folder_open:"),
        st.Page("pages/milestones.py", title="Milestones", icon=":material/flag:"),
        st.Page("pages/risks.py", title="Risks & RAID", icon=":material/warning:"),
        st.Page("pages/resources.py", title="Resources & money", icon=":material/groups:"),
    ],
    "Work": [
        st.Page("pages/updates.py", title="Quick updates", icon=":material/edit_note:"),
        st.Page("pages/meeting.py", title="Meeting mode", icon=":material/slideshow:"),
        st.Page("pages/gates.py", title="Gates & compliance", icon=":material/rule:"),
        st.Page("pages/lessons.py", title="Lessons learned", icon=":material/school:"),
    ],
    "Settings": [st.Page("pages/admin.py", title="Admin", icon=":material/settings:")],
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
    # Nothing below (filters, pages) is drawn until someone is signed in.
    actor = require_sign_in(version, pages)
    account_box(actor)
    menu = st.sidebar.container()  # above the filters, filled once the pages are known
    st.session_state["portfolio_filter"] = sidebar_filters(version)
    allowed = pages_for(pages, actor)
    # Our own menu: its links keep the filter in the URL (Streamlit's menu would clear it).
    page = st.navigation(allowed, position="hidden")
    page_menu(menu, allowed, st.session_state["portfolio_filter"])
    page.run()
except UNAVAILABLE_ERRORS:
    database_unavailable(notice)
