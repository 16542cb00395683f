"""The sidebar filters shared by every page, kept in the URL so a link reproduces the view."""

from __future__ import annotations

import streamlit as st

from components import data
from data_access.models import PHASES, PROJECT_STATUSES
from domain.filters import PortfolioFilter
from domain.formatting import RAG_LABELS, RAG_ORDER

# Query-parameter names (short, so shared links stay readable).
KEYS = {
    "portfolio": "portfolio",
    "program": "program",
    "department": "dept",
    "manager": "pm",
    "phase": "phase",
    "status": "status",
    "health": "health",
}


def sidebar_filters(version: data.Version) -> PortfolioFilter:
    """Draw the filters in the sidebar and return the choice as plain values."""
    options = data.filter_options(version)
    choices = {
        "portfolio": options["portfolio"],
        "program": options["program"],
        "department": options["department"],
        "manager": options["manager"],
        "phase": list(PHASES),
        "status": list(PROJECT_STATUSES),
        "health": [RAG_LABELS[k] for k in RAG_ORDER],
    }
    with st.sidebar:
        st.markdown("**Filter the portfolio**")
        text = st.text_input(
            "Search", key="q", bind="query-params", placeholder="Code, name or manager"
        )
        values = {}
        for field, key in KEYS.items():
            # A single portfolio needs no picker.
            if field == "portfolio" and len(choices[field]) < 2:
                values[field] = ()
                continue
            values[field] = tuple(
                st.multiselect(
                    field.capitalize(),
                    choices[field],
                    key=key,
                    bind="query-params",
                    placeholder="All",
                )
            )
    return PortfolioFilter(**values, text=text or "")
