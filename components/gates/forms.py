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
from data_access.core.models import NAME_MAX, PHASES, TEXT_MAX, URL_MAX
from data_access.core.writes import ValidationFailed, WriteError
from data_access.gates import commands
from domain.gates import APPROVER_LABELS, CHECK_LABELS, CRITERION_KIND_LABELS, DECISION_LABELS

log = logging.getLogger("pmo")
CONDITION_ROWS = 3
# Fields of the gate forms a refusal can name; anything else is said above the form.
FIELDS = ("note", "lessons", "decision", "reason", "conditions", "next_due", "phases")
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
        problem("lessons")
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
            f if f.startswith(("evidence.", "conditions.", "phases.")) or f in FIELDS else "": m
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
    """Copy a template, retire or delete it (editing it is `template_editor`)."""
    tid = int(template["id"])
    form = f"template_{tid}"
    gen = _generation(form)
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


# --- the template editor (PMO admin) ----------------------------------------------------------
#
# Phases and criteria are kept in the session under ids of their own, not their position, so
# moving or removing one keeps what was typed in the others; a refused save shows each problem
# by its field and keeps everything typed.

NEW_PHASE = {
    "name": "",
    "stage": "Execution",
    "weeks": 8,
    "guidance": "",
    "deliverables": [],
    "links": [],
    "gate": "",
    "approvers": ["pmo"],
    "criteria": [],
}
NEW_CRITERION = {"id": "", "kind": "attested", "check": None, "label": "", "must": True}
# Fields typed as one item a line: a problem with an item is said by the field, naming it.
LINE_FIELDS = ("deliverables", "links", "approvers")


def template_editor(version: Version, template: dict) -> None:
    """Edit a template's phases and their gates, saved as a new revision (projects keep theirs)."""
    tid = int(template["id"])
    form = f"template_edit_{tid}"
    gen = _generation(form)
    prefix, state = f"{form}_{gen}", st.session_state
    order = state.get(f"{prefix}_order")
    # Loaded once; again after another template was edited, which dropped these widgets' values.
    if order is None or (order and f"{prefix}_{order[0]}_name" not in state):
        _load_phases(prefix, gdata.template(version, tid)["phases"])
    problem = _problems(form)
    problem("")
    problem("phases")
    order = state[f"{prefix}_order"]
    errors = state.get(f"{form}_errors", {})
    for i, uid in enumerate(order):
        wrong = any(f.startswith(f"phases.{uid}.") for f in errors)
        _phase_editor(prefix, uid, i, len(order), problem, wrong)
    buttons = st.container(horizontal=True)
    buttons.button(
        "Add a phase", key=f"{prefix}_add", icon=":material/add:", on_click=_add, args=(prefix,)
    )
    buttons.button(
        "Save as a new revision",
        key=f"{prefix}_save",
        type="primary",
        on_click=_revise,
        args=(version[0], tid, int(template["version"]), template["name"], form, gen),
    )


def _uid(prefix: str, letter: str) -> str:
    """An id for a phase or criterion row, never reused within the editor."""
    count = st.session_state.get(f"{prefix}_count", 0) + 1
    st.session_state[f"{prefix}_count"] = count
    return f"{letter}{count}"


def _load_phases(prefix: str, phases: list[dict]) -> None:
    st.session_state[f"{prefix}_order"] = [_load_phase(prefix, p) for p in phases]


def _load_phase(prefix: str, phase: dict) -> str:
    state, uid = st.session_state, _uid(prefix, "p")
    key = f"{prefix}_{uid}"
    for field in ("name", "stage", "weeks", "guidance", "gate"):
        state[f"{key}_{field}"] = phase[field]
    state[f"{key}_deliverables"] = "\n".join(phase["deliverables"])
    state[f"{key}_links"] = "\n".join(phase["links"])
    state[f"{key}_approvers"] = list(phase["approvers"])
    state[f"{key}_criteria"] = [_load_criterion(prefix, c) for c in phase["criteria"]]
    # The phase as loaded: a title that changed as the name is typed would close the expander.
    state[f"{key}_title"] = (
        f"{phase['name']} · {phase['stage']}, {phase['weeks']} weeks · gate: {phase['gate']}"
        if phase["name"]
        else "New phase"
    )
    return uid


def _load_criterion(prefix: str, criterion: dict) -> str:
    state, cid = st.session_state, _uid(prefix, "c")
    for field in ("id", "kind", "label", "must"):
        state[f"{prefix}_{cid}_{field}"] = criterion[field]
    state[f"{prefix}_{cid}_check"] = criterion["check"] or None  # the selectbox's "none yet"
    return cid


def _add(prefix: str, uid: str | None = None) -> None:
    """Add a phase at the end, or a criterion to the phase `uid`."""
    state = st.session_state
    if uid is None:
        new = _load_phase(prefix, NEW_PHASE)
        state[f"{prefix}_order"] = [*state[f"{prefix}_order"], new]
        state[f"{prefix}_{new}_open"] = True
    else:
        rows = f"{prefix}_{uid}_criteria"
        state[rows] = [*state[rows], _load_criterion(prefix, NEW_CRITERION)]


def _move(key: str, item: str, step: int) -> None:
    """Move `item` in the list at `key` by `step` places; step 0 removes it."""
    items = list(st.session_state[key])
    at = items.index(item)
    items.pop(at)
    if step:
        items.insert(at + step, item)
    st.session_state[key] = items


def _phase_editor(prefix: str, uid: str, i: int, count: int, problem, wrong: bool) -> None:
    state, key = st.session_state, f"{prefix}_{uid}"
    state.setdefault(f"{key}_open", False)
    with st.expander(
        md_escape(state[f"{key}_title"]),
        key=f"{key}_open",
        on_change="rerun",
        icon=":material/error:" if wrong else None,
    ):
        name, stage, weeks = st.columns([3, 2, 1])
        with name:
            st.text_input("Phase name", key=f"{key}_name", max_chars=NAME_MAX)
            problem(f"phases.{uid}.name")
        with stage:
            st.selectbox("Stage shown in the portfolio", PHASES, key=f"{key}_stage")
            problem(f"phases.{uid}.stage")
        with weeks:
            st.number_input("Planned weeks", min_value=1, max_value=260, step=1, key=f"{key}_weeks")
            problem(f"phases.{uid}.weeks")
        st.text_area(
            "Guidance for the project manager",
            key=f"{key}_guidance",
            max_chars=TEXT_MAX,
            help="What to do in this phase and which documents to write.",
        )
        problem(f"phases.{uid}.guidance")
        deliverables, links = st.columns(2)
        with deliverables:
            st.text_area("Required deliverables (one a line)", key=f"{key}_deliverables")
            problem(f"phases.{uid}.deliverables")
        with links:
            st.text_area(
                "Links to the PMO's templates and training (one a line)",
                key=f"{key}_links",
                max_chars=URL_MAX * 10,
                placeholder="https://…",
            )
            problem(f"phases.{uid}.links")
        gate, approvers = st.columns(2)
        with gate:
            st.text_input("Gate at the end of the phase", key=f"{key}_gate", max_chars=NAME_MAX)
            problem(f"phases.{uid}.gate")
        with approvers:
            _choice(st.multiselect, "Who decides the gate", APPROVER_LABELS, f"{key}_approvers")
            problem(f"phases.{uid}.approvers")
        st.markdown("**Gate criteria**")
        st.caption("A *must* criterion has to be met for a Go; the others should be.")
        problem(f"phases.{uid}.criteria")
        for n, cid in enumerate(state[f"{key}_criteria"]):
            _criterion_row(prefix, uid, cid, n == 0, problem)
        tools = st.container(horizontal=True)
        tools.button(
            "Add a criterion",
            key=f"{key}_add",
            icon=":material/add:",
            on_click=_add,
            args=(prefix, uid),
        )
        order = f"{prefix}_order"
        for text, step, icon, off in (
            ("Move up", -1, "arrow_upward", i == 0),
            ("Move down", 1, "arrow_downward", i == count - 1),
            ("Remove this phase", 0, "delete", False),
        ):
            tools.button(
                text,
                key=f"{key}_move{step}",
                icon=f":material/{icon}:",
                disabled=off,
                on_click=_move,
                args=(order, uid, step),
            )


def _criterion_row(prefix: str, uid: str, cid: str, first: bool, problem) -> None:
    key, where = f"{prefix}_{cid}", f"phases.{uid}.criteria.{cid}"
    shown = "visible" if first else "collapsed"
    kind, check, label, must, remove = st.columns(
        [2.5, 3, 3.5, 1, 0.6], vertical_alignment="bottom" if first else "top"
    )
    _choice(kind.selectbox, "Kind", CRITERION_KIND_LABELS, f"{key}_kind", label_visibility=shown)
    with check:
        _choice(
            st.selectbox,
            "Check the app runs",
            CHECK_LABELS,
            f"{key}_check",
            placeholder="Choose a check",
            disabled=st.session_state[f"{key}_kind"] != "auto",
            label_visibility=shown,
        )
        problem(f"{where}.check")
    with label:
        st.text_input("Criterion", key=f"{key}_label", max_chars=NAME_MAX, label_visibility=shown)
        problem(f"{where}.label")
        problem(f"{where}.id")
        problem(where)
    must.checkbox("Must", key=f"{key}_must")
    remove.button(
        ":material/delete:",
        key=f"{key}_remove",
        help="Remove this criterion",
        type="tertiary",
        on_click=_move,
        args=(f"{prefix}_{uid}_criteria", cid, 0),
    )


def _choice(widget: Callable, label: str, labels: dict[str, str], key: str, **options) -> None:
    """A choice among `labels`' keys, each shown in its words."""
    widget(label, list(labels), format_func=labels.get, key=key, **options)


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _typed_phase(prefix: str, uid: str) -> dict:
    """A phase as typed, in the shape the template stores."""
    state, key = st.session_state, f"{prefix}_{uid}"
    criteria = []
    for cid in state[f"{key}_criteria"]:
        row = f"{prefix}_{cid}"
        kind, check = state[f"{row}_kind"], state.get(f"{row}_check") or ""
        label = state[f"{row}_label"] or ""
        criteria.append(
            {
                "id": state[f"{row}_id"],
                "kind": kind,
                "check": check if kind == "auto" else "",
                # A check chosen without words of its own reads as the check.
                "label": label if label.strip() or kind != "auto" else CHECK_LABELS.get(check, ""),
                "must": bool(state[f"{row}_must"]),
            }
        )
    return {
        "name": state[f"{key}_name"] or "",
        "stage": state[f"{key}_stage"],
        "weeks": state[f"{key}_weeks"],
        "guidance": state[f"{key}_guidance"] or "",
        "deliverables": _lines(state[f"{key}_deliverables"]),
        "links": _lines(state[f"{key}_links"]),
        "gate": state[f"{key}_gate"] or "",
        "approvers": list(state[f"{key}_approvers"]),
        "criteria": criteria,
    }


def _by_field(errors: dict[str, str], prefix: str, phases: list[dict]) -> dict[str, str]:
    """The server's problems (phases.<position>...) keyed by the editor's rows, so each shows by
    its field even after phases were moved; a bad item of a list is named under the list."""
    state, order = st.session_state, st.session_state[f"{prefix}_order"]
    out: dict[str, str] = {}
    for field, message in errors.items():
        parts = field.split(".")
        if parts[0] != "phases" or len(parts) < 3 or not parts[1].isdigit():
            out[field] = message
            continue
        i, name, rest = int(parts[1]), parts[2], parts[3:]
        uid = order[i]
        if name in LINE_FIELDS and rest:
            item = phases[i][name][int(rest[0])]
            key = f"phases.{uid}.{name}"
            said = f"“{item}”: {message}"
            out[key] = f"{out[key]}\n\n{said}" if key in out else said
        elif name == "criteria" and rest:
            cid = state[f"{prefix}_{uid}_criteria"][int(rest[0])]
            out[".".join(["phases", uid, "criteria", cid, *rest[1:]])] = message
        else:
            out[f"phases.{uid}.{name}"] = message
    return out


def _revise(url: str, tid: int, expected_version: int, name: str, form: str, gen: int) -> None:
    """The save button's callback: the phases as typed, checked and saved as a new revision."""
    state, prefix = st.session_state, f"{form}_{gen}"
    phases = [_typed_phase(prefix, uid) for uid in state[f"{prefix}_order"]]

    def write() -> int:
        try:
            with session_scope(url) as session:
                return commands.revise_template(
                    tid,
                    {"phases": phases},
                    expected_version=expected_version,
                    session=session,
                    actor=current_actor(),
                )
        except ValidationFailed as exc:
            raise ValidationFailed(_by_field(exc.errors, prefix, phases)) from exc

    _save(form, gen, write, f"{name}: new revision saved. Projects keep the revision they follow.")
    for field in state.get(f"{form}_errors", {}):
        if field.startswith("phases."):
            state[f"{prefix}_{field.split('.')[1]}_open"] = True
