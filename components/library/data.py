"""Cached library reads, keyed by plain values and the data version."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.common.data import Version
from data_access.library import reads


@st.cache_data(max_entries=4, show_spinner=False)
def documents(version: Version) -> pd.DataFrame:
    return reads.documents(url=version[0])


@st.cache_data(max_entries=16, show_spinner=False)
def versions(version: Version, document_id: int) -> pd.DataFrame:
    return reads.versions(document_id, url=version[0])
