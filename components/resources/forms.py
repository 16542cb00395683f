"""Entering allocations, capacity and absences: a form, a bulk team editor and a file import.

Like every form of the app: all problems are shown at once next to their fields, what the user
typed stays on screen, nothing partial is written, and a conflict says what changed and lets
the user re-apply their edit on top of it.
"""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from components.access.session import current_actor
from components.common.data import Version
from components.common.safe_text import md_escape
from components.common.widgets import date_range, field_error, flash, pick, refusal
from components.resources import data as rd
from data_access.core.db import session_scope
from data_access.core.writes import ConflictError, PermissionDenied, ValidationFailed, WriteError
from data_access.resources import commands as alloc
from domain.capacity import hours_from_share
from domain.formatting import fmt_date

FIELD_LABELS = {
    "person_email": "Person e-mail",
    "project_code": "Project code",
    "person_id": "Person",
    "project_id": "Project",
    "start_date": "From",
    "end_date": "To",
    "hours_per_week": "Hours a week",
    "weekly_capacity_hours": "Weekly capacity",
    "reason": "Reason",
    "": "Dates",
}
EDIT_TABS = ["Allocate", "Team editor", "Leave & capacity", "Import"]


def render(version: Version) -> None:
    st.subheader("Change allocations, capacity and leave")
    tabs = st.tabs(EDIT_TABS, key="edit", bind="query-params")
    people = rd.people(version)
    person_label = rd.person_labels(version)
    project_label = rd.project_labels(version)
    sections = (_allocate, _team_editor, _leave_and_capacity, _import)
    for tab, draw in zip(tabs, sections, strict=True):
        if tab.open:
            with tab:
                draw(version, person_label=person_label, project_label=project_label, people=people)


# --- one allocation ----------------------------------------------------------------------


def _allocate(version: Version, *, person_label, project_label, people, **_) -> None:
    errors = st.session_state.get("alloc_errors", {})
    flash("alloc")
    with st.form("allocate_form"):
        top = st.columns(2)
        person = pick(
            top[0], "Person", person_label, placeholder="Choose a person", key="alloc_person"
        )
        field_error(errors, "person_id", top[0])
        project = pick(
            top[1], "Project", project_label, placeholder="Choose a project", key="alloc_project"
        )
        field_error(errors, "project_id", top[1])
        cols = st.columns(4)
        start, end = date_range(cols, errors, ("From", "To"), "alloc")
        hours = cols[2].number_input("Hours a week", value=None, step=4.0, key="alloc_hours")
        field_error(errors, "hours_per_week", cols[2])
        share = cols[3].number_input(
            "or share of capacity (%)",
            value=None,
            step=10.0,
            key="alloc_share",
            help="Converted to hours with the person's weekly capacity.",
        )
        submitted = st.form_submit_button("Allocate", type="primary")
    if not submitted:
        return
    capacity = people.set_index("id").weekly_capacity_hours.get(person)
    ui_errors = {}
    if hours is not None and share is not None:
        ui_errors["hours_per_week"] = "give the hours a week or a share of capacity, not both"
    elif hours is None and share is None:
        ui_errors["hours_per_week"] = "give the hours a week (or a share of capacity)"
    elif hours is None and capacity is not None:
        hours = hours_from_share(share, capacity)
    record = {
        "person_id": person,
        "project_id": project,
        "start_date": start,
        "end_date": end,
        # With a problem already found, no hours: the write reports every other problem and
        # is sure to write nothing.
        "hours_per_week": None if ui_errors else hours,
    }
    try:
        with session_scope(version[0]) as session:
            alloc.create_allocation(record, session=session, actor=current_actor())
    except ValidationFailed as exc:
        st.session_state["alloc_errors"] = {**exc.errors, **ui_errors}
    except WriteError as exc:
        st.session_state["alloc_errors"] = {}
        refusal(exc)
        return
    else:
        st.session_state["alloc_errors"] = {}
        st.session_state["alloc_flash"] = md_escape(
            f"Allocated {person_label[person]} to {project_label[project]}, {hours:g} h a week "
            f"from {fmt_date(start)} to {fmt_date(end)}."
        )
    st.rerun()


# --- a project's team in a bulk editor ---------------------------------------------------


def _team_frame(rows: pd.DataFrame, person_label: dict) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Person": rows.person_id.map(person_label),
            "From": pd.to_datetime(rows.start_date),
            "To": pd.to_datetime(rows.end_date),
            "Hours a week": rows.hours_per_week.astype(float),
            "id": rows.id,
            "version": rows.version,
        }
    )


def _day(value):
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _number(value):
    return None if value is None or pd.isna(value) else float(value)


def team_changes(
    before: pd.DataFrame, after: pd.DataFrame, project_id: int, person_ids: dict[str, int]
) -> dict[str, list]:
    """The editor's result as a batch for `save_allocations`, with the row names the user sees
    (existing rows by their position, new rows counted apart)."""

    def record(row) -> dict:
        return {
            "person_id": person_ids.get(row["Person"]),
            "start_date": _day(row["From"]),
            "end_date": _day(row["To"]),
            "hours_per_week": _number(row["Hours a week"]),
        }

    kept = after[after.id.notna()]
    position = {int(i): n for n, i in enumerate(before.id, start=1)}
    old = before.set_index("id")
    batch: dict[str, list] = {"added": [], "edited": [], "deleted": []}
    refs: dict[str, list] = {"added": [], "edited": []}
    for _, row in kept.iterrows():
        row_id = int(row["id"])
        new, was = record(row), record(old.loc[row_id])
        changes = {k: v for k, v in new.items() if v != was[k]}
        if changes:
            batch["edited"].append((row_id, int(old.loc[row_id, "version"]), changes))
            refs["edited"].append(f"Row {position[row_id]} · ")
    for n, (_, row) in enumerate(after[after.id.isna()].iterrows(), start=1):
        batch["added"].append({**record(row), "project_id": project_id})
        refs["added"].append(f"New row {n} · ")
    gone = set(position) - {int(i) for i in kept.id}
    batch["deleted"] = [(i, int(old.loc[i, "version"])) for i in sorted(gone)]
    return {**batch, "refs": refs}


def _team_editor(version: Version, *, person_label, project_label, **_) -> None:
    flash("team")
    project = pick(
        st,
        "Project",
        project_label,
        placeholder="Choose a project to edit its team",
        key="team_project",
    )
    if project is None:
        st.caption(
            "Choose a project: its allocations open in an editor where rows can be "
            "changed, added and deleted, then saved together."
        )
        return
    rows = rd.allocations(version, project_id=project)
    # People who left the bookable list still show by name on their old rows.
    labels = {**dict(zip(rows.person_id, rows.person, strict=True)), **person_label}
    before = _team_frame(rows, labels)
    generation = st.session_state.get("team_generation", 0)
    after = st.data_editor(
        before,
        key=f"team_editor_{project}_{generation}",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_order=["Person", "From", "To", "Hours a week"],
        column_config={
            "Person": st.column_config.SelectboxColumn(
                "Person", options=list(person_label.values()), required=True, width="large"
            ),
            "From": st.column_config.DateColumn("From", format="DD MMM YYYY", required=True),
            "To": st.column_config.DateColumn("To", format="DD MMM YYYY", required=True),
            "Hours a week": st.column_config.NumberColumn("Hours a week", format="%.1f"),
        },
    )
    errors = st.session_state.get("team_errors", {})
    for key, message in errors.items():
        ref, _, field = key.rpartition("· ")
        st.markdown(
            f":red[:material/error: {md_escape(ref)}{md_escape(FIELD_LABELS.get(field, field))}: "
            f"{md_escape(message)}]"
        )
    conflict = st.session_state.get("team_conflict")
    if conflict:
        _show_conflict(conflict)
    person_ids = {label: pid for pid, label in labels.items()}
    batch = team_changes(before, after, project, person_ids)
    pending = sum(len(batch[k]) for k in ("added", "edited", "deleted"))
    cols = st.columns([2, 2, 6])
    if cols[0].button(
        f"Save {pending} change(s)" if pending else "No changes to save",
        type="primary",
        disabled=not pending,
        key="team_save",
    ):
        _save_team(version, batch, generation)
    if conflict and cols[1].button("Re-apply my changes", key="team_reapply"):
        _save_team(version, _rebased(version, conflict["batch"], project), generation)


def _save_team(version: Version, batch: dict, generation: int) -> None:
    try:
        with session_scope(version[0]) as session:
            alloc.save_allocations(
                added=batch["added"],
                edited=batch["edited"],
                deleted=batch["deleted"],
                refs=batch["refs"],
                session=session,
                actor=current_actor(),
            )
    except ValidationFailed as exc:
        st.session_state["team_errors"] = exc.errors
    except ConflictError as exc:
        st.session_state["team_errors"] = {}
        st.session_state["team_conflict"] = {
            "message": str(exc),
            "current": exc.current,
            "batch": batch,
        }
    except PermissionDenied as exc:
        refusal(exc)
        return
    else:
        for key in ("team_errors", "team_conflict"):
            st.session_state.pop(key, None)
        st.session_state["team_generation"] = generation + 1
        n = sum(len(batch[k]) for k in ("added", "edited", "deleted"))
        st.session_state["team_flash"] = f"Saved {n} change(s) to the team."
    st.rerun()


def _show_conflict(conflict: dict) -> None:
    current = conflict["current"]
    st.warning(md_escape(conflict["message"]), icon=":material/sync_problem:")
    st.caption(
        "Now stored: "
        + ", ".join(
            f"{FIELD_LABELS[k]} {md_escape(fmt_date(current[k]) if 'date' in k else current[k])}"
            for k in ("start_date", "end_date", "hours_per_week")
            if current.get(k) is not None
        )
        + ". Re-apply puts your changes on top of the stored record; or reload the page to "
        "start again from it."
    )


def _rebased(version: Version, batch: dict, project_id: int) -> dict:
    """The same changes, against the versions stored now (the user chose to overwrite)."""
    stored = rd.allocations(version, project_id=project_id).set_index("id").version
    still = {int(i) for i in stored.index}
    return {
        **batch,
        "edited": [(i, int(stored[i]), c) for i, _, c in batch["edited"] if i in still],
        "deleted": [(i, int(stored[i])) for i, _ in batch["deleted"] if i in still],
    }


# --- a person's capacity and leave -------------------------------------------------------


def _leave_and_capacity(version: Version, *, person_label, people, **_) -> None:
    flash("leave")
    person = pick(st, "Person", person_label, placeholder="Choose a person", key="leave_person")
    if person is None:
        st.caption("Choose a person to change their weekly capacity or record leave.")
        return
    record = people.set_index("id").loc[person]
    errors = st.session_state.get("leave_errors", {})
    left, right = st.columns(2)
    with left, st.form("capacity_form"):
        hours = st.number_input(
            "Weekly capacity for project work (hours)",
            value=float(record.weekly_capacity_hours),
            step=4.0,
            key=f"capacity_{person}",
            help="Part-time: fewer hours. Executives not booked on projects: 0.",
        )
        field_error(errors, "weekly_capacity_hours")
        if st.form_submit_button("Save capacity"):
            _write_leave(
                version,
                lambda s, a: alloc.set_capacity(
                    person, hours, expected_version=int(record.version), session=s, actor=a
                ),
                f"Capacity set to {hours:g} h a week.",
            )
    with right, st.form("absence_form"):
        cols = st.columns(2)
        start, end = date_range(cols, errors, ("Away from", "Last day away"), "absence")
        reason = st.text_input("Reason", value="Holiday", max_chars=200, key="absence_reason")
        field_error(errors, "reason")
        if st.form_submit_button("Record absence"):
            _write_leave(
                version,
                lambda s, a: alloc.add_absence(
                    {"person_id": person, "start_date": start, "end_date": end, "reason": reason},
                    session=s,
                    actor=a,
                ),
                "Absence recorded: capacity is zero on those working days.",
            )
    away = rd.absences(version, person)
    if away.empty:
        st.caption("No absence recorded.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "From": away.start_date.map(fmt_date),
                "To": away.end_date.map(fmt_date),
                "Reason": away.reason,
            }
        ),
        hide_index=True,
    )
    labels = dict(
        zip(
            away.id,
            away.start_date.map(fmt_date)
            + " – "
            + away.end_date.map(fmt_date)
            + " · "
            + away.reason,
            strict=True,
        )
    )
    cols = st.columns([4, 2])
    chosen = pick(
        cols[0], "Remove an absence", labels, placeholder="Choose one", key="absence_remove"
    )
    if chosen is not None and cols[1].button("Remove", key="absence_remove_button"):
        row = away.set_index("id").loc[chosen]
        _write_leave(
            version,
            lambda s, a: alloc.delete_absence(
                chosen, expected_version=int(row.version), session=s, actor=a
            ),
            "Absence removed.",
        )


def _write_leave(version: Version, write, success: str) -> None:
    try:
        with session_scope(version[0]) as session:
            write(session, current_actor())
    except ValidationFailed as exc:
        st.session_state["leave_errors"] = exc.errors
    except WriteError as exc:
        st.session_state["leave_errors"] = {}
        refusal(exc)
        return
    else:
        st.session_state["leave_errors"] = {}
        st.session_state["leave_flash"] = success
    st.rerun()


# --- import from a spreadsheet -----------------------------------------------------------


def _import(version: Version, **_) -> None:
    flash("import")
    st.caption(
        "One row per allocation: the person's e-mail, the project code, the first and last day "
        "(YYYY-MM-DD) and the hours a week. Every row is checked first; the file is imported "
        "whole or not at all."
    )
    template = alloc.template()
    cols = st.columns([2, 2, 6])
    cols[0].download_button(
        "Template (CSV)",
        template.to_csv(index=False).encode(),
        "allocations.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    cols[1].download_button(
        "Template (Excel)",
        _excel(template),
        "allocations.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )
    generation = st.session_state.get("import_generation", 0)
    upload = st.file_uploader(
        "Allocation file", type=["csv", "xlsx"], key=f"alloc_upload_{generation}"
    )
    if upload is None:
        return
    try:
        sheet = alloc.read_sheet(upload.name, upload.getvalue())
        with session_scope(version[0]) as session:
            rows, errors = alloc.check_import(sheet, session=session)
    except ValidationFailed as exc:
        rows, errors = [], exc.errors
    if "file" in errors:
        st.error(md_escape(errors["file"]), icon=":material/error:")
        return
    preview = import_preview(sheet, errors)
    bad = int((preview.Problems != "").sum())
    st.dataframe(
        preview,
        hide_index=True,
        width="stretch",
        column_config={"Problems": st.column_config.TextColumn(width="large")},
    )
    if bad:
        st.error(
            f"Nothing imported: {bad} of {len(preview)} row(s) have problems (see the Problems "
            "column). Fix them in the file and upload it again.",
            icon=":material/error:",
        )
        return
    if st.button(f"Import {len(rows)} allocation(s)", type="primary", key="import_go"):
        try:
            with session_scope(version[0]) as session:
                alloc.import_allocations(sheet, session=session, actor=current_actor())
        except WriteError as exc:
            refusal(exc)
            return
        st.session_state["import_generation"] = generation + 1
        st.session_state["import_flash"] = md_escape(
            f"Imported {len(rows)} allocation(s) from {upload.name}."
        )
        st.rerun()


def import_preview(sheet: pd.DataFrame, errors: dict[str, str]) -> pd.DataFrame:
    """The file as read, with its spreadsheet row number and its problems in words."""
    preview = sheet[alloc.IMPORT_COLUMNS].astype(str).copy()
    preview.insert(0, "Row", range(2, len(sheet) + 2))
    by_row: dict[int, list[str]] = {}
    for key, message in errors.items():
        ref, _, field = key.partition(" · ")
        if ref.startswith("Row "):
            label = FIELD_LABELS.get(field, field)
            by_row.setdefault(int(ref[4:]), []).append(f"{label}: {message}")
    preview["Problems"] = preview.Row.map(lambda n: "; ".join(by_row.get(n, [])))
    return preview


def _excel(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()
