"""Small pieces of page furniture shared by every page."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from components import data
from domain.filters import PortfolioFilter

ISSUE_URL_HINT = "See the project's issue tracker"


def not_built_yet(issue: int, what: str) -> None:
    """Say plainly that a page is not there yet and which issue brings it."""
    st.info(f"**Not built yet.** {what} arrives with issue #{issue}. {ISSUE_URL_HINT}.", icon="🚧")


def current_filter() -> PortfolioFilter:
    """The sidebar filter chosen in app.py on this rerun."""
    return st.session_state.get("portfolio_filter", PortfolioFilter())


def current_version() -> data.Version:
    """The data version read in app.py on this rerun: the key of every cached read."""
    if "data_version" not in st.session_state:
        # A link straight to a page (/project?project=X) as a fresh server's first request:
        # Streamlit then runs the file of pages/ alone, without app.py, until some session
        # has called st.navigation. Switch that fallback off and run the app as a whole.
        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state["data_version"]
