"""Forms of the gates: submit with evidence (PM), decide (approvers), choose a lifecycle, and
a PMO admin's recorded exception.

Each form shows every problem under its field, keeps what was typed (the widgets keep their
keys until a save succeeds) and writes nothing partial. A gate decided by someone else in the
meantime is refused and said so.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
import streamlit as st

from components.access.session import current_actor
from components.common.data import Version
from components.common.safe_text import md_escape
from components.gates import actions
from components.gates import data as gdata
from data_access.core.db import DatabaseUnavailable, session_scope
from data_access.core.writes import ValidationFailed, WriteError
from data_access.gates import commands
from domain.gates import DECISION_LABELS

log = logging.getLogger("pmo")
CONDITION_ROWS = 3
# Fields of the gate forms a refusal can name; anything else is said above the form.
FIELDS = ("note", "decision", "reason", "conditions", "next_due")
UNREACHABLE = "The database cannot be reached right now; nothing was saved. Try again in a moment."


def _generation(form: str) -> int:
    return st.session_state.setdefault(f"{form}_generation", 0)


def _done(form: str, message: str) -> None:
    """After a save: empty the form (new widget keys) and say what happened on the next run."""
    st.session_state[f"{form}_generation"] = _generation(form) + 1
    st.session_state["gates_toast"] = message
    st.rerun()


def show_outcome() -> None:
    """The last save's outcome: done, or refused because someone decided meanwhile."""
    message = st.session_state.pop("gates_toast", None)
    if message:
        st.success(md_escape(message), icon=":material/check_circle:")
    warning = st.session_state.pop("gates_warning", None)
    if warning:
        st.warning(md_escape(warning), icon=":material/sync_problem:")


def _run(slots: dict[str, Any], write: Callable[[], Any]) -> Any:
    """Run a write; each refusal goes under its field, or above the form. None if refused."""
    try:
        return write()
    except ValidationFailed as exc:
        loose = []
        for field, message in exc.errors.items():
            if field in slots:
                slots[field].error(md_escape(message), icon=":material/error:")
            else:
                loose.append(f"{field.replace('_', ' ')}: {message}" if field else message)
        if loose:
            st.error(md_escape("\n\n".join(loose)), icon=":material/error:")
    except WriteError as exc:  # permission, conflict, not found: said in words
        st.error(md_escape(str(exc)), icon=":material/block:")
    except (DatabaseUnavailable, sa.exc.OperationalError):
        log.exception("gate save failed: database unreachable")
        st.error(UNREACHABLE, icon=":material/cloud_off:")
    return None


# --- the project manager submits -----------------------------------------------------------


def submit_form(version: Version, today: dt.date, project_id: int, lifecycle: dict, phase: dict):
    """Submit the current phase's gate with the evidence its attested criteria ask for."""
    form = f"gate_submit_{project_id}"
    gen = _generation(form)
    problem = _problems(form)
    attested = [c["id"] for c in phase["criteria"] if c["kind"] == "attested"]
    with st.form(f"{form}_{gen}"):
        st.markdown(f"**Submit the gate: {md_escape(phase['gate'])}**")
        problem("")
        for c in phase["criteria"]:
            if c["kind"] != "attested":
                continue
            need = "required" if c.get("must", True) else "optional"
            st.markdown(f"*Evidence for:* {md_escape(c['label'])} ({need})")
            left, right = st.columns(2)
            left.text_input(
                "Link", key=f"{form}_{gen}_{c['id']}_link", placeholder="https://…", max_chars=2000
            )
            right.file_uploader("or a file", key=f"{form}_{gen}_{c['id']}_file")
            st.text_input(
                "Comment",
                key=f"{form}_{gen}_{c['id']}_comment",
                max_chars=4000,
                placeholder="What the evidence shows",
            )
            problem(f"evidence.{c['id']}")
        st.text_area("Note to the approvers", key=f"{form}_{gen}_note", max_chars=4000)
        problem("note")
        st.form_submit_button(
            "Submit for decision",
            type="primary",
            on_click=_submit,
            args=(version[0], today, project_id, int(lifecycle["version"]), attested, form, gen),
        )


def _submit(url, today, project_id, lifecycle_version, attested, form, gen) -> None:
    """The submit button's callback: the evidence typed, checked and saved with the gate."""
    state, prefix = st.session_state, f"{form}_{gen}"
    evidence = []
    for cid in attested:
        link = state.get(f"{prefix}_{cid}_link") or ""
        upload = state.get(f"{prefix}_{cid}_file")
        comment = state.get(f"{prefix}_{cid}_comment") or ""
        if link.strip() or upload or comment.strip():
            evidence.append(
                {
                    "criterion_id": cid,
                    "link": link,
                    "comment": comment,
                    "file_name": upload.name if upload else "",
                    "content": upload.getvalue() if upload else None,
                }
            )
    _save(
        form,
        gen,
        lambda: actions.submit(
            url,
            project_id,
            note=state.get(f"{prefix}_note") or "",
            evidence=evidence,
            on=today,
            expected_version=lifecycle_version,
            actor=current_actor(),
        ),
        "Gate submitted. The approvers are asked to decide.",
    )


def _problems(form: str) -> Callable[[str], None]:
    """Draws the last save's problem with `field` (\"\" for the whole form), if any."""
    errors = st.session_state.get(f"{form}_errors", {})

    def problem(field: str) -> None:
        if field in errors:
            st.error(md_escape(errors[field]), icon=":material/error:")

    return problem


def _save(form: str, gen: int, write: Callable[[], Any], message: str) -> None:
    """Run a form's save in its button's callback. Problems with what was typed go under the
    fields (the form keeps it); a refusal for another reason (decided or submitted meanwhile,
    no permission, database away) is said above the form, which the page may no longer show."""
    state = st.session_state
    state.pop(f"{form}_errors", None)
    try:
        write()
    except ValidationFailed as exc:
        fields = {
            f if f.startswith(("evidence.", "conditions.")) or f in FIELDS else "": m
            for f, m in exc.errors.items()
        }
        state[f"{form}_errors"] = fields
    except WriteError as exc:  # decided meanwhile, already submitted, permission, not found
        state["gates_warning"] = str(exc)
    except (DatabaseUnavailable, sa.exc.OperationalError):
        log.exception("gate save failed: database unreachable")
        state["gates_warning"] = UNREACHABLE
    else:
        state[f"{form}_generation"] = gen + 1
        state["gates_toast"] = message


# --- an approver decides ---------------------------------------------------------------------


def decide_form(version: Version, today: dt.date, gate: dict, key: str) -> None:
    """Go, Go with conditions, Hold, Recycle or Stop, with a reason; conditions become actions.

    The decision is saved in the button's callback, before the page is drawn again: when
    another approver decided meanwhile the page no longer offers this gate, and the callback
    still tells this approver so instead of dropping what they chose.
    """
    form = f"gate_decide_{key}_{gate['id']}"
    gen = _generation(form)
    people = gdata.condition_owners(version, int(gate["project_id"]))
    names = dict(zip(people.id.astype(int), people.name, strict=True))

    problem = _problems(form)
    with st.form(f"{form}_{gen}"):
        problem("")
        problem("conditions")
        st.radio(
            "Decision",
            list(DECISION_LABELS),
            index=None,
            format_func=DECISION_LABELS.get,
            horizontal=True,
            key=f"{form}_{gen}_decision",
        )
        problem("decision")
        st.text_area("Reason", key=f"{form}_{gen}_reason", max_chars=4000)
        problem("reason")
        st.markdown("*Conditions (Go with conditions only): each becomes an action.*")
        for i in range(CONDITION_ROWS):
            title_col, owner_col, due_col = st.columns([3, 2, 1])
            title_col.text_input(
                f"Condition {i + 1}", key=f"{form}_{gen}_c{i}_title", max_chars=200
            )
            owner_col.selectbox(
                "Owner",
                list(names),
                index=None,
                format_func=names.get,
                key=f"{form}_{gen}_c{i}_owner",
                placeholder="Who owns it",
            )
            due_col.date_input("Due", value=None, key=f"{form}_{gen}_c{i}_due", format="YYYY-MM-DD")
            for field in ("title", "owner_id", "due_date"):
                problem(f"conditions.{i}.{field}")
        st.date_input(
            "Hold or Recycle: decide again on (optional)",
            value=None,
            key=f"{form}_{gen}_next",
            format="YYYY-MM-DD",
        )
        problem("next_due")
        plain_gate = {
            "id": int(gate["id"]),
            "version": int(gate["version"]),
            "code": gate.get("code", ""),
        }
        st.form_submit_button(
            "Record the decision",
            type="primary",
            on_click=_decide,
            args=(version[0], today, plain_gate, form, gen),
        )


def _decide(url: str, today: dt.date, gate: dict, form: str, gen: int) -> None:
    """The decide button's callback: save, and leave the outcome for the next drawing."""
    state, prefix = st.session_state, f"{form}_{gen}"
    rows = [
        {
            "title": state.get(f"{prefix}_c{i}_title") or "",
            "owner_id": state.get(f"{prefix}_c{i}_owner"),
            "due_date": state.get(f"{prefix}_c{i}_due"),
        }
        for i in range(CONDITION_ROWS)
    ]
    decision = state.get(f"{prefix}_decision")
    # Rows left empty are not conditions; a row partly filled is checked whole.
    conditions = [r for r in rows if r["title"].strip() or r["owner_id"] or r["due_date"]]
    where = f" for {gate['code']}" if gate["code"] else ""
    _save(
        form,
        gen,
        lambda: actions.decide(
            url,
            gate["id"],
            actor=current_actor(),
            decision=decision,
            reason=state.get(f"{prefix}_reason") or "",
            conditions=conditions,
            on=today,
            expected_version=gate["version"],
            next_due=state.get(f"{prefix}_next"),
        ),
        f"Decision recorded: {DECISION_LABELS.get(decision, '')}{where}.",
    )


# --- lifecycle: choose one, or a PMO admin's exception ----------------------------------------


def assign_form(version: Version, today: dt.date, project_id: int) -> None:
    form = f"gate_assign_{project_id}"
    gen = _generation(form)
    available = gdata.templates(version)
    available = available[available.status == "active"]
    labels = dict(
        zip(
            available.id.astype(int),
            available.name + " (rev. " + available.revision.astype(str) + ")",
            strict=True,
        )
    )
    with st.form(f"{form}_{gen}"):
        chosen = st.selectbox(
            "Lifecycle template",
            list(labels),
            index=None,
            format_func=labels.get,
            key=f"{form}_{gen}_template",
            placeholder="Choose a template",
        )
        slots = {"template_id": st.empty()}
        submitted = st.form_submit_button("Follow this lifecycle", type="primary")
    if submitted and _run(slots, lambda: _assign(version, project_id, chosen, today)) is not None:
        _done(form, "The project now follows its lifecycle.")


def _assign(version: Version, project_id: int, template_id: int | None, today: dt.date) -> int:
    with session_scope(version[0]) as session:
        return commands.assign_template(
            project_id, template_id, on=today, session=session, actor=current_actor()
        )


def exception_form(version: Version, today: dt.date, project_id: int, lifecycle: dict) -> None:
    """Put the project in another phase (or template revision) without a gate, with a reason."""
    form = f"gate_exception_{project_id}"
    gen = _generation(form)
    all_templates = gdata.templates(version)
    revisions = all_templates[all_templates.key == lifecycle["template_key"]]
    rev_labels = dict(
        zip(revisions.id.astype(int), "Revision " + revisions.revision.astype(str), strict=True)
    )
    with st.form(f"{form}_{gen}"):
        template_id = st.selectbox(
            "Template revision",
            list(rev_labels),
            format_func=rev_labels.get,
            index=list(rev_labels).index(int(lifecycle["template_id"])),
            key=f"{form}_{gen}_template",
        )
        slots: dict[str, Any] = {"template_id": st.empty()}
        phases = gdata.template(version, int(template_id))["phases"]
        index = st.selectbox(
            "Phase",
            list(range(len(phases))),
            format_func=lambda i: phases[i]["name"],
            index=min(int(lifecycle["phase_index"]), len(phases) - 1),
            key=f"{form}_{gen}_phase",
        )
        slots["phase_index"] = st.empty()
        reason = st.text_area(
            "Reason for the exception", key=f"{form}_{gen}_reason", max_chars=4000
        )
        slots["reason"] = st.empty()
        submitted = st.form_submit_button("Record the exception")
    if not submitted:
        return

    def write():
        with session_scope(version[0]) as session:
            return commands.phase_exception(
                project_id,
                template_id=int(template_id),
                phase_index=int(index),
                reason=reason,
                on=today,
                expected_version=int(lifecycle["version"]),
                session=session,
                actor=current_actor(),
            )

    if _run(slots, write) is not None:
        _done(form, "Exception recorded: the project's phase was changed.")


# --- the template library (PMO admin) ---------------------------------------------------------


def template_admin(version: Version, template: dict) -> None:
    """Copy a template, edit its guidance (a new revision), retire or delete it."""
    tid = int(template["id"])
    form = f"template_{tid}"
    gen = _generation(form)
    phases = gdata.template(version, tid)["phases"]
    with st.form(f"{form}_{gen}_revise"):
        st.markdown("**Edit (saved as a new revision; projects keep theirs)**")
        guidance = [
            st.text_area(
                f"Guidance: {md_escape(p['name'])}",
                p["guidance"],
                key=f"{form}_{gen}_g{i}",
                max_chars=4000,
            )
            for i, p in enumerate(phases)
        ]
        slots: dict[str, Any] = {"phases": st.empty(), "name": st.empty()}
        revise = st.form_submit_button("Save as a new revision")
    if revise:
        changed = [{**p, "guidance": g} for p, g in zip(phases, guidance, strict=True)]
        if (
            _run(
                slots,
                lambda: _with(
                    version,
                    commands.revise_template,
                    tid,
                    {"phases": changed},
                    expected_version=int(template["version"]),
                ),
            )
            is not None
        ):
            _done(form, f"New revision of {template['name']} saved.")
    with st.form(f"{form}_{gen}_copy"):
        st.markdown("**Copy as a new template**")
        key = st.text_input(
            "Key", key=f"{form}_{gen}_key", max_chars=60, placeholder="e.g. agile-it"
        )
        slots = {"key": st.empty()}
        name = st.text_input("Name", key=f"{form}_{gen}_name", max_chars=200)
        slots["name"] = st.empty()
        copy = st.form_submit_button("Copy")
    if (
        copy
        and _run(
            slots, lambda: _with(version, commands.copy_template, tid, {"key": key, "name": name})
        )
        is not None
    ):
        _done(form, f"Template copied: {name}.")
    buttons = st.container(horizontal=True)
    retired = template["status"] == "retired"
    version_now = int(template["version"])
    if buttons.button("Bring back" if retired else "Retire", key=f"{form}_{gen}_retire"):
        status = "active" if retired else "retired"
        _library_write(
            version,
            form,
            commands.set_template_status,
            tid,
            status,
            expected_version=version_now,
            message=f"{template['name']} is now {status}.",
        )
    in_use = bool(template["projects"])
    if buttons.button(
        "Delete",
        key=f"{form}_{gen}_delete",
        disabled=in_use,
        help="A template in use can only be retired" if in_use else None,
    ):
        _library_write(
            version,
            form,
            commands.delete_template,
            tid,
            expected_version=version_now,
            message=f"{template['name']} deleted.",
        )


def _library_write(version: Version, form: str, write: Callable, *args, message: str, **kw):
    if _run({}, lambda: _with(version, write, *args, **kw)) is not None:
        _done(form, message)


def _with(version: Version, write: Callable, *args, **kwargs):
    """Run one library write in its own session as the signed-in person."""
    with session_scope(version[0]) as session:
        return write(*args, session=session, actor=current_actor(), **kwargs) or True
