"""Answering escalations in the review: a decision recorded with the review's decisions,
the escalation marked answered, in one save."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.access.session import current_actor
from components.common.data import Version
from components.meeting.forms import _generation, _saved, _write
from data_access.meeting import escalations as escalation_writes
from domain.formatting import fmt_date


def answer_form(version: Version, review: dict, escalations: pd.DataFrame, key: str) -> None:
    """Pick an open escalation (`escalations`: open ones, e.g. of the project on screen) and
    record the decision that answers it."""
    open_ = escalations[escalations.status == "open"]
    if open_.empty:
        st.caption("No open escalation to answer.")
        return
    form = f"answer_{key}"
    gen = _generation(form)
    labels = {
        int(e.id): f"{e.code}: {e.ask} (by {fmt_date(e.needed_by)}"
        + (", overdue)" if e.overdue else ")")
        for e in open_.itertuples()
    }
    versions = dict(zip(open_.id.astype(int), open_.version.astype(int), strict=True))
    with st.form(f"{form}_{gen}"):
        chosen = st.selectbox(
            "Escalation", list(labels), format_func=labels.get, key=f"{form}_pick_{gen}"
        )
        slots = {"": st.empty()}
        title = st.text_input("Decision", max_chars=200, placeholder="What the review decided")
        slots["title"] = st.empty()
        details = st.text_area("Details", max_chars=4000, placeholder="Optional")
        slots["description"] = st.empty()
        submitted = st.form_submit_button("Record the answer", type="primary")
    if submitted:
        saved = _write(
            version[0],
            slots,
            lambda s: escalation_writes.answer_escalation(
                chosen,
                {"title": title, "description": details},
                review_id=review["id"],
                expected_version=versions[chosen],
                session=s,
                actor=current_actor(),
            ),
        )
        if saved is not None:
            _saved(form, f"Escalation answered: {title}")
