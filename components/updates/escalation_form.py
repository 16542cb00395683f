"""Escalate from Quick updates: what the project asks of whom, by when and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from components.access.session import current_actor
from components.common.data import Version
from components.common.edit_form import EditForm
from data_access.core.db import session_scope
from data_access.core.models import ASKED_OF
from data_access.meeting import escalations
from domain.recovery import ASKED_OF_WORDS


def escalation_form(version: Version, project_id: int, today: dt.date) -> None:
    """A new escalation of the project; listed for the next review until answered there."""

    def save(values: dict[str, Any], _changes: dict, _version: int) -> str:
        data = {k: values[k] for k in ("ask", "asked_of", "needed_by", "reason")}
        with session_scope(version[0]) as session:
            escalations.raise_escalation(
                {**data, "project_id": project_id},
                today=today,
                session=session,
                actor=current_actor(),
            )
        return "Escalated. It is listed for the next review until the review answers it."

    blank = {
        "ask": "",
        "asked_of": "steering_group",
        "needed_by": today + dt.timedelta(days=14),
        "reason": "",
    }
    form = EditForm("escalation", project_id, blank, 0, save)
    with form.layout("Escalate"):
        form.text("ask")
        left, right = st.columns(2)
        with left:
            form.choice(
                "asked_of",
                ASKED_OF,
                format_func=ASKED_OF_WORDS.get,
                horizontal=True,
            )
        with right:
            form.date("needed_by")
        form.text("reason", area=True, help="What happens without it")
