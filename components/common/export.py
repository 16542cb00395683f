"""Download any table as CSV or Excel: `export_buttons(df, name)` under a table."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from components.common import data
from domain.spreadsheets import csv_bytes, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_buttons(df: pd.DataFrame, name: str) -> None:
    """Two download buttons for `df` as shown (filtered, sorted); the files are built only when
    a button is pressed, so a large table costs nothing until someone wants it."""
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-").lower() or "table"
    stem = f"{base}-{data.today().isoformat()}"
    row = st.container(horizontal=True)
    row.download_button(
        "CSV",
        data=lambda: csv_bytes(df),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"export-csv-{stem}",
        icon=":material/download:",
        on_click="ignore",
    )
    row.download_button(
        "Excel",
        data=lambda: xlsx_bytes(df, sheet_name=base[:31]),
        file_name=f"{stem}.xlsx",
        mime=XLSX,
        key=f"export-xlsx-{stem}",
        icon=":material/download:",
        on_click="ignore",
    )
