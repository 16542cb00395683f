"""Risk tables and the one-risk panel, shared by the matrix, register and exposure tabs."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from charts.risks import text_colour
from components import data, risk_data
from domain.formatting import BAND_COLOURS, OPPORTUNITY_COLOURS, RAG_COLOURS, fmt_date

ROW_LIMIT = 1_000
NO_OWNER = "(no owner)"
DATE_FORMAT = "D MMM YYYY"  # 25 Nov 2026, as fmt_date writes it


def _band_css(band: str, kind: str) -> str:
    colour = (OPPORTUNITY_COLOURS if kind == "opportunity" else BAND_COLOURS)[band]
    return f"background-color: {colour}; color: {text_colour(colour)}; font-weight: 600"


def overdue_css(due, is_open: bool, today: dt.date) -> str:
    """Red bold text for a date that has passed on an open item."""
    late = is_open and due is not None and due < today
    return f"color: {RAG_COLOURS['R']}; font-weight: 700" if late else ""


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
    band_css = [_band_css(b, k) for b, k in zip(shown.band, shown.kind, strict=True)]
    due_css = [
        overdue_css(d, s == "open", today)
        for d, s in zip(shown.response_due, shown.status, strict=True)
    ]
    styled = table.style.apply(lambda _: band_css, subset=["Band"]).apply(
        lambda _: due_css, subset=["Due"]
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


def raid_table(items: pd.DataFrame, kind: str, *, today: dt.date) -> None:
    """Assumptions, issues, dependencies or decisions (from `data_access.risks`)."""
    rows = items.head(ROW_LIMIT)
    date = st.column_config.DateColumn(format=DATE_FORMAT)
    is_open = rows.status.eq("open")
    if kind == "dependency":
        table = pd.DataFrame(
            {
                "Late": rows.late.map({True: "LATE", False: ""}),
                "Waiting project": rows.consumer_code + " · " + rows.consumer_name,
                "Needs": rows.title,
                "From project": rows.provider_code + " · " + rows.provider_name,
                "Need by": rows.need_by,
                "Expected": rows.expected_on,
                "Days late": [
                    (e - n).days if late else None
                    for e, n, late in zip(rows.expected_on, rows.need_by, rows.late, strict=True)
                ],
                "Expected from": rows.expected_from,
                "Owner": rows.owner.fillna(NO_OWNER),
                "Status": rows.status,
            }
        )
        late_css = f"background-color: {RAG_COLOURS['R']}; color: #FFFFFF; font-weight: 700"
        styled = table.style.map(lambda v: late_css if v else "", subset=["Late"])
        config = {"Need by": date, "Expected": date}
    else:
        columns = {
            "Project": rows.project_code + " · " + rows.project_name,
            "Title": rows.title,
            "Owner": rows.owner.fillna(NO_OWNER),
            "Status": rows.status,
        }
        if kind == "issue":
            columns["Due"] = rows.due_date
        if kind == "decision":
            columns["Decided on"] = rows.decided_on
        columns["Raised"] = rows.raised_on
        if kind == "decision":
            columns["Review"] = rows.review.fillna("")
        table = pd.DataFrame(columns)
        styled = table.style
        if kind == "issue":
            due_css = [
                overdue_css(d, o, today) for d, o in zip(rows.due_date, is_open, strict=True)
            ]
            styled = styled.apply(lambda _: due_css, subset=["Due"])
        config = {c: date for c in ("Due", "Decided on", "Raised")}
    st.dataframe(
        styled,
        hide_index=True,
        column_config=config,
        height=460 if len(table) > 12 else "auto",
    )
    if len(items) > ROW_LIMIT:
        st.caption(f"Showing the first {ROW_LIMIT:,} of {len(items):,}: narrow the filters.")
