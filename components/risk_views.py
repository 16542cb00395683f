"""Risk tables and the one-risk panel, shared by the matrix, register and exposure tabs."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from charts.risks import text_colour
from components import data, risk_data
from domain.formatting import BAND_COLOURS, RAG_COLOURS, fmt_date

ROW_LIMIT = 1_000
NO_OWNER = "(no owner)"
DATE_FORMAT = "D MMM YYYY"  # 25 Nov 2026, as fmt_date writes it


def _band_style(band: str) -> str:
    colour = BAND_COLOURS.get(band)
    return f"background-color: {colour}; color: {text_colour(colour)}" if colour else ""


def _overdue_style(due, today: dt.date) -> str:
    return f"color: {RAG_COLOURS['R']}; font-weight: 700" if due and due < today else ""


def risk_table(risks: pd.DataFrame, *, key: str, today: dt.date, height: int | None = None):
    """Risks as a sortable table (highest score first); returns the selected risk's id.

    At most ROW_LIMIT rows go to the browser, and the caption says how many more there are.
    """
    shown = risks.head(ROW_LIMIT)
    table = pd.DataFrame(
        {
            "Project": shown.project_code,
            "Title": shown.title,
            "Kind": shown.kind,
            "Owner": shown.owner.fillna(NO_OWNER),
            "Category": shown.category,
            "Inherent": shown.inherent_score,
            "Residual": shown.residual_score,
            "Band": shown.band,
            "Response": shown.response,
            "Due": shown.response_due,
            "Proximity": shown.proximity,
            "Status": shown.status,
            "Re-assessed": shown.last_assessed_on,
        }
    )
    open_rows = shown.status.eq("open").to_numpy()
    styled = table.style.map(_band_style, subset=["Band"]).apply(
        lambda col: [
            _overdue_style(d, today) if is_open else ""
            for d, is_open in zip(col, open_rows, strict=True)
        ],
        subset=["Due"],
    )
    event = st.dataframe(
        styled,
        key=key,
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        height=height or "auto",
        column_config={
            "Title": st.column_config.TextColumn(width="large"),
            "Inherent": st.column_config.NumberColumn(help="Probability × impact before response"),
            "Residual": st.column_config.NumberColumn(help="Probability × impact after response"),
            "Due": st.column_config.DateColumn("Response due", format=DATE_FORMAT),
            "Proximity": st.column_config.DateColumn(format=DATE_FORMAT),
            "Re-assessed": st.column_config.DateColumn("Last re-assessed", format=DATE_FORMAT),
        },
    )
    if len(risks) > ROW_LIMIT:
        st.caption(
            f"Showing the {ROW_LIMIT:,} highest-scored of {len(risks):,} risks. "
            "Narrow the filters (sidebar, project, band, search) to see the others."
        )
    rows = event.selection.rows
    return int(shown.id.iloc[rows[0]]) if rows else None


def risk_detail_panel(version: data.Version, risk_id: int) -> None:
    """What a risk is, who owns it, and how its score moved at each re-assessment."""
    risk, chart = risk_data.risk_detail(version, risk_id)
    if risk is None:
        st.info("That risk no longer exists.")
        return
    st.markdown(f"##### {risk['project_code']} · {risk['title']}")
    st.caption(
        f"{risk['kind'].capitalize()} · {risk['category'] or 'no category'} · owner "
        f"**{risk['owner'] or NO_OWNER}** · response **{risk['response']}**, due "
        f"{fmt_date(risk['response_due']) or '—'} · proximity {fmt_date(risk['proximity']) or '—'}"
        f" · {risk['status']} · raised {fmt_date(risk['raised_on'])}"
    )
    if risk["description"]:
        st.text(risk["description"])
    if risk["mitigation"]:
        st.markdown("**Mitigation**")
        st.text(risk["mitigation"])
    st.vega_lite_chart(spec=chart, width="stretch")
