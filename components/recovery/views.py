"""Path to green on screen: a project's recovery (plan, trend, actions, escalations), the
portfolio's recovery view and the escalations asked of the signed-in person."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from components.common.chart_cache import vega_spec
from components.common.data import Version
from components.common.layout import coloured
from components.common.safe_text import md_escape
from components.recovery import data
from domain.formatting import RAG_LABELS, fmt_date, fmt_dates
from domain.recovery import ASKED_OF_WORDS

ASKED_OF = {
    "sponsor": "Sponsor",
    "portfolio_manager": "Portfolio manager",
    "steering_group": "Steering group",
}


def asked_of(version: Version, today: dt.date, person_id: int | None) -> list[dict]:
    """The open escalations put to a person, as to-do rows: answered in Meeting mode."""
    if person_id is None:
        return []
    mine = data.escalations(version, today, asked_person_id=person_id, open_only=True)
    return [
        {
            "Project": f"{e.code} · {e.project}",
            "To do": f"Answer the escalation: {e.ask}",
            "Why": f"{'overdue since' if e.overdue else 'needed by'} {fmt_date(e.needed_by)}",
            "Open": "/meeting",
        }
        for e in mine.itertuples()
    ]


def escalation_table(escalations: pd.DataFrame, *, with_project: bool = False) -> None:
    if escalations.empty:
        st.caption("No escalations.")
        return
    state = escalations.apply(
        lambda e: "Overdue" if e.overdue else ("Open" if e.status == "open" else "Answered"),
        axis=1,
    )
    table = pd.DataFrame(
        {
            **({"Project": escalations.code + " · " + escalations.project} if with_project else {}),
            "Asks": escalations.ask,
            "Of": escalations.asked_of.map(ASKED_OF_WORDS)
            + escalations.asked_person.map(lambda n: f" ({n})" if isinstance(n, str) else ""),
            "Why": escalations.reason,
            "Needed by": fmt_dates(escalations.needed_by),
            "State": state,
            "Decision": escalations.decision.fillna(""),
            "Decided on": fmt_dates(escalations.answered_on),
        }
    )
    st.dataframe(
        coloured(
            table,
            lambda s: "background-color: #D55E00; color: #FFFFFF" if s == "Overdue" else "",
            ["State"],
        ),
        hide_index=True,
        width="stretch",
    )


def project_path_to_green(version: Version, today: dt.date, project_id: int, overall: str) -> None:
    """The project page's section: shown for a Red or Amber project, or one that has had a
    plan or an escalation."""
    history = data.history(version, project_id)
    escalations = data.escalations(version, today, project_id=project_id)
    if history.empty and escalations.empty and overall not in ("R", "A"):
        return
    status = data.project_status(version, today, project_id)
    st.subheader("Path to green", anchor=False)
    green, since = status["expected_green_date"], status["off_green_since"]
    if isinstance(green, dt.date):
        cols = st.columns(4)
        cols[0].metric("Back to Green by", fmt_date(green))
        cols[1].metric(
            "First expected", fmt_date(status["first_green_date"]), help="In this off-Green spell"
        )
        cols[2].metric("Date slipped", f"{status['slips']}×")
        cols[3].metric(
            "Off Green for", f"{(today - since).days} d" if isinstance(since, dt.date) else "—"
        )
    elif overall in ("R", "A"):
        st.warning(
            f"{RAG_LABELS[overall]} without a recovery plan in its latest update.",
            icon=":material/report:",
        )
    left, right = st.columns(2, gap="large")
    with left:
        if isinstance(green, dt.date):
            st.markdown(
                f"**Cause:** {md_escape(str(status['cause']).capitalize())} · **Confidence "
                f"in the date:** {md_escape(status['confidence'])}"
            )
            if isinstance(status["note"], str) and status["note"].strip():
                st.markdown(md_escape(status["note"]))
        actions = data.actions(version, project_id)
        st.markdown("**Recovery actions**")
        if actions.empty:
            st.caption("None yet.")
        else:
            overdue = (actions.status == "open") & actions.due_date.map(
                lambda d: isinstance(d, dt.date) and d < today
            )
            st.dataframe(
                pd.DataFrame(
                    {
                        "Action": actions.title,
                        "Owner": actions.owner.fillna("no owner"),
                        "Due": fmt_dates(actions.due_date),
                        "State": overdue.map({True: "Overdue", False: ""}).where(
                            overdue, actions.status.map({"open": "Open", "done": "Done"})
                        ),
                    }
                ),
                hide_index=True,
                width="stretch",
            )
    with right:
        st.vega_lite_chart(vega_spec("green_date_chart", history, today), width="stretch")
    st.markdown("**Escalations**")
    escalation_table(escalations)
