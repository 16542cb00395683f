"""Lesson views: the few offered to a project, one lesson's card, the register and search."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from components.access.session import is_admin
from components.common.data import Version
from components.common.safe_text import md_escape
from components.lessons import data as ld
from components.lessons.forms import (
    KIND_LABELS,
    edit_lesson_form,
    guidance_form,
    mark_buttons,
    record_lesson_form,
    review_buttons,
)
from data_access.core.lesson_models import LESSON_STATE_LABELS
from domain.formatting import fmt_date


def _card(version: Version, today: dt.date, lesson: dict, *, key: str, project_id=None) -> None:
    st.markdown(
        f"**{md_escape(lesson['title'])}** · {KIND_LABELS[lesson['kind']].lower()} · "
        f"{lesson['category']} · {lesson['phase']}"
    )
    st.markdown(md_escape(lesson["recommendation"]))
    if lesson.get("guidance_phase"):
        st.caption(
            f"Merged into the guidance of {md_escape(lesson['guidance_phase'])} · template "
            f"{md_escape(lesson['guidance_key'])} revision {int(lesson['guidance_revision'])}",
        )
    with st.expander("What happened"):
        st.markdown(md_escape(lesson["what_happened"]))
        source = lesson.get("project_code") or "no project"
        st.caption(
            f"{md_escape(source)} · {md_escape(lesson.get('department') or '—')} · "
            f"{lesson['project_size']} · {fmt_date(lesson['recorded_on'])} · "
            f"{LESSON_STATE_LABELS[lesson['status']]} · tags: {md_escape(lesson['tags'] or '—')}"
        )
    mark_buttons(version, today, int(lesson["id"]), project_id, key=key)


def similar_lessons_section(version: Version, today: dt.date, project_id: int) -> None:
    """ "N lessons from similar projects", each with why it is offered."""
    offered = ld.for_project(version, project_id, today)
    if offered.empty:
        st.caption("No lesson of a similar project yet.")
        return
    n = len(offered)
    st.markdown(f"**{n} lesson{'s' if n > 1 else ''} from similar projects**")
    for lesson in offered.to_dict("records"):
        with st.container(border=True):
            st.caption(f"Why: {md_escape(lesson['reason'])}")
            _card(version, today, lesson, key=f"offer.{lesson['id']}", project_id=project_id)


def project_lessons_section(version: Version, today: dt.date, project: dict) -> None:
    """A project's own lessons and the form to record one (phase taken from the project)."""
    own = ld.of_project(version, int(project["id"]))
    st.caption(f"{len(own)} lesson(s) recorded on this project.")
    with st.expander("Record a lesson from this project", icon=":material/school:"):
        record_lesson_form(
            version,
            today,
            key=f"lesson_new_{project['id']}",
            project_id=int(project["id"]),
            phase=project["phase"],
            source="closure" if project["phase"] in ("Closing", "Closed") else "manual",
        )


def search_section(version: Version, today: dt.date) -> None:
    query = st.text_input(
        "Search lessons",
        key="lesson_q",
        bind="query-params",
        placeholder='words, or "a phrase" in quotes',
    )
    status = st.segmented_control(
        "Status",
        [None, *LESSON_STATE_LABELS],
        format_func=lambda s: "All" if s is None else LESSON_STATE_LABELS[s],
        default=None,
        key="lesson_status",
    )
    if (query or "").strip():
        found = ld.search(version, query)
        if status:
            found = found[found.status == status]
        st.caption(f"{len(found)} lesson(s) match.")
    else:
        found, total = ld.register(version, status)
        shown = (
            f", the newest {len(found)} shown (search finds the others)"
            if total > len(found)
            else ""
        )
        st.caption(f"{total:,} lesson(s){shown}.")
    st.dataframe(
        found[
            [
                "title",
                "category",
                "phase",
                "kind",
                "status",
                "project_code",
                "department",
                "recorded_on",
                "useful",
                "applied",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "title": "Lesson",
            "category": "Category",
            "phase": "Phase",
            "kind": "Repeat or avoid",
            "status": "Status",
            "project_code": "Project",
            "department": "Department",
            "recorded_on": st.column_config.DateColumn("Recorded"),
            "useful": st.column_config.NumberColumn("Useful", help="People who found it useful"),
            "applied": st.column_config.NumberColumn("Applied", help="People who applied it"),
        },
        on_select="rerun",
        selection_mode="single-row",
        key="lesson_table",
    )
    rows = st.session_state.get("lesson_table", {}).get("selection", {}).get("rows", [])
    if rows and rows[0] < len(found):
        lesson = found.iloc[rows[0]].to_dict()
        with st.container(border=True):
            _card(version, today, lesson, key=f"pick.{lesson['id']}")
            if is_admin():
                st.markdown("**Review**")
                review_buttons(version, lesson, key=f"review.{lesson['id']}")
                if lesson["status"] in ("draft", "accepted"):
                    with st.expander("Turn into guidance", icon=":material/menu_book:"):
                        guidance_form(version, lesson, key=f"guidance.{lesson['id']}")
            with st.expander("Correct this lesson"):
                edit_lesson_form(version, lesson, key=f"lesson_edit_{lesson['id']}")


def closing_lesson_form(version: Version, today: dt.date, project_id: int):
    """What the project page draws beside the closing gate, which asks for a lesson."""

    def draw() -> None:
        own = ld.of_project(version, project_id)
        kept = own[own.status != "archived"]
        with st.expander(
            f"The closing gate asks for a lesson learned ({len(kept)} recorded): record one",
            icon=":material/school:",
            expanded=kept.empty,
        ):
            record_lesson_form(
                version,
                today,
                key=f"lesson_closing_{project_id}",
                project_id=project_id,
                source="closure",
            )

    return draw


def gate_lesson_form(version: Version, today: dt.date):
    """What the gates page draws under a gate under review: a lesson linked to that gate."""

    def draw(gate: dict) -> None:
        with st.expander("What did this phase teach? Record a lesson", icon=":material/school:"):
            record_lesson_form(
                version,
                today,
                key=f"lesson_gate_{gate['id']}",
                project_id=int(gate["project_id"]),
                source="gate",
                gate_review_id=int(gate["id"]),
            )

    return draw
