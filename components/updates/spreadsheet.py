"""Spreadsheet import (template, upload, preview with row-numbered problems, all-or-nothing
commit) and export of the filtered portfolio's tables."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import streamlit as st

from components.common import data, records
from components.common.cache import data_cache
from components.common.edit_form import picker
from components.common.export import XLSX, export_buttons
from data_access.core import records as record_reads
from data_access.core.db import session_scope
from data_access.core.writes import Actor
from data_access.updates import bulk
from domain import spreadsheets as sheets

KINDS = {
    "projects": "Projects",
    "milestones": "Milestones",
    "risks": "Risks",
    "raid": "RAID items (assumptions, issues, dependencies, decisions)",
}
SHORT = {k: v.split(" (")[0] for k, v in KINDS.items()}
SHOWN_PROBLEMS = 200


@data_cache(max_entries=8, spinner="Reading the file…")
def parse_upload(version: data.Version, kind: str, content: bytes, filename: str):
    """The file checked row by row against what is stored now (keyed by the data version)."""
    try:
        table = sheets.read_table(content, filename)
    except sheets.UnreadableFile as exc:
        return sheets.Parsed(kind, file_errors=[str(exc)])
    return sheets.parse(kind, table, records.lookups(version))


def import_export_section(
    version: data.Version, actor: Actor, today: dt.date, projects: pd.DataFrame
) -> None:
    left, right = st.columns(2, gap="large")
    with left:
        import_panel(version, actor, today)
    with right:
        export_panel(version, projects)


def import_panel(version: data.Version, actor: Actor, today: dt.date) -> None:
    st.markdown("##### Import from a spreadsheet")
    kind = picker("What the file holds", SHORT, key="import-kind")
    st.caption(
        f"{KINDS[kind]}: one row per new record. Start from the template (the Excel one lists "
        "what each column takes). The whole file is imported or, if any row has a problem, "
        "nothing is."
    )
    row = st.container(horizontal=True)
    row.download_button(
        "CSV template",
        sheets.template_csv(kind),
        file_name=f"{kind}-template.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
    row.download_button(
        "Excel template",
        sheets.template_xlsx(kind),
        file_name=f"{kind}-template.xlsx",
        mime=XLSX,
        icon=":material/download:",
        on_click="ignore",
    )
    gen = st.session_state.get("import-gen", 0)
    upload = st.file_uploader(
        "CSV or Excel (.xlsx) file",
        type=["csv", "xlsx"],
        key=f"import-file-{kind}-{gen}",
        max_upload_size=20,
    )
    done = st.session_state.pop("import-done", None)
    if done:
        st.success(done, icon=":material/check_circle:")
    if upload is None:
        return
    content, name = upload.getvalue(), upload.name
    parsed = parse_upload(version, kind, content, name)
    refused = st.session_state.get(_refused_key(kind, content))
    _show_parsed(parsed, refused)
    if parsed.ok:
        st.button(
            f"Import {len(parsed.rows):,} {SHORT[kind].lower()}",
            type="primary",
            key=f"import-go-{kind}-{gen}",
            on_click=_commit,
            args=(version, kind, content, name, actor, today),
            icon=":material/upload:",
        )


def _refused_key(kind: str, content: bytes) -> str:
    return f"import-refused:{kind}:{hashlib.sha1(content).hexdigest()}"


def _show_parsed(parsed: sheets.Parsed, refused: dict[int, dict[str, str]] | None) -> None:
    for message in parsed.file_errors:
        st.error(message, icon=":material/error:")
    if parsed.ignored_columns:
        st.caption("Not imported (unknown columns): " + ", ".join(parsed.ignored_columns))
    if parsed.preview.empty:
        return
    bad = len(parsed.errors)
    if bad:
        lines = parsed.error_lines()
        more = len(lines) - SHOWN_PROBLEMS
        st.error(
            f"**Nothing can be imported yet: {bad} of {bad + len(parsed.rows)} rows have "
            "problems.** Fix them in your file and upload it again.\n\n"
            + "\n".join(f"- {line}" for line in lines[:SHOWN_PROBLEMS])
            + (f"\n\n…and {more:,} more (see the Problems column)." if more > 0 else ""),
            icon=":material/error:",
        )
    elif refused:
        st.error(
            "**Nothing was imported.** When saving, these rows were refused:\n\n"
            + "\n".join(
                f"- Row {row}" + (f", {field}" if field else "") + f": {message}"
                for row, fields in sorted(refused.items())
                for field, message in fields.items()
            ),
            icon=":material/error:",
        )
    else:
        st.info(f"{len(parsed.rows):,} rows checked: all can be imported.", icon=":material/check:")
    st.dataframe(
        parsed.preview.style.map(
            lambda text: "color: #D55E00; font-weight: 600" if text else "", subset=["Problems"]
        ),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(parsed.preview), 420),
        column_config={"Problems": st.column_config.TextColumn("Problems", width="large")},
    )


def _commit(version, kind, content, name, actor, today) -> None:
    """Check the file again against what is stored now and write it in one transaction."""
    fresh = data.fresh_version(version[0])
    parsed = parse_upload(fresh, kind, content, name)
    key = _refused_key(kind, content)
    if not parsed.ok:
        return  # the page shows the fresh problems
    try:
        with session_scope(version[0]) as session:
            count = bulk.import_records(
                kind, parsed.rows, today=today, session=session, actor=actor
            )
    except bulk.RowErrors as exc:
        st.session_state[key] = exc.errors | {
            row: {"": "changed by someone else meanwhile"} for row in exc.conflicts
        }
        return
    st.session_state.pop(key, None)
    st.session_state["import-gen"] = st.session_state.get("import-gen", 0) + 1
    st.session_state["import-done"] = f"Imported {count:,} {SHORT[kind].lower()} from {name}."


def export_panel(version: data.Version, projects: pd.DataFrame) -> None:
    st.markdown("##### Export the filtered portfolio")
    kind = picker("Table", SHORT, key="export-kind")
    table = export_table(version, kind, tuple(sorted(int(i) for i in projects.id)))
    st.caption(
        f"{len(table):,} rows from the {len(projects):,} projects the sidebar filters select, "
        "in the import template's layout."
    )
    st.dataframe(table.head(200), hide_index=True, width="stretch", height=300)
    export_buttons(table, kind)


@data_cache(max_entries=8)
def export_table(version: data.Version, kind: str, project_ids: tuple[int, ...]) -> pd.DataFrame:
    return sheets.export_frame(
        kind, record_reads.export_table(kind, list(project_ids), url=version[0])
    )
