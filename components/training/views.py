"""The competence matrix and the warning when a project's manager lacks what its size and
risk ask."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from components.common.chart_cache import draw_chart
from components.common.data import Version
from components.common.safe_text import md_escape
from components.training import data as td
from domain.formatting import fmt_date
from domain.training import EXPIRING_DAYS


def competence_section(version: Version, today: dt.date) -> None:
    grid = td.competence(version, today)
    if grid.empty:
        st.caption("No course or project manager yet.")
        return
    counts = grid.state.value_counts()
    st.caption(
        f"{grid.person.nunique()} project managers × {grid.course.nunique()} courses · "
        f"{counts.get('expiring', 0)} expiring within {EXPIRING_DAYS} days · "
        f"{counts.get('expired', 0)} expired · {counts.get('missing', 0)} missing"
    )
    draw_chart("competence_heatmap", grid)


def manager_warning(version: Version, today: dt.date, project_id: int) -> None:
    """Not a block: the PMO sees the gap and decides."""
    manager, what, lacking = td.manager_gap(version, project_id, today)
    if lacking:
        st.warning(
            f"**{md_escape(manager)}** manages {what} but lacks: "
            + ", ".join(md_escape(x) for x in lacking)
            + ".",
            icon=":material/school:",
        )


def assignment_warning(
    version: Version,
    today: dt.date,
    manager_id: int | None,
    approved_budget: float,
    project_id: int | None,
) -> None:
    """Where a project's manager is chosen: what they lack for its size and risk. Not a
    block."""
    if manager_id is None:
        return
    what, lacking = td.assignment_gap(version, int(manager_id), approved_budget, today, project_id)
    if lacking:
        st.warning(
            f"This manager lacks for {what}: "
            + ", ".join(md_escape(x) for x in lacking)
            + ". You may still save; the gap shows on the project page and in the competence "
            "matrix (*Lessons learned › Competence*).",
            icon=":material/school:",
        )


def _lapsing(version: Version, today: dt.date, person_id: int | None):
    """A person's courses that lapse within 90 days or have lapsed, soonest first."""
    grid = td.competence(version, today)
    mine = grid[(grid.person_id == person_id) & grid.state.isin(["expiring", "expired"])]
    return mine.sort_values("expires_on")


def my_certifications(version: Version, today: dt.date, person_id: int | None) -> None:
    """The signed-in person's own courses that lapse within 90 days or have lapsed."""
    if person_id is None:
        return
    for row in _lapsing(version, today, person_id).itertuples():
        verb = "expired on" if row.state == "expired" else "expires on"
        st.warning(
            f"Your **{md_escape(row.course)}** {verb} {fmt_date(row.expires_on)}.",
            icon=":material/badge:",
        )


def certifications_to_renew(version: Version, today: dt.date, person_id: int | None) -> list:
    """The same as to-do rows (the shape of the Gates page's to-do list)."""
    if person_id is None:
        return []
    return [
        {
            "Project": "",
            "To do": f"Renew {row.course}",
            "Why": f"{'expired on' if row.state == 'expired' else 'expires on'} "
            f"{fmt_date(row.expires_on)}",
            "Open": "/lessons?tab=Competence",
        }
        for row in _lapsing(version, today, person_id).itertuples()
    ]
