"""A project's history from the audit log: who changed what, when, before and after, in words."""

from __future__ import annotations

import streamlit as st

from components.common import data, records
from components.common.edit_form import picker
from components.common.export import export_buttons
from domain.audit_text import history_rows

LIMITS = {50: "50", 200: "200", 1000: "1,000"}


def audit_history(version: data.Version, project_id: int, code: str) -> None:
    total = records.audit_count(version, project_id)
    if not total:
        st.info("No change has been recorded for this project yet.")
        return
    limit = picker("Show the latest", LIMITS, key=f"history-limit-{project_id}")
    rows = history_rows(records.audit(version, project_id, limit), records.names(version))
    st.caption(f"The latest {len(rows):,} of {total:,} recorded changes, newest first.")
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(rows), 460),
        column_config={
            "When": st.column_config.TextColumn("When", width=150),
            "Who": st.column_config.TextColumn("Who", width=140),
            "What": st.column_config.TextColumn("What", width=320),
            "Details": st.column_config.TextColumn("Before → after", width="large"),
        },
    )
    export_buttons(rows, f"{code}-history")
