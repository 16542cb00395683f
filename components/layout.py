"""Small pieces of page furniture shared by every page."""

from __future__ import annotations

import streamlit as st

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
    return st.session_state["data_version"]
