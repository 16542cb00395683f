"""Path to green: every Red and Amber project's recovery, most in need of the PMO first, and
the escalations waiting for an answer (those asked of the signed-in person on top)."""

import pandas as pd
import streamlit as st

from components.access.session import current_actor
from components.common import data
from components.common.layout import coloured, current_filter, current_version
from components.recovery import data as recovery_data
from components.recovery.views import escalation_table
from domain.filters import apply_filter
from domain.formatting import RAG_LABELS, fmt_dates

version = current_version()
actor = current_actor()
today = data.today()
portfolio_filter = current_filter()
st.title("Path to green")
st.caption(
    "Every active Red and Amber project: how long it has been off Green, when it expects to "
    "be back, how often that date slipped and which recovery actions are overdue. Most in "
    "need of the PMO's attention first: unanswered escalations past their date, no plan or a "
    "date already passed, overdue actions, slips, then time off Green."
)

mine = recovery_data.escalations(version, today, asked_person_id=actor.person_id, open_only=True)
if actor.person_id is not None and not mine.empty:
    st.subheader(f"Asked of you ({len(mine)})", anchor=False)
    escalation_table(mine, with_project=True)

view = recovery_data.recovery_view(version, today, portfolio_filter)
tiles = {
    "Red or Amber": len(view),
    "No plan or date passed": int(view.date_passed.sum()),
    "Slipped 3× or more": int((view.slips >= 3).sum()),
    "With overdue actions": int((view.overdue_actions > 0).sum()),
    "Escalations overdue": int(view.overdue_escalations.sum()),
}
for column, (label, n) in zip(st.columns(len(tiles)), tiles.items(), strict=True):
    column.metric(label, f"{n:,}")

if view.empty:
    st.success("No Red or Amber project among the filtered ones.", icon=":material/check_circle:")
else:
    table = pd.DataFrame(
        {
            "Project": "/project?project=" + view.code,
            "Name": view.name,
            "Health": view.overall_rag.map(lambda r: f"{r} · {RAG_LABELS[r]}"),
            "Off Green (days)": view.days_off_green,
            "Back to Green by": fmt_dates(view.expected_green_date),
            "Slips": view.slips,
            "Overdue actions": view.overdue_actions,
            "Open escalations": view.open_escalations,
            "Why here": view.attention,
        }
    )
    st.dataframe(
        coloured(
            table,
            lambda r: {
                "R": "background-color: #D55E00; color: #FFFFFF",
                "A": "background-color: #E69F00; color: #1B1F24",
            }.get(r[0], ""),
            ["Health"],
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Project": st.column_config.LinkColumn(display_text=r"project=(.*)"),
        },
    )

st.subheader("Open escalations for the next review", anchor=False)
st.caption("Answered in Meeting mode, on the project's path-to-green slide, with a decision.")
open_escalations = recovery_data.escalations(version, today, open_only=True)
shown = apply_filter(data.portfolio_health(version, today), portfolio_filter).id
escalation_table(open_escalations[open_escalations.project_id.isin(shown)], with_project=True)
