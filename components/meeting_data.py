"""Cached reads for the meeting page, keyed by the data version like every page's reads."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from components.data import Version
from data_access import reviews
from deck.export import export
from deck.sources import Meeting, load_meeting
from domain.filters import PortfolioFilter


@st.cache_data(max_entries=16, show_spinner=False)
def meeting(
    version: Version,
    today: dt.date,
    since: dt.date | None,
    review_id: int | None,
    portfolio_filter: PortfolioFilter,
) -> Meeting:
    """Slides and "what changed" for the review, the day and the filtered projects."""
    return load_meeting(
        today, since=since, review_id=review_id, portfolio_filter=portfolio_filter, url=version[0]
    )


@st.cache_data(max_entries=4, show_spinner=False)
def review_list(version: Version) -> pd.DataFrame:
    return reviews.reviews(version[0])


@st.cache_data(max_entries=4, show_spinner=False)
def people(version: Version) -> pd.DataFrame:
    return reviews.people(version[0])


@st.cache_data(max_entries=4, show_spinner=False)
def deck_files(
    version: Version,
    today: dt.date,
    since: dt.date | None,
    review_id: int | None,
    portfolio_filter: PortfolioFilter,
) -> tuple[bytes, bytes]:
    """The .pptx and PDF of exactly the slides the browser shows."""
    shown = meeting(version, today, since, review_id, portfolio_filter)
    return export(shown.slides, shown.footer)


@st.cache_data(max_entries=4, show_spinner=False)
def actions(version: Version, review_id: int | None) -> pd.DataFrame:
    return reviews.review_actions(review_id, version[0])


@st.cache_data(max_entries=4, show_spinner=False)
def decisions(version: Version, review_id: int) -> pd.DataFrame:
    return reviews.review_decisions(review_id, version[0])
