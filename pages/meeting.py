"""Meeting mode: prepare the portfolio review, present it live, record decisions and actions.

The URL holds the place: `review` (the review in progress), `since` (what changed since that
day; default the last review), `present=1` (full-screen slides) and `slide=N`. A refresh or a
shared link opens the same view on the same slide.
"""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd
import streamlit as st

from components.common import data
from components.common.export import fresh_download
from components.common.layout import current_filter, current_version, tabs_drawn_when_open
from components.gates import data as gate_data
from components.gates import forms as gate_forms
from components.meeting import data as meeting_data
from components.meeting import forms as review_forms
from components.meeting.escalations import answer_form
from components.meeting.slides import PRESENTATION_CSS, md, render_slide
from components.recovery import data as recovery_data
from domain.changes import counts
from domain.filters import apply_filter
from domain.formatting import RAG_LABELS, fmt_date
from domain.gates import DECISION_LABELS

LIVE_SECONDS = 3  # how often the slide re-checks the data version while presenting
UPDATED_MARK_SECONDS = 60  # how long "updated just now" stays after a change arrives
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _int_param(name: str) -> int | None:
    value = st.query_params.get(name, "")
    return int(value) if value.isdigit() else None


def _date_param(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return None


version = current_version()
today = data.today()
portfolio_filter = current_filter()
reviews = meeting_data.review_list(version)
review_id = _int_param("review")
if review_id is not None and not (reviews.id == review_id).any():
    review_id = None
since = _date_param("since")
shown = meeting_data.meeting(version, today, since, review_id, portfolio_filter)
for toast_key in ("meeting_toast", "gates_toast", "gates_warning"):
    if toast := st.session_state.pop(toast_key, None):
        st.toast(md(toast), icon=":material/check_circle:")


def _projects() -> pd.DataFrame:
    """The projects a decision or an action can be recorded against (read only for the forms:
    the presentation does not pay for the whole portfolio table on every rerun)."""
    return apply_filter(data.portfolio_health(version, today), portfolio_filter)


def _slide_number(total: int) -> int:
    number = _int_param("slide") or 1
    return min(max(number, 1), total)


def _go(step: int, total: int) -> None:
    st.query_params["slide"] = str(min(max(_slide_number(total) + step, 1), total))


def _exit() -> None:
    st.query_params.pop("present", None)


def _live_mark(counter: int) -> str:
    """Note when the data changed under the open slide, to show "updated just now"."""
    seen = st.session_state.get("meeting_seen_version")
    if seen is not None and seen != counter:
        st.session_state["meeting_updated_at"] = time.monotonic()
    st.session_state["meeting_seen_version"] = counter
    updated = st.session_state.get("meeting_updated_at")
    if updated is not None and time.monotonic() - updated < UPDATED_MARK_SECONDS:
        return ":material/update: Updated just now"
    return ":material/sensors: Live"


@st.fragment(run_every=LIVE_SECONDS)
def live_slide() -> None:
    """The slide on screen, redrawn from the latest data whenever anyone saves a change."""
    url = version[0]
    live_version = data.fresh_version(url)
    current = meeting_data.meeting(live_version, today, since, review_id, portfolio_filter)
    total = len(current.slides)
    number = _slide_number(total)
    render_slide(current.slides[number - 1])
    with st.container(key="slide_status", horizontal=True):
        st.markdown(f"**{number} / {total}**")
        st.caption(_live_mark(live_version[1]))


@st.dialog("Record a decision", width="large")
def decision_dialog(project_id: int | None) -> None:
    review_forms.decision_form(version, shown.review, _projects(), project_id, key="dialog")


@st.dialog("Decide the gate", width="large")
def gate_dialog(project_id: int) -> None:
    pending = gate_data.pending_gates(version)
    gate = pending[pending.project_id == project_id]
    if gate.empty:
        st.info("This gate was decided meanwhile; the slide shows it at its next refresh.")
        return
    gate_forms.decide_form(version, today, gate.iloc[0].to_dict(), "meeting")


def _open_escalations(project_id: int | None) -> pd.DataFrame:
    """Open escalations of the filtered projects (of one when a project's slide is shown)."""
    escalations = recovery_data.escalations(version, today, open_only=True)
    ids = _projects().id if project_id is None else [project_id]
    return escalations[escalations.project_id.isin(ids)]


@st.dialog("Answer an escalation", width="large")
def answer_dialog(project_id: int | None) -> None:
    answer_form(version, shown.review, _open_escalations(project_id), key="dialog")


@st.dialog("Record an action", width="large")
def action_dialog(project_id: int | None) -> None:
    people = meeting_data.people(version)
    review_forms.action_form(
        version, shown.review, _projects(), people, project_id, today, key="dialog"
    )


def present() -> None:
    st.html(PRESENTATION_CSS)
    live_slide()
    # The buttons stay outside the live fragment: a press then reruns the whole page, which
    # Streamlit never lets a timed fragment rerun swallow (a busy server could drop a press
    # made while the page's first run was still going).
    total = len(shown.slides)
    number = _slide_number(total)
    on_screen = shown.slides[number - 1]
    with st.container(key="slide_nav", horizontal=True, vertical_alignment="center"):
        st.button(
            "Previous",
            icon=":material/arrow_back:",
            shortcut="Left",
            on_click=_go,
            args=(-1, total),
            disabled=number == 1,
        )
        st.button(
            "Next",
            icon=":material/arrow_forward:",
            shortcut="Right",
            on_click=_go,
            args=(1, total),
            disabled=number == total,
        )
        if on_screen.kind == "gate" and st.button(
            "Decide the gate", icon=":material/rule:", type="primary"
        ):
            gate_dialog(on_screen.project_id)
        if shown.review:
            if st.button("Decision", icon=":material/gavel:", type="tertiary"):
                decision_dialog(on_screen.project_id)
            if st.button("Action", icon=":material/add_task:", type="tertiary"):
                action_dialog(on_screen.project_id)
            if on_screen.kind in ("path", "escalations") and st.button(
                "Answer escalation", icon=":material/forum:", type="tertiary"
            ):
                answer_dialog(on_screen.project_id)
        else:
            st.caption("Start a review to record decisions and actions.")
        st.button(
            "Leave the presentation",
            icon=":material/close_fullscreen:",
            type="tertiary",
            on_click=_exit,
        )
        # Presentation clickers send PageUp / PageDown: hidden twins of the two buttons.
        st.button(
            "Previous page", shortcut="PageUp", on_click=_go, args=(-1, total), key="slide_pageup"
        )
        st.button(
            "Next page", shortcut="PageDown", on_click=_go, args=(1, total), key="slide_pagedown"
        )


# --- preparing and following up the review ------------------------------------------------


def _start_presenting() -> None:
    st.query_params["present"] = "1"
    st.query_params["slide"] = str(st.session_state.get("meeting_start_slide", 1))


def header() -> None:
    st.title("Meeting mode")
    labels = dict(
        zip(reviews.id, reviews.title + " · " + reviews.held_on.map(fmt_date), strict=True)
    )
    choose, since_col, go = st.columns([3, 2, 2], vertical_alignment="bottom")
    # The URL is the truth (a form or a link may change it): the pickers are keyed by its
    # values, so they always show them, and a pick changes the URL.
    options = [None, *reviews.id.tolist()]
    picked = choose.selectbox(
        "Review",
        options,
        index=options.index(review_id),
        format_func=lambda i: "None: browse without recording" if i is None else labels[i],
        key=f"meeting_review_{review_id}",
    )
    since_day = shown.changes.since
    chosen = since_col.date_input(
        "What changed since",
        value=since_day,
        max_value=today,
        format="DD/MM/YYYY",
        key=f"meeting_since_{since_day.isoformat()}",
        help="Defaults to the day of the last review.",
    )
    if picked != review_id:
        if picked is None:
            st.query_params.pop("review", None)
        else:
            st.query_params["review"] = str(picked)
        st.query_params.pop("since", None)
        st.rerun()
    if chosen != since_day:
        st.query_params["since"] = chosen.isoformat()
        st.rerun()
    go.button(
        "Present",
        icon=":material/slideshow:",
        type="primary",
        on_click=_start_presenting,
        width="stretch",
    )
    st.caption(
        f"{len(shown.slides)} slides. Arrow keys or a presentation clicker (Page Up / Page "
        "Down) move between slides; F11 makes the browser full screen. The slide follows the "
        "data live: updates saved by anyone appear within seconds."
    )
    with st.expander("Start a review", icon=":material/add:"):
        review_forms.start_review_form(version, today)


# A meeting reads the first rows of a list; a whole large portfolio's month of changes would
# only slow the page down (filter the portfolio to see a narrower list in full).
TABLE_ROWS = 200


def _table(df: pd.DataFrame, columns: dict[str, str], empty: str) -> None:
    if df.empty:
        st.markdown(f"*{md(empty)}*")
        return
    if len(df) > TABLE_ROWS:
        st.caption(
            f"The first {TABLE_ROWS} of {len(df):,}; filter the portfolio in the sidebar to see "
            "fewer projects' changes in full."
        )
    shown_df = df.head(TABLE_ROWS)[list(columns)].rename(columns=columns)
    for column in shown_df.columns:  # one date format everywhere: 25 Nov 2026
        # A column holds one type (read from SQL): its first value tells.
        known = shown_df[column].dropna()
        if len(known) and isinstance(known.iloc[0], dt.date):
            shown_df[column] = shown_df[column].map(fmt_date)
    st.dataframe(shown_df, hide_index=True, width="stretch")


def what_changed() -> None:
    changes = shown.changes
    st.subheader(f"What changed since {fmt_date(changes.since)}")
    st.caption(
        f"Since {changes.basis}, up to {fmt_date(changes.until)}; from the history "
        "of status reports, risk assessments, milestone dates and the audit trail."
    )
    numbers = list(counts(changes).items())
    for row in (numbers[:6], numbers[6:]):
        for column, (label, n) in zip(st.columns(6), row, strict=True):
            column.metric(label, f"{n:,}")
    health = changes.health.assign(
        From=changes.health.from_rag.map(lambda r: f"{r} {RAG_LABELS[r]}"),
        To=changes.health.to_rag.map(lambda r: f"{r} {RAG_LABELS[r]}"),
    )
    st.markdown("#### Project health")
    _table(
        health,
        {
            "code": "Code",
            "name": "Project",
            "From": "From",
            "To": "To",
            "why": "Why",
            "to_date": "Reported on",
        },
        "No project changed health.",
    )
    st.markdown("#### Risks")
    risk_columns = {"code": "Code", "title": "Risk", "score": "Score", "band": "Band", "day": "On"}
    new, closed, moved = st.tabs(["New", "Closed", "Moved band"])
    with new:
        _table(changes.risks_new, risk_columns, "No new risks.")
    with closed:
        _table(changes.risks_closed, risk_columns, "No risk closed.")
    with moved:
        _table(
            changes.risks_band,
            {
                "code": "Code",
                "title": "Risk",
                "from_band": "From",
                "to_band": "To",
                "from_score": "Score before",
                "to_score": "Score now",
                "day": "Re-assessed",
            },
            "No risk moved band.",
        )
    st.markdown("#### Milestones")
    milestone_columns = {
        "code": "Code",
        "milestone": "Milestone",
        "kind": "Change",
        "from_forecast": "Forecast before",
        "to_forecast": "Forecast now",
        "moved_days": "Days moved",
        "actual_date": "Completed",
        "day": "Reported on",
        "reason": "Reason",
    }
    _table(changes.milestones, milestone_columns, "No milestone changed.")
    st.markdown("#### Gate decisions")
    decided = gate_data.gates_decided(version, changes.since, changes.until)
    decided = decided[decided.project_id.isin(_projects().id)]
    _table(
        decided.assign(decision=decided.decision.map(DECISION_LABELS)),
        {
            "code": "Code",
            "name": "Project",
            "gate": "Gate",
            "decision": "Decision",
            "decided_on": "Decided",
            "decided_by": "By",
            "reason": "Reason",
        },
        "No gate decided.",
    )
    st.markdown("#### Projects")
    opened, ended = st.columns(2)
    with opened:
        st.markdown("**New**")
        _table(
            changes.projects_new,
            {"code": "Code", "name": "Project", "day": "Created"},
            "No new project.",
        )
    with ended:
        st.markdown("**Closed**")
        _table(
            changes.projects_closed,
            {"code": "Code", "name": "Project", "status": "Status", "day": "On"},
            "No project closed.",
        )


def decisions_and_actions() -> None:
    review = shown.review
    if review is None:
        st.info(
            "Choose or start a review above to record decisions and actions.",
            icon=":material/info:",
        )
    else:
        st.subheader(f"Record in {review['title']}")
        decide, act = st.columns(2, gap="large")
        with decide:
            review_forms.decision_form(version, review, _projects(), None, key="page")
        with act:
            review_forms.action_form(
                version, review, _projects(), meeting_data.people(version), None, today, key="page"
            )
        st.subheader("Escalations to answer")
        answer_form(version, review, _open_escalations(None), key="page")
        st.subheader("Decided in this review")
        _table(
            meeting_data.decisions(version, review["id"]),
            {"code": "Code", "project": "Project", "title": "Decision", "description": "Details"},
            "No decision recorded yet.",
        )
    st.subheader("Open actions")
    review_forms.open_actions_list(version, meeting_data.actions(version, review_id), today)


def deck() -> None:
    st.subheader("Slides")
    titles = [f"{i}. {s.title}" for i, s in enumerate(shown.slides, start=1)]
    st.selectbox(
        "Start presenting at",
        range(1, len(titles) + 1),
        format_func=lambda i: titles[i - 1],
        key="meeting_start_slide",
    )
    st.subheader("Download the deck")
    st.caption(
        "The same slides as in the browser, one page per slide. In PowerPoint the charts are "
        "charts (change a bar, a label or a colour before sending) and the risk matrix a table."
    )
    files = (version, today, since, review_id, portfolio_filter)
    stem = f"portfolio-review-{today.isoformat()}"
    formats = (
        ("PowerPoint (.pptx)", "pptx", PPTX_MIME, ":material/slideshow:"),
        ("PDF", "pdf", "application/pdf", ":material/picture_as_pdf:"),
    )
    for index, (column, (label, ext, mime, icon)) in enumerate(
        zip(st.columns(2), formats, strict=True)
    ):
        column.download_button(
            label,
            # Rendered on click only (charts take seconds), then cached with the data version.
            data=fresh_download(lambda index=index: meeting_data.deck_files(*files)[index]),
            file_name=f"{stem}.{ext}",
            mime=mime,
            icon=icon,
            on_click="ignore",
        )
    with st.expander(
        "Your organisation's PowerPoint template", icon=":material/palette:", key="deck_template"
    ):
        review_forms.deck_template_form(version)


if st.query_params.get("present") == "1":
    present()
else:
    header()
    tabs_drawn_when_open(
        {
            "What changed": what_changed,
            "Decisions and actions": decisions_and_actions,
            "Slide deck": deck,
        }
    )
