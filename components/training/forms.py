"""Recording completed courses, the course catalogue and the competence rule.

All through the app's one form pattern (components.common.record_form): every problem under its
field, what was typed kept, a stale save refused with who changed what. A person records their
own completions; the PMO admin anyone's, the catalogue and the rule.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from components.access.session import current_actor
from components.common.data import Version
from components.common.record_form import FormField, flash, record_form, show_flash
from components.common.widgets import refusal
from components.training import data as td
from data_access.core.db import session_scope
from data_access.core.lesson_models import LARGE_FROM, PROJECT_SIZES, SMALL_BELOW
from data_access.core.models import NAME_MAX
from data_access.core.training_models import COURSE_KINDS, RISK_CLASSES
from data_access.core.writes import WriteError
from data_access.training import commands
from domain.formatting import fmt_date

RULE_WORDS = {
    "small": f"Small projects (under {SMALL_BELOW:,} approved)",
    "medium": f"Medium projects ({SMALL_BELOW:,} to {LARGE_FROM:,})",
    "large": f"Large projects (from {LARGE_FROM:,})",
    "risk_high": "Projects with a High or Critical open risk",
    "risk_critical": "Projects with a Critical open risk (as well as the High list)",
}


def _write(version: Version, fn, *args, **kwargs):
    with session_scope(version[0]) as session:
        return fn(*args, session=session, actor=current_actor(), **kwargs)


def _course_labels(courses: pd.DataFrame) -> dict[int, str]:
    """Each course with its validity, so the default expiry is no surprise."""
    return {
        int(c.course_id): c.course
        + ("" if pd.isna(c.valid_months) else f" · valid {int(c.valid_months)} months")
        for c in courses.itertuples()
    }


def _pick(label: str, rows: pd.DataFrame, id_column: str, describe, key: str) -> dict | None:
    """One row of `rows` picked by its id; None when there is none."""
    if rows.empty:
        return None
    labels = {int(getattr(r, id_column)): describe(r) for r in rows.itertuples()}
    chosen = st.selectbox(label, list(labels), format_func=labels.get, key=key)
    row = rows[rows[id_column] == chosen].iloc[0].to_dict()
    # Plain Python values: the database drivers take no numpy numbers.
    return {
        k: None if pd.isna(v) else v.item() if hasattr(v, "item") else v for k, v in row.items()
    }


def _edit_or_remove(
    version: Version,
    key: str,
    fields: list[FormField],
    row: dict,
    row_id: int,
    edit,
    remove,
    words: tuple[str, str, str],
    **extra,
) -> None:
    """The chosen row's form (a stale save refused) and a button to remove it; `words`: the
    saved message, the button's label, the removed message."""
    saved, remove_label, removed = words
    record_form(
        f"{key}_{row_id}",
        fields,
        row,
        lambda changes, v: _write(version, edit, row_id, changes, expected_version=v, **extra),
        version=int(row["version"]),
        saved_message=saved,
    )
    if st.button(remove_label, key=f"{key}_remove_{row_id}", icon=":material/delete:"):
        try:
            _write(version, remove, row_id, expected_version=int(row["version"]))
        except WriteError as exc:
            refusal(exc)
        else:
            flash(removed)
            st.rerun()


# --- a person's completions -----------------------------------------------------------------


def training_records_section(version: Version, today: dt.date) -> None:
    """Record a completion (own, or anyone's for the PMO) and correct or remove one."""
    show_flash()
    actor = current_actor()
    if actor.role == "viewer" or actor.person_id is None and actor.role != "admin":
        st.caption("Viewers read the matrix; a project manager or the PMO records training.")
        return
    admin = actor.role == "admin"
    people = td.people(version) if admin else {actor.person_id: actor.name}
    courses = td.courses(version)
    if courses.empty:
        st.caption("No course in the catalogue yet: the PMO adds them below.")
        return
    course_labels = _course_labels(courses)
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Record a completed course", anchor=False)
        record_form(
            "training_new",
            [
                FormField("person_id", "Person", "select", list(people), people),
                FormField(
                    "course_id",
                    "Course",
                    "select",
                    [None, *course_labels],
                    {None: "Choose a course", **course_labels},
                ),
                FormField("completed_on", "Completed on", "date"),
                FormField(
                    "expires_on",
                    "Expires on",
                    "date",
                    help="Empty: the course's validity from the completion day (none for a "
                    "course that never expires).",
                ),
            ],
            {
                "person_id": actor.person_id if actor.person_id in people else next(iter(people)),
                "course_id": None,
                "completed_on": today,
                "expires_on": None,
            },
            lambda values, _v: _write(version, commands.record_training, values, on=today),
            submit_label="Record",
            saved_message="Training recorded.",
        )
    with right:
        st.subheader("Correct or renew", anchor=False)
        records = td.records(version, None if admin else actor.person_id)
        record = _pick(
            "Training record",
            records,
            "record_id",
            lambda r: f"{r.person} · {r.course} · {fmt_date(r.completed_on)}",
            "training_pick",
        )
        if record is None:
            st.caption("Nothing recorded yet.")
            return
        _edit_or_remove(
            version,
            "training",
            [
                FormField("completed_on", "Completed on", "date"),
                FormField("expires_on", "Expires on", "date", help="Empty: never expires."),
            ],
            record,
            record["record_id"],
            commands.edit_training,
            commands.delete_training,
            ("Training record saved.", "Remove this record", "Training record removed."),
            on=today,
        )


# --- the catalogue and the rule (PMO admin) ---------------------------------------------------

COURSE_FIELDS = [
    FormField("name", "Name", max_chars=NAME_MAX),
    FormField("kind", "Kind", "select", list(COURSE_KINDS), {k: k.title() for k in COURSE_KINDS}),
    FormField("provider", "Provider", max_chars=NAME_MAX),
    FormField(
        "valid_months",
        "Valid for (months)",
        "int",
        min_value=1,
        max_value=120,
        step=1,
        help="Empty: it never expires (an internal onboarding).",
    ),
]


def catalogue_section(version: Version) -> None:
    if current_actor().role != "admin":
        return
    courses = td.courses(version)
    st.subheader("Course catalogue", anchor=False)
    st.dataframe(
        courses.assign(
            kind=courses.kind.str.title(),
            valid_months=courses.valid_months.map(
                lambda m: "never expires" if pd.isna(m) else f"{int(m)}"
            ),
        )[["course", "kind", "provider", "valid_months"]].rename(
            columns={
                "course": "Course",
                "kind": "Kind",
                "provider": "Provider",
                "valid_months": "Valid (months)",
            }
        ),
        hide_index=True,
        width="stretch",
    )
    left, right = st.columns(2, gap="large")
    with left, st.expander("Change or retire a course"):
        course = _pick(
            "Course",
            courses.rename(columns={"course": "name"}),
            "course_id",
            lambda c: c.name,
            "course_pick",
        )
        if course is not None:
            _edit_or_remove(
                version,
                "course",
                COURSE_FIELDS,
                course,
                course["course_id"],
                commands.edit_course,
                commands.retire_course,
                (
                    "Course saved.",
                    "Retire this course",
                    "Course retired: out of the catalogue and the competence rule.",
                ),
            )
    with right, st.expander("Add a course"):
        record_form(
            "course_new",
            COURSE_FIELDS,
            {"name": "", "kind": "course", "provider": "", "valid_months": None},
            lambda values, _v: _write(version, commands.add_course, values),
            submit_label="Add the course",
            saved_message="Course added.",
        )


def rule_section(version: Version) -> None:
    """Which courses a project manager needs by project size and by risk level; a stale save is
    refused."""
    if current_actor().role != "admin":
        return
    st.subheader("What a project manager needs", anchor=False)
    courses = td.courses(version)
    labels = dict(zip(courses.course_id.astype(int), courses.course, strict=True))
    rule = td.rule(version)
    st.caption(
        "By the project's size, and by its highest open risk: a project needs the courses of "
        "its size and of its risk level together."
    )
    for classes in (PROJECT_SIZES, RISK_CLASSES):
        for column, applies_to in zip(st.columns(3), classes, strict=False):
            with column:
                record_form(
                    f"rule_{applies_to}",
                    [
                        FormField(
                            "course_ids",
                            RULE_WORDS[applies_to],
                            "multiselect",
                            list(labels),
                            labels,
                        )
                    ],
                    {"course_ids": rule[applies_to]},
                    lambda changes, expected, applies_to=applies_to: _write(
                        version,
                        commands.set_required_courses,
                        applies_to,
                        changes["course_ids"],
                        expected=expected,
                    ),
                    version=rule[applies_to],
                    saved_message=f"Saved: {RULE_WORDS[applies_to]}.",
                )
