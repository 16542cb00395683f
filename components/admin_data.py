"""Cached reads for the admin page, keyed by the data version like every other page's."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from components import data
from data_access import admin


@st.cache_data(max_entries=4, show_spinner=False)
def people(version: data.Version) -> pd.DataFrame:
    return admin.people(version[0])


@st.cache_data(max_entries=4, show_spinner=False)
def programs(version: data.Version) -> pd.DataFrame:
    return admin.programs(version[0])


@st.cache_data(max_entries=4, show_spinner=False)
def departments(version: data.Version) -> pd.DataFrame:
    return admin.departments(version[0])


@st.cache_data(max_entries=4, show_spinner=False)
def portfolios(version: data.Version) -> pd.DataFrame:
    return admin.portfolios(version[0])


@st.cache_data(max_entries=4, show_spinner=False)
def setting_versions(version: data.Version) -> dict[str, int]:
    return admin.setting_versions(version[0])


@st.cache_data(max_entries=4, show_spinner=False)
def recent_changes(version: data.Version) -> pd.DataFrame:
    df = admin.recent_changes(url=version[0])
    for col in ("before", "after"):
        # JSON columns come back as dicts (or JSON text on some drivers); show them as text.
        df[col] = df[col].map(lambda v: v if v is None or isinstance(v, str) else json.dumps(v))
    return df
