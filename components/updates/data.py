"""Cached reads of the update forms' path to green, keyed by the data version."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.common.data import Version
from data_access.recovery import reads


@st.cache_data(max_entries=32, show_spinner=False)
def latest_plan(version: Version, project_id: int) -> dict | None:
    return reads.latest_plan(project_id, url=version[0])


@st.cache_data(max_entries=32, show_spinner=False)
def recovery_actions(version: Version, project_id: int) -> pd.DataFrame:
    return reads.recovery_actions([project_id], url=version[0])
