"""The path-to-green section of the weekly status update, drawn inside its form: the cause,
the back-to-green date and its confidence, and the recovery actions (open ones to tick done,
rows for new ones)."""

from __future__ import annotations

import streamlit as st

from components.common.edit_form import EditForm
from components.common.safe_text import md_escape
from data_access.core.models import CONFIDENCE
from data_access.updates.recovery import ASKED, REQUIRED, causes, plan_need
from domain.formatting import RAG_LABELS, fmt_date
from domain.recovery import NEW_ACTIONS

NEED_WORDS = {
    REQUIRED: "required",
    ASKED: "asked for (optional)",
    None: "not needed while the project is Green",
}


def recovery_section(form: EditForm, overall: str, settings: dict, people: dict[int, str]) -> None:
    """Cause, back-to-green date, confidence, and the recovery actions: the open ones to tick
    done, and rows for new ones. `overall` is the update's overall health as on screen."""
    need = plan_need(overall, settings["recovery_plan_amber"])
    st.markdown("##### Path to green")
    amber = {"required": "required", "asked": "asked for", "off": "not asked for"}
    st.caption(
        f"With an overall {RAG_LABELS[overall]} a recovery plan is **{NEED_WORDS[need]}** "
        "(always required for Red; for Amber the PMO has it "
        f"{amber[settings['recovery_plan_amber']]}). It is carried over to the next update "
        "to confirm or change."
    )
    cause_list = causes(settings)
    cols = st.columns([2, 2, 2])
    with cols[0]:
        form.choice("recovery_cause", cause_list, format_func=str.capitalize)
    with cols[1]:
        form.date("expected_green_date", optional=True)
    with cols[2]:
        form.choice("recovery_confidence", CONFIDENCE, format_func=str.capitalize, horizontal=True)
    form.text("recovery_note", area=True, height=68)
    st.markdown("**Recovery actions**")
    open_actions = form.loaded["open_actions"]
    for action in open_actions:
        who = md_escape(action["owner"] or "no owner")
        form.checkbox(
            f"done_{action['id']}",
            label_text=f"Done: {md_escape(action['title'])} ({who}, due "
            f"{fmt_date(action['due_date'])})",
        )
    if not open_actions:
        st.caption("No open recovery actions yet.")
    for i in range(1, NEW_ACTIONS + 1):
        title, owner, due = st.columns([3, 2, 2])
        with title:
            form.text(f"new_action_{i}_title", label_text=f"New action {i}")
        with owner:
            form.choice(
                f"new_action_{i}_owner",
                list(people),
                format_func=people.get,
                label_text="Owner",
            )
        with due:
            form.date(f"new_action_{i}_due", optional=True, label_text="Due date")
    form.note("recovery_actions")
