"""Small pieces of page furniture shared by every page."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from components.common import data
from domain.filters import PortfolioFilter

ISSUE_URL_HINT = "See the project's issue tracker"


def not_built_yet(issue: int, what: str) -> None:
    """Say plainly that a page is not there yet and which issue brings it."""
    ensure_app_shell()
    st.info(f"**Not built yet.** {what} arrives with issue #{issue}. {ISSUE_URL_HINT}.", icon="🚧")


def ensure_app_shell() -> None:
    """Make sure this page runs inside app.py (navigation, database check, sidebar filters).

    Streamlit treats a folder named `pages/` as the older multipage mode until `st.navigation`
    has run once in the process, and meanwhile runs a page file on its own: the first request
    of a fresh server that lands on a page URL, and every `AppTest.switch_page`. Switch that
    mode off and run again, this time through app.py.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def current_filter() -> PortfolioFilter:
    """The sidebar filter chosen in app.py on this rerun."""
    ensure_app_shell()
    return st.session_state.get("portfolio_filter", PortfolioFilter())


def current_version() -> data.Version:
    """The data version read in app.py on this rerun: the key of every cached read."""
    ensure_app_shell()
    return st.session_state["data_version"]
