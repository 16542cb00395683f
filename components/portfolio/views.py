"""A project table with RAG letters per dimension, coloured, worst first."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.common.filters import page_href
from components.common.layout import coloured
from domain.filters import PortfolioFilter
from domain.formatting import RAG_COLOURS, RAG_LABELS
from domain.health import DIMENSIONS, sort_worst_first
from domain.portfolio_view import OVERRIDE_MARK, overall_text

RAG_COLUMNS = ["Overall", *(d.capitalize() for d in DIMENSIONS)]


def _cell_style(text: str) -> str:
    colour = RAG_COLOURS.get(text[:1])
    ink = "#FFFFFF" if text[:1] == "C" else "#1B1F24"
    # The letter stays in the cell: colour is never the only signal.
    return f"background-color: {colour}; color: {ink}; font-weight: 700" if colour else ""


def project_health_table(
    projects: pd.DataFrame, f: PortfolioFilter, *, height: int | None = None
) -> None:
    """Every project of `projects`, worst first, each with a link to its page (filter kept)."""
    rows = sort_worst_first(projects)
    table = pd.DataFrame(
        {
            "Code": rows.code,
            "Project": rows.name,
            "Link": [page_href("project", f, project=code) for code in rows.code],
            "Overall": overall_text(rows),
            **{d.capitalize(): rows[f"{d}_rag"] for d in DIMENSIONS},
            "Why": rows.overall_why,
            "Program": rows.program,
            "Department": rows.department,
            "Manager": rows.manager,
            "Phase": rows.phase,
        }
    )
    st.dataframe(
        coloured(table, _cell_style, RAG_COLUMNS),
        hide_index=True,
        width="stretch",
        height=height or "auto",
        column_config={
            "Link": st.column_config.LinkColumn("Open", display_text="Open ›", width="small"),
            "Why": st.column_config.TextColumn("Why", width="large"),
            **{c: st.column_config.TextColumn(c, width="small") for c in RAG_COLUMNS},
        },
    )


def health_legend() -> str:
    letters = " · ".join(f"**{k}** {v}" for k, v in RAG_LABELS.items())
    return f"{letters} · `{OVERRIDE_MARK}` overridden by the project manager, with a reason"
