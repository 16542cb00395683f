"""Download any table as CSV or Excel: `export_buttons(df, name)` under a table.

A file with data in it is built on click through `fresh_download`, which notes when: the app
server (components.access.routes) serves it only to a signed-in browser, and only for
EXPORT_LIFETIME after it was built, so a download link that leaks stops working.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable

import pandas as pd
import streamlit as st

from components.common import data
from data_access.core.config import setting
from domain.spreadsheets import csv_bytes, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How long a data export is served after it was built (`PMO_EXPORT_MINUTES`, default 5).
try:
    EXPORT_LIFETIME_SECONDS = float(setting("PMO_EXPORT_MINUTES") or 5) * 60
except ValueError:  # a setting that cannot be read keeps the default
    EXPORT_LIFETIME_SECONDS = 5 * 60
# SHA-256 of each data export built in this process -> when (monotonic seconds).
_built: dict[str, float] = {}
_built_lock = threading.Lock()


def fresh_download(build: Callable[[], bytes]) -> Callable[[], bytes]:
    """`build` for a download button's `data`, noting when the file was made."""

    def built() -> bytes:
        content = build()
        now = time.monotonic()
        with _built_lock:
            for digest, at in list(_built.items()):  # forget what can no longer be served
                if now - at > EXPORT_LIFETIME_SECONDS:
                    del _built[digest]
            _built[hashlib.sha256(content).hexdigest()] = now
        return content

    return built


def export_age(content: bytes) -> float | None:
    """Seconds since this data export was built; None if it is not one (a blank template)
    or was built too long ago to be remembered."""
    with _built_lock:
        at = _built.get(hashlib.sha256(content).hexdigest())
    return None if at is None else time.monotonic() - at


def export_buttons(df: pd.DataFrame, name: str) -> None:
    """Two download buttons for `df` as shown (filtered, sorted); the files are built only when
    a button is pressed, so a large table costs nothing until someone wants it."""
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-").lower() or "table"
    stem = f"{base}-{data.today().isoformat()}"
    row = st.container(horizontal=True)
    row.download_button(
        "CSV",
        data=fresh_download(lambda: csv_bytes(df)),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"export-csv-{stem}",
        icon=":material/download:",
        on_click="ignore",
    )
    row.download_button(
        "Excel",
        data=fresh_download(lambda: xlsx_bytes(df, sheet_name=base[:31])),
        file_name=f"{stem}.xlsx",
        mime=XLSX,
        key=f"export-xlsx-{stem}",
        icon=":material/download:",
        on_click="ignore",
    )
