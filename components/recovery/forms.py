"""The path-to-green section of the weekly status update, drawn inside its form."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from components.data import Version
from components.forms import EditForm
from components.review_forms import _generation, _write
from components.safe_text import md_escape
from components.session import current_actor
from data_access.recovery import commands
from data_access.recovery.models import ASKED_OF, CONFIDENCE
from data_access.recovery.rules import ASKED, REQUIRED, causes, plan_need
from domain.formatting import RAG_LABELS, fmt_date
from domain.recovery import NEW_ACTIONS

ASKED_OF_WORDS = {
    "sponsor": "Sponsor",
    "portfolio_manager": "Portfolio manager",
    "steering_group": "Steering group",
}
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


def escalation_form(version: Version, project_id: int, today: dt.date) -> None:
    """A project manager asks the sponsor, the portfolio manager or the steering group for
    something by a date, and says why. Listed for the next review until answered there."""
    form = f"escalate_{project_id}"
    gen = _generation(form)
    with st.form(f"{form}_{gen}"):
        ask = st.text_input(
            "What do you ask for?", max_chars=200, placeholder="A decision, money, people…"
        )
        slots = {"ask": st.empty()}
        left, right = st.columns(2)
        with left:
            asked_of = st.radio(
                "Of whom", ASKED_OF, format_func=ASKED_OF_WORDS.get, horizontal=True
            )
            slots["asked_of"] = st.empty()
        with right:
            needed_by = st.date_input(
                "Needed by", value=today + dt.timedelta(days=14), format="YYYY-MM-DD"
            )
            slots["needed_by"] = st.empty()
        reason = st.text_area("Why", max_chars=4000, placeholder="What happens without it")
        slots["reason"] = st.empty()
        submitted = st.form_submit_button("Escalate", type="primary", icon=":material/campaign:")
    if submitted:
        data = {
            "project_id": project_id,
            "ask": ask,
            "asked_of": asked_of,
            "needed_by": needed_by,
            "reason": reason,
        }
        saved = _write(
            version[0],
            slots,
            lambda s: commands.raise_escalation(
                data, today=today, session=s, actor=current_actor()
            ),
        )
        if saved is not None:
            st.session_state[f"{form}_generation"] = gen + 1
            st.session_state[f"{form}_done"] = (
                f"Escalated: {md_escape(ask)}. It is listed for the next review."
            )
            st.rerun()
    done = st.session_state.pop(f"{form}_done", None)
    if done:
        st.success(done, icon=":material/check_circle:")
