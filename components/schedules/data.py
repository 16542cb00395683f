"""Cached reads for schedule imports: a read file by its content, the export by data version."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from components.common.cache import data_cache
from components.common.data import Version
from data_access.schedules import reads
from data_access.schedules.files import ReadResult, read_uploads, write_mspdi
from domain.schedules import export_schedule


@st.cache_data(max_entries=8, show_spinner="Reading the schedule…")
def read_upload(content: bytes, name: str) -> ReadResult:
    """One uploaded file read by MPXJ (in a child process); the same bytes are read once."""
    return read_uploads([(name, content)])[0]


@st.cache_data(max_entries=4, show_spinner="Reading the schedules…")
def read_many(files: tuple[tuple[str, bytes], ...]) -> list[ReadResult]:
    return read_uploads(list(files))


@data_cache(max_entries=8, spinner="Writing the MS Project file…")
def exported(version: Version, project_id: int, on: dt.date) -> bytes:
    project, milestones = reads.export_source(project_id, url=version[0])
    return write_mspdi(export_schedule(project, milestones, on))


@data_cache(max_entries=16)
def history(version: Version, project_id: int):
    return reads.import_history(project_id, url=version[0])
