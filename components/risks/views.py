"""Risk tables and the one-risk panel, shared by the matrix, register and exposure tabs."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from components.common import data
from components.risks import data as risk_data
from domain.formatting import BAND_COLOURS, RAG_COLOURS, fmt_date
from domain.risk_bands import BANDS

ROW_LIMIT = 1_000
NO_OWNER = "(no owner)"
DATE_FORMAT = "D MMM YYYY"  # 25 Nov 2026, as fmt_date writes it
# Flags are shown as coloured labels: the word carries the meaning, the colour draws the eye.
FLAGS = {"overdue": RAG_COLOURS["R"], "no owner": RAG_COLOURS["A"], "LATE": RAG_COLOURS["R"]}


def _labels(label: str, colours: dict[str, str], **extra):
    """A column of coloured labels (no pandas Styler: it costs ~0.3 s per 1,000 rows)."""
    return st.column_config.MultiselectColumn(
        label, options=list(colours), color=list(colours.values()), **extra
    )


def _flags(*columns: tuple[str, list[bool]]) -> list[list[str]]:
    """Per row, the names of the flags that are raised."""
    return [
        [name for (name, _), up in zip(columns, row, strict=True) if up]
        for row in zip(*(raised for _, raised in columns), strict=True)
    ]


def _past(days, statuses, today: dt.date) -> list[bool]:
    """Open items whose date has passed."""
    return [
        s == "open" and d is not None and d < today for d, s in zip(days, statuses, strict=True)
    ]


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
            "Band": [[b] for b in shown.band],
            "Flags": _flags(
                ("overdue", _past(shown.response_due, shown.status, today)),
                ("no owner", shown.owner.isna().tolist()),
            ),
            "Response": shown.response,
            "Due": shown.response_due,
            "Proximity": shown.proximity,
            "Status": shown.status,
            "Re-assessed": shown.last_assessed_on,
        }
    )
    event = st.dataframe(
        table,
        key=key,
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        height=height or "auto",
        column_config={
            "Title": st.column_config.TextColumn(width="large"),
            "Inherent": st.column_config.NumberColumn(help="Probability × impact before response"),
            "Residual": st.column_config.NumberColumn(help="Probability × impact after response"),
            "Band": _labels("Band", {b: BAND_COLOURS[b] for b in reversed(BANDS)}),
            "Flags": _labels("Flags", FLAGS, help="Response overdue, no owner"),
            "Due": st.column_config.DateColumn("Response due", format=DATE_FORMAT),
            "Proximity": st.column_config.DateColumn(format=DATE_FORMAT),
            "Re-assessed": st.column_config.DateColumn("Last re-assessed", format=DATE_FORMAT),
        },
    )
    matching = int(risks.matching.iloc[0]) if len(risks) else 0
    if matching > len(shown):
        st.caption(
            f"Showing the {len(shown):,} highest-scored of {matching:,} risks. "
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
    if kind == "dependency":
        table = pd.DataFrame(
            {
                "Late": _flags(("LATE", rows.late.tolist())),
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
        config = {
            "Late": _labels("Late", FLAGS, width="small"),
            "Need by": date,
            "Expected": date,
            "Days late": st.column_config.NumberColumn(format="%d"),
        }
    else:
        columns = {
            "Project": rows.project_code + " · " + rows.project_name,
            "Title": rows.title,
            "Owner": rows.owner.fillna(NO_OWNER),
            "Status": rows.status,
        }
        if kind == "issue":
            columns["Due"] = rows.due_date
            columns["Flags"] = _flags(("overdue", _past(rows.due_date, rows.status, today)))
        if kind == "decision":
            columns["Decided on"] = rows.decided_on
        columns["Raised"] = rows.raised_on
        if kind == "decision":
            columns["Review"] = rows.review.fillna("")
        table = pd.DataFrame(columns)
        config = {c: date for c in ("Due", "Decided on", "Raised")}
        config["Flags"] = _labels("Flags", FLAGS)
    st.dataframe(
        table,
        hide_index=True,
        column_config=config,
        height=460 if len(table) > 12 else "auto",
    )
    if len(items) > ROW_LIMIT:
        st.caption(f"Showing the first {ROW_LIMIT:,} of {len(items):,}: narrow the filters.")
