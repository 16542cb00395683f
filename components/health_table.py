"""A project table with RAG letters per dimension, coloured, worst first."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from domain.formatting import RAG_COLOURS, RAG_LABELS
from domain.health import DIMENSIONS, sort_worst_first

RAG_COLUMNS = ["Overall", *(d.capitalize() for d in DIMENSIONS)]


def _cell_style(letter: str) -> str:
    colour = RAG_COLOURS.get(letter)
    # The letter stays in the cell: colour is never the only signal.
    return f"background-color: {colour}; color: #FFFFFF; font-weight: 700" if colour else ""


def project_health_table(projects: pd.DataFrame, *, height: int | None = None) -> None:
    rows = sort_worst_first(projects)
    table = pd.DataFrame(
        {
            "Code": rows.code,
            "Project": rows.name,
            "Overall": rows.overall_rag,
            **{d.capitalize(): rows[f"{d}_rag"] for d in DIMENSIONS},
            "Why": rows.overall_why,
            "Program": rows.program,
            "Manager": rows.manager,
            "Phase": rows.phase,
            "Link": "/project?project=" + rows.code,
        }
    )
    st.dataframe(
        table.style.map(_cell_style, subset=RAG_COLUMNS),
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
    return " · ".join(f"**{k}** {v}" for k, v in RAG_LABELS.items())
