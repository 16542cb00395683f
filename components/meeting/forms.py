"""Forms of the review: start it, record a decision or an action, close actions.

Every form shows all its problems at once beside the fields, keeps what was typed, and writes
nothing partial (the write functions validate and commit in one transaction). After a save
the form is emptied by giving its widgets new keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import pandas as pd
import streamlit as st

from components.access.session import current_actor, is_admin
from components.common.data import Version
from components.meeting import data as meeting_data
from components.meeting.slides import md
from data_access.core.db import session_scope
from data_access.core.writes import ConflictError, ValidationFailed, WriteError
from data_access.meeting import deck_template as deck_templates
from data_access.meeting import reviews
from deck import template
from domain.formatting import fmt_date
from domain.slides import plain

DUE_IN_DAYS = 14


def _generation(form: str) -> int:
    return st.session_state.setdefault(f"{form}_generation", 0)


def _saved(form: str, message: str) -> None:
    st.session_state[f"{form}_generation"] = _generation(form) + 1
    st.session_state["meeting_toast"] = md(message)
    st.rerun()


def _write(url: str, slots: dict[str, st.delta_generator.DeltaGenerator], write: Callable):
    """Run a write; on refusal put each message beside its field. Returns the result or None."""
    try:
        with session_scope(url) as session:
            return write(session)
    except ValidationFailed as exc:
        general = []
        for field, message in exc.errors.items():
            if field in slots:
                slots[field].error(md(message), icon=":material/error:")
            else:
                general.append(f"{field.replace('_', ' ')}: {message}" if field else message)
        if general:
            st.error("\n\n".join(md(g) for g in general), icon=":material/error:")
    except WriteError as exc:  # permission, conflict, not found: said in words
        st.error(md(exc), icon=":material/block:")
    return None


def start_review_form(version: Version, today: dt.date) -> int | None:
    """A dated review record; returns its id once saved."""
    key = f"start_review_{_generation('start_review')}"
    with st.form(key):
        title = st.text_input("Title", value=f"Portfolio review {fmt_date(today)}", max_chars=200)
        slots = {"title": st.empty()}
        held_on = st.date_input("Held on", value=today, format="DD/MM/YYYY")
        slots["held_on"] = st.empty()
        notes = st.text_area("Notes", max_chars=4000, placeholder="Optional")
        slots["notes"] = st.empty()
        submitted = st.form_submit_button("Start the review", type="primary")
    if not submitted:
        return None
    data = {"title": title, "held_on": held_on, "notes": notes}
    new_id = _write(
        version[0],
        slots,
        lambda s: reviews.create_review(data, session=s, actor=current_actor()),
    )
    if new_id is not None:
        st.query_params["review"] = str(new_id)
        st.query_params.pop("since", None)
        _saved("start_review", f"Review started: {title}")
    return new_id


def _project_picker(projects: pd.DataFrame, project_id: int | None, key: str, *, optional=False):
    ids = projects.id.astype(int).tolist()
    labels = dict(zip(ids, projects.code + " · " + projects.name, strict=True))
    options = ([None] if optional else []) + ids
    index = options.index(project_id) if project_id in options else None
    return st.selectbox(
        "Project",
        options,
        index=index,
        format_func=lambda i: "None: portfolio-wide" if i is None else labels[i],
        key=key,
        placeholder="Choose the project",
    )


def _record(version: Version, form: str, slots, write: Callable, data: dict, review, what):
    """Write a decision or an action of the review; on success empty the form and say so."""
    saved = _write(
        version[0],
        slots,
        lambda s: write(data, review_id=review["id"], session=s, actor=current_actor()),
    )
    if saved is not None:
        _saved(form, f"{what} recorded: {data['title']}")


def decision_form(
    version: Version, review: dict, projects: pd.DataFrame, project_id: int | None, key: str
) -> None:
    """Record a decision taken in the review against a project."""
    form = f"decision_{key}"
    gen = _generation(form)
    with st.form(f"{form}_{gen}"):
        chosen = _project_picker(projects, project_id, f"{form}_project_{gen}")
        slots = {"project_id": st.empty()}
        title = st.text_input("Decision", max_chars=200, placeholder="What was decided")
        slots["title"] = st.empty()
        details = st.text_area("Details", max_chars=4000, placeholder="Optional")
        slots["description"] = st.empty()
        submitted = st.form_submit_button("Record the decision", type="primary")
    if submitted:
        data = {"project_id": chosen, "title": title, "description": details}
        _record(version, form, slots, reviews.record_decision, data, review, "Decision")


def action_form(
    version: Version,
    review: dict,
    projects: pd.DataFrame,
    people: pd.DataFrame,
    project_id: int | None,
    today: dt.date,
    key: str,
) -> None:
    """Record an action with an owner and a due date; it stays open until closed."""
    form = f"action_{key}"
    gen = _generation(form)
    names = dict(zip(people.id.astype(int), people.name, strict=True))
    with st.form(f"{form}_{gen}"):
        chosen = _project_picker(projects, project_id, f"{form}_project_{gen}", optional=True)
        slots = {"project_id": st.empty()}
        title = st.text_input("Action", max_chars=200, placeholder="What is to be done")
        slots["title"] = st.empty()
        owner = st.selectbox(
            "Owner", list(names), index=None, format_func=names.get, placeholder="Who owns it"
        )
        slots["owner_id"] = st.empty()
        due = st.date_input(
            "Due", value=today + dt.timedelta(days=DUE_IN_DAYS), format="DD/MM/YYYY"
        )
        slots["due_date"] = st.empty()
        submitted = st.form_submit_button("Record the action", type="primary")
    if submitted:
        data = {"project_id": chosen, "title": title, "owner_id": owner, "due_date": due}
        _record(version, form, slots, reviews.create_action, data, review, "Action")


def open_actions_list(version: Version, actions: pd.DataFrame, today: dt.date) -> None:
    """Open actions, overdue ones marked; tick rows and mark them done (each refused with the
    news if someone else changed it meanwhile)."""
    if refused := st.session_state.pop("actions_refused", None):
        st.warning(md(refused), icon=":material/sync_problem:")
    open_ = actions[actions.status == "open"].reset_index(drop=True)
    if open_.empty:
        st.markdown("*No open actions.*")
        return
    late = open_.due_date.map(lambda d: d is not None and not pd.isna(d) and d < today)
    table = pd.DataFrame(
        {
            "Project": open_.code.fillna(""),
            "Action": open_.title,
            "Owner": open_.owner.map(lambda o: plain(o) or "no owner"),
            "Due": open_.due_date.map(fmt_date),
            "Overdue": late.map({True: "overdue", False: ""}),
        }
    )
    # One table, not a row of widgets per action: a review carries over a hundred open actions.
    # The key names the rows shown, so a ticked row never points at another action after
    # someone else's change.
    shown = hashlib.sha1(open_[["id", "version"]].to_numpy("int64").tobytes()).hexdigest()[:12]
    picked = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="multi-row",
        key=f"open_actions_{shown}",
    )
    rows = picked.selection.rows
    st.caption(f"{len(open_):,} open, {int(late.sum()):,} overdue. Tick the ones done.")
    if st.button(
        f"Mark {len(rows)} done" if rows else "Mark done",
        disabled=not rows,
        icon=":material/check:",
        key="close_actions",
    ):
        _close(version, open_.iloc[rows], today)


def _close(version: Version, chosen: pd.DataFrame, today: dt.date) -> None:
    """Close each chosen action in its own transaction; say which could not be closed."""
    closed, refused = 0, []
    for action in chosen.itertuples():
        try:
            with session_scope(version[0]) as session:
                reviews.close_action(
                    int(action.id),
                    closed_on=today,
                    expected_version=int(action.version),
                    session=session,
                    actor=current_actor(),
                )
            closed += 1
        except ConflictError as exc:
            refused.append(f"{action.title}: {exc} Now: {exc.current.get('status')}.")
        except WriteError as exc:
            refused.append(f"{action.title}: {exc}")
    # Said after the rerun that shows the table as it now is.
    if refused:
        st.session_state["actions_refused"] = "\n\n".join(refused)
    if closed:
        st.session_state["meeting_toast"] = f"{closed} action{'s' * (closed > 1)} closed."
    st.rerun()


def deck_template_form(version: Version) -> None:
    """The organisation's PowerPoint template (PMO admin): upload, or back to the default look.
    A file that cannot serve is refused with the reason under the upload and nothing is saved."""
    current = meeting_data.deck_template(version)
    active = current["id"] if current else None
    if current:
        st.write(
            f"Decks are built on **{md(current['name'])}** ({current['size'] / 1024:,.0f} KB)."
        )
    else:
        st.write(
            "Decks use the app's own look. Upload your organisation's template to use its "
            "slide master, fonts, colours and logo."
        )
    if not is_admin():
        st.caption("A PMO admin can change the template.")
        return
    form = "deck_template"
    upload = st.file_uploader(
        "Template (.pptx or .potx, 16:9, at most 20 MB)",
        type=["pptx", "potx"],
        key=f"{form}_{_generation(form)}",
        max_upload_size=deck_templates.MAX_BYTES // (1024 * 1024),
    )
    slot = st.empty()
    left, right = st.columns(2)
    if left.button("Use this template", disabled=upload is None, icon=":material/upload:"):
        content = upload.getvalue()
        try:
            info = template.check(content)
        except template.TemplateError as exc:
            slot.error(f"**{md(upload.name)}** cannot be used: {md(exc)}.", icon=":material/error:")
            return
        saved = _write(
            version[0],
            {"file": slot, "name": slot},
            lambda session: deck_templates.upload_template(
                upload.name, content, expected_active=active, session=session,
                actor=current_actor(),
            ),
        )  # fmt: skip
        if saved:
            _saved(form, f"Decks now use {upload.name} (pages on its layout “{info.used}”).")
    if not (current and right.button("Back to the default look", icon=":material/undo:")):
        return
    retired = _write(
        version[0],
        {},
        lambda session: deck_templates.use_default_look(
            expected_active=active, session=session, actor=current_actor()
        ),
    )
    if retired is not None:
        _saved(form, "Decks use the app's own look again.")
