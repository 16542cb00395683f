"""Recording, correcting and reviewing lessons, and marking one useful or applied.

Recording uses the app's one form pattern (components.common.record_form): every problem under
its field, what was typed kept, a stale correction refused with who changed what.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from components.access.session import current_actor
from components.common.data import Version
from components.common.record_form import FormField, record_form, show_flash
from components.common.widgets import refusal
from components.lessons import data as ld
from data_access.core.db import session_scope
from data_access.core.lesson_models import (
    LESSON_CATEGORIES,
    LESSON_STATE_LABELS,
    PROJECT_SIZES,
    TAGS_MAX,
)
from data_access.core.models import NAME_MAX, PHASES, TEXT_MAX
from data_access.core.writes import ValidationFailed, WriteError, commit
from data_access.gates import commands as gate_commands
from data_access.lessons import commands

KIND_LABELS = {"avoid": "Avoid next time", "repeat": "Repeat next time"}


def _fields(departments: dict[int, str], with_context: bool) -> list[FormField]:
    fields = [
        FormField("title", "Lesson in one line", max_chars=NAME_MAX),
        FormField("what_happened", "What happened", "textarea", max_chars=TEXT_MAX),
        FormField(
            "kind", "Repeat or avoid", "select", options=list(KIND_LABELS), labels=KIND_LABELS
        ),
        FormField("recommendation", "Recommendation", "textarea", max_chars=TEXT_MAX),
        FormField(
            "category",
            "Category",
            "select",
            options=[None, *LESSON_CATEGORIES],
            labels={None: "Choose a category"},
        ),
        FormField("tags", "Tags (comma-separated)", max_chars=TAGS_MAX),
    ]
    if with_context:
        fields += [
            FormField("phase", "Lifecycle phase", "select", options=list(PHASES)),
            FormField(
                "department_id",
                "Department",
                "select",
                options=[None, *departments],
                labels={None: "None", **departments},
            ),
            FormField("project_size", "Project size", "select", options=list(PROJECT_SIZES)),
        ]
    return fields


def record_lesson_form(
    version: Version,
    today: dt.date,
    *,
    key: str,
    project_id: int | None = None,
    phase: str | None = None,
    source: str = "manual",
    gate_review_id: int | None = None,
) -> None:
    """A new lesson. On a project (or its gate) the project gives phase, department and size."""
    show_flash()
    actor = current_actor()
    if actor.role == "viewer":
        st.caption("Viewers read lessons; a project manager or the PMO records them.")
        return
    on_project = project_id is not None

    def save(changes, _version):
        extra = {"project_id": project_id, "source": source, "gate_review_id": gate_review_id}
        if phase:
            extra["phase"] = phase
        with session_scope(version[0]) as s:
            commands.record_lesson({**changes, **extra}, on=today, session=s, actor=actor)

    values = {"kind": "avoid", "category": None, "phase": phase or "Execution", "tags": ""}
    values |= {"project_size": "medium", "department_id": None}
    record_form(
        key,
        _fields(ld.departments(version), with_context=not on_project),
        values,
        save,
        submit_label="Record the lesson",
        saved_message="Lesson recorded (draft until the PMO reviews it).",
        columns=2,
    )


def edit_lesson_form(version: Version, lesson: dict, *, key: str) -> None:
    actor = current_actor()

    def save(changes, expected):
        with session_scope(version[0]) as s:
            commands.edit_lesson(
                lesson["id"], changes, expected_version=expected, session=s, actor=actor
            )

    record_form(
        key,
        _fields(ld.departments(version), with_context=True),
        lesson,
        save,
        version=lesson["version"],
        saved_message="Lesson corrected.",
        columns=2,
    )


def review_buttons(version: Version, lesson: dict, *, key: str) -> None:
    """The PMO admin's review: one button per state the lesson is not in."""
    cols = st.columns(len(LESSON_STATE_LABELS))
    for col, (status, label) in zip(cols, LESSON_STATE_LABELS.items(), strict=True):
        if status == lesson["status"]:
            continue
        if col.button(label, key=f"{key}.{status}"):
            try:
                with session_scope(version[0]) as s:
                    commands.review_lesson(
                        lesson["id"],
                        status,
                        expected_version=lesson["version"],
                        session=s,
                        actor=current_actor(),
                    )
            except WriteError as exc:
                refusal(exc)
            else:
                st.rerun()


def guidance_form(version: Version, lesson: dict, *, key: str) -> None:
    """The PMO turns a lesson into a change of a phase's guidance: a new revision of the
    template (revise_template's rules: newest revision only, stale saves refused) and the
    lesson "merged into guidance" with the link to it, in one transaction."""
    templates = ld.latest_templates(version)
    if not templates:
        st.caption("No active lifecycle template to change.")
        return
    left, right = st.columns(2)
    template_id = left.selectbox(
        "Template", list(templates), format_func=templates.get, key=f"{key}.template"
    )
    template = ld.template(version, template_id)
    phases = template["phases"]
    same_stage = [i for i, p in enumerate(phases) if p["stage"] == lesson["phase"]]
    index = right.selectbox(
        "Phase",
        range(len(phases)),
        index=same_stage[0] if same_stage else 0,
        format_func=lambda i: phases[i]["name"],
        key=f"{key}.phase",
    )

    def save(changes, _version):
        text = (changes["guidance"] or "").strip()
        if not text or text == phases[index]["guidance"].strip():
            raise ValidationFailed(
                {"guidance": "write the phase's guidance with what the lesson teaches"}
            )
        revised = [*phases]
        revised[index] = {**phases[index], "guidance": text}
        with session_scope(version[0]) as s:
            try:
                new_id = gate_commands.stage_template_revision(
                    template_id,
                    {"phases": revised},
                    expected_version=int(template["version"]),
                    session=s,
                    actor=current_actor(),
                )
            except ValidationFailed as exc:  # the phase's guidance is the only field changed
                raise ValidationFailed({"guidance": "; ".join(exc.errors.values())}) from exc
            commands.stage_merged_into_guidance(
                int(lesson["id"]),
                template_id=new_id,
                phase=phases[index]["name"],
                expected_version=int(lesson["version"]),
                session=s,
                actor=current_actor(),
            )
            commit(s)

    proposed = f"{phases[index]['guidance']}\n\n{lesson['recommendation']}".strip()
    record_form(
        f"{key}.{template_id}.{index}",
        [FormField("guidance", "The phase's guidance", "textarea", max_chars=TEXT_MAX)],
        {"guidance": proposed},
        save,
        submit_label="Save as a new revision",
        saved_message="Guidance changed in a new revision; the lesson is merged into guidance.",
    )


def mark_buttons(
    version: Version, today: dt.date, lesson_id: int, project_id: int | None, *, key: str
) -> None:
    """ "Useful" and "Applied": each person marks a lesson once."""
    actor = current_actor()
    if actor.role == "viewer" or actor.person_id is None:
        return
    done = ld.marked_by(version, actor.person_id)
    row = st.container(horizontal=True)
    for kind, label, icon in (
        ("useful", "Useful", ":material/thumb_up:"),
        ("applied", "Applied", ":material/task_alt:"),
    ):
        marked = (lesson_id, kind) in done
        if row.button(
            f"{label} ✓" if marked else label,
            key=f"{key}.{kind}",
            icon=icon,
            disabled=marked,
            help=f"You marked it {kind}." if marked else f"Mark this lesson {kind}.",
        ):
            try:
                with session_scope(version[0]) as s:
                    commands.mark_lesson(
                        lesson_id, kind, project_id=project_id, on=today, session=s, actor=actor
                    )
            except WriteError as exc:
                refusal(exc)
            else:
                st.rerun()
