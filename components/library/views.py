"""The templates library: each document's current version to download (signed-in people
only: the app shows nothing before sign-in), earlier versions, and the PMO admin's upload."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from components.access.session import current_actor, is_admin
from components.common.data import Version
from components.common.safe_text import md_escape
from components.common.widgets import field_error, flash, refusal
from components.library import data as lib
from data_access.core.db import session_scope
from data_access.core.writes import ValidationFailed, WriteError
from data_access.library import commands, reads


def _count(url: str, file_id: int) -> None:
    with session_scope(url) as s:
        commands.count_download(file_id, session=s, actor=current_actor())


def _download(version: Version, file_id: int, label: str, key: str) -> None:
    found = reads.file_content(file_id, url=version[0])
    if found is None:
        return
    filename, media_type, content = found
    st.download_button(
        label,
        content,
        file_name=filename,
        mime=media_type,
        key=key,
        icon=":material/download:",
        on_click=_count,
        args=(version[0], file_id),
    )


def phase_documents(version: Version):
    """What the project page draws under a phase's guidance: the library's documents for that
    stage, each a download of its current version (counted as the library counts it)."""

    def draw(stage: str) -> None:
        docs = lib.documents_for_phase(version, stage)
        if docs.empty:
            return
        st.markdown("**Templates for this phase** (current versions, from the library):")
        row = st.container(horizontal=True)
        with row:
            for doc in docs.to_dict("records"):
                _download(
                    version,
                    int(doc["file_id"]),
                    f"{doc['name']} (version {int(doc['number'])})",
                    key=f"lib_phase_dl_{doc['id']}",
                )

    return draw


def library_section(version: Version, today: dt.date) -> None:
    flash("library")
    docs = lib.documents(version)
    if docs.empty:
        st.caption("The library is empty.")
    for doc in docs.to_dict("records"):
        with st.container(border=True):
            phases = doc["phases"].replace(",", ", ") or "any"
            st.markdown(
                f"**{md_escape(doc['name'])}** · phases: {md_escape(phases)} · "
                f"{int(doc['downloads'])} download(s)"
            )
            st.caption(md_escape(doc["description"]))
            if pd.isna(doc["file_id"]):
                st.caption("No file uploaded yet.")
            else:
                _download(
                    version,
                    int(doc["file_id"]),
                    f"{doc['filename']} (version {int(doc['number'])})",
                    key=f"lib_dl_{doc['id']}",
                )
                with st.expander("Earlier versions and upload"):
                    older = lib.versions(version, int(doc["id"]))
                    st.dataframe(
                        older[
                            [
                                "number",
                                "filename",
                                "size",
                                "uploaded_on",
                                "uploaded_by",
                                "downloads",
                                "note",
                            ]
                        ],
                        hide_index=True,
                        width="stretch",
                    )
                    if is_admin():
                        _upload_form(version, today, int(doc["id"]))


def _upload_form(version: Version, today: dt.date, document_id: int) -> None:
    key = f"lib_up_{document_id}"
    errors = st.session_state.get(f"{key}_errors", {})
    with st.form(key):
        upload = st.file_uploader(
            "New version (PDF, Word, Excel, PowerPoint, Markdown or text; at most 10 MB)",
            type=[s.lstrip(".") for s in commands.ACCEPTED],
            key=f"{key}_file",
        )
        field_error(errors, "file")
        note = st.text_input("What changed", key=f"{key}_note", max_chars=4000)
        field_error(errors, "note")
        submitted = st.form_submit_button("Upload", type="primary")
    if not submitted:
        return
    try:
        if upload is None:
            raise ValidationFailed({"file": "choose a file to upload"})
        with session_scope(version[0]) as s:
            commands.upload_version(
                document_id,
                filename=upload.name,
                content=upload.getvalue(),
                note=note,
                on=today,
                session=s,
                actor=current_actor(),
            )
    except ValidationFailed as exc:
        st.session_state[f"{key}_errors"] = exc.errors
        st.rerun()
    except WriteError as exc:
        refusal(exc)
    else:
        st.session_state.pop(f"{key}_errors", None)
        st.session_state["library_flash"] = "New version uploaded."
        st.rerun()
