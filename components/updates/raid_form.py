"""RAID items: risks (raise, re-assess, change owner or response, close) and assumptions,
issues, dependencies and decisions (raise, change, close)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from components.common import data, records
from components.common.edit_form import EditForm, picker
from components.common.export import export_buttons
from data_access.core.db import session_scope
from data_access.core.lesson_models import LESSON_CATEGORIES
from data_access.core.models import NAME_MAX, OPEN_CLOSED, RISK_KINDS, RISK_RESPONSES, TEXT_MAX
from data_access.core.writes import Actor, ValidationFailed, commit
from data_access.lessons import commands as lessons
from data_access.updates import commands
from data_access.updates import raid_commands as raid
from domain.formatting import fmt_date
from domain.labels import readable

REGISTERS = {
    "risk": "Risks",
    "assumption": "Assumptions",
    "issue": "Issues",
    "dependency": "Dependencies",
    "decision": "Decisions",
}
PROBABILITY = {
    1: "1 · rare",
    2: "2 · unlikely",
    3: "3 · possible",
    4: "4 · likely",
    5: "5 · almost certain",
}
IMPACT = {1: "1 · negligible", 2: "2 · minor", 3: "3 · moderate", 4: "4 · major", 5: "5 · severe"}
NEW = 0
RISK_FIELDS = (
    "title",
    "category",
    "kind",
    "description",
    "probability",
    "impact",
    "residual_probability",
    "residual_impact",
    "owner_id",
    "response",
    "response_due",
    "proximity",
    "mitigation",
    "status",
)


def raid_section(version: data.Version, facts: dict[str, Any], actor: Actor, today: dt.date):
    project_id = int(facts["id"])
    kind = picker("Register", REGISTERS, key="raid", bind="query-params")
    items = (
        records.risks(version, project_id)
        if kind == "risk"
        else records.raid_items(version, project_id, kind)
    )
    noun = REGISTERS[kind].lower().removesuffix("s").replace("dependencie", "dependency")
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(f"##### {REGISTERS[kind]} of {facts['code']}")
        if items.empty:
            st.info(f"No {REGISTERS[kind].lower()} recorded for this project yet.")
        else:
            shown = readable(items)
            st.dataframe(
                shown, hide_index=True, width="stretch", height=min(38 + 35 * len(shown), 420)
            )
            export_buttons(shown, f"{facts['code']}-{REGISTERS[kind].lower()}")
    with right:
        titles = {NEW: f"New {noun}"} | dict(
            zip(items.id, items.title + " (" + items.status + ")", strict=True)
        )
        item_id = st.selectbox(
            "Raise or change",
            list(titles),
            format_func=titles.get,
            key=f"raid-pick-{kind}-{project_id}",
        )
        if kind == "risk":
            risk_form(version, project_id, int(item_id), actor, today)
        else:
            raid_item_form(version, project_id, kind, int(item_id), actor, today)


def _lesson_fields(form: EditForm, noun: str) -> None:
    """ "What did we learn?" under an open item: filled in when it is closed, it becomes a draft
    lesson of the project, linked to the item."""
    form.text(
        "lesson",
        area=True,
        height=68,
        label_text="What did we learn? (optional, when closing)",
        help=f"Saved with the close as a draft lesson linked to this {noun}",
    )
    form.choice(
        "lesson_category",
        LESSON_CATEGORIES,
        label_text="Lesson category",
        format_func=str.capitalize,
    )


def _stage_lesson(session, values: dict, closing: bool, noun: str, link: dict, **how) -> bool:
    """Stage the lesson typed under "What did we learn?" in the close's transaction (all or
    nothing). Its problems are said under those two fields. True if there was one."""
    text = (values.get("lesson") or "").strip()
    if not text:
        return False
    if not closing:
        raise ValidationFailed(
            {
                "lesson": f"Set the status to closed to record this lesson with the {noun}, "
                "or leave it empty."
            }
        )
    title = str(values.get("title") or "").strip()
    happened = f"The {noun} “{title}” was closed. {values.get('description') or ''}".strip()
    data = {
        "title": f"From the closed {noun}: {title}"[:NAME_MAX],
        "what_happened": happened[:TEXT_MAX],
        "recommendation": text,
        "category": values.get("lesson_category"),
        **link,
    }
    try:
        lessons.stage_lesson(data, session=session, **how)
    except ValidationFailed as exc:
        raise ValidationFailed(
            {"lesson_category" if f == "category" else "lesson": m for f, m in exc.errors.items()}
        ) from exc
    return True


def _prefilled_category(category: str | None) -> str | None:
    """The lesson's category from the item's own, when it is one of the lessons' list."""
    category = (category or "").strip().lower()
    return category if category in LESSON_CATEGORIES else None


def _people(version: data.Version) -> tuple[list, dict]:
    people = records.names(version)["people"]
    return [None, *people], {None: "—", **people}


def risk_form(version, project_id: int, risk_id: int, actor: Actor, today: dt.date) -> None:
    loaded, stored_version = records.editable(
        version, "risk", risk_id, {"kind": "threat", "response": "mitigate", "status": "open"}
    )

    def save(values: dict, changes: dict, expected: int) -> str:
        with session_scope(version[0]) as session:
            if risk_id == NEW:
                fields = {f: values.get(f) for f in RISK_FIELDS}
                commands.create_risk(
                    {**fields, "project_id": project_id},
                    raised_on=today,
                    session=session,
                    actor=actor,
                )
                return f"Risk “{str(values['title']).strip()}” raised."
            commands.stage_risk_update(
                risk_id,
                {f: v for f, v in changes.items() if f in RISK_FIELDS},
                assessed_on=today,
                expected_version=expected,
                session=session,
                actor=actor,
                note=values.get("note") or "",
            )
            learned = _stage_lesson(
                session,
                values,
                changes.get("status") == "closed",
                "risk",
                {"project_id": project_id, "risk_id": risk_id},
                on=today,
                actor=actor,
            )
            commit(session)
        saved = f"Risk “{str(values['title']).strip()}” saved on {fmt_date(today)}."
        return saved + (" Lesson recorded (draft)." if learned else "")

    lesson = {
        "lesson": "",
        "lesson_category": _prefilled_category(loaded.get("category")) or "risk",
    }
    form = EditForm(
        "risk",
        f"{project_id}-{risk_id}",
        {**loaded, "note": "", **lesson},
        stored_version,
        save,
        names=records.names(version),
    )
    people, people_words = _people(version)
    with form.layout("Raise risk" if risk_id == NEW else "Save risk"):
        form.text("title")
        left, right = st.columns(2)
        with left:
            form.choice("kind", RISK_KINDS)
            form.choice("probability", list(PROBABILITY), format_func=PROBABILITY.get)
            form.choice(
                "residual_probability",
                [None, *PROBABILITY],
                format_func=lambda v: PROBABILITY.get(v, "— not assessed"),
                help="After the planned response; give it with the residual impact",
            )
            form.choice(
                "response",
                RISK_RESPONSES,
                help="Threats: avoid, mitigate, transfer, accept. "
                "Opportunities: exploit, enhance, share, accept.",
            )
            form.date("response_due", optional=True)
        with right:
            form.text("category")
            form.choice("impact", list(IMPACT), format_func=IMPACT.get)
            form.choice(
                "residual_impact",
                [None, *IMPACT],
                format_func=lambda v: IMPACT.get(v, "— not assessed"),
            )
            form.choice("owner_id", people, format_func=people_words.get)
            form.date("proximity", optional=True, help="When it could hit")
        form.text("mitigation", area=True, height=80)
        form.text("description", area=True, height=80)
        if risk_id != NEW:
            left, right = st.columns([1, 2])
            with left:
                form.choice("status", OPEN_CLOSED, help="Closed risks leave the matrix")
            with right:
                form.text("note", help="Why the scores or status changed (kept in the history)")
            if loaded.get("status") != "closed":
                _lesson_fields(form, "risk")


def raid_item_form(version, project_id: int, kind: str, item_id: int, actor, today) -> None:
    fields = ["title", "description", "owner_id", "status", "due_date"]
    if kind == "dependency":
        fields += ["provider_project_id", "need_by"]
    if kind == "decision":
        fields += ["decided_on"]
    blank = {"status": "open", "decided_on": today if kind == "decision" else None}
    loaded, stored_version = records.editable(version, "raid_item", item_id, blank)

    def save(values: dict, changes: dict, expected: int) -> str:
        with session_scope(version[0]) as session:
            if item_id == NEW:
                raid.create_raid_item(
                    {**{f: values.get(f) for f in fields}, "project_id": project_id, "kind": kind},
                    raised_on=today,
                    session=session,
                    actor=actor,
                )
                return f"{kind.capitalize()} “{str(values['title']).strip()}” recorded."
            raid.stage_raid_item_update(
                item_id,
                {f: v for f, v in changes.items() if f in fields},
                on=today,
                expected_version=expected,
                session=session,
                actor=actor,
            )
            learned = _stage_lesson(
                session,
                values,
                changes.get("status") == "closed",
                kind,
                {"project_id": project_id, "raid_item_id": item_id},
                on=today,
                actor=actor,
            )
            commit(session)
        saved = f"{kind.capitalize()} “{str(values['title']).strip()}” saved."
        return saved + (" Lesson recorded (draft)." if learned else "")

    form = EditForm(
        kind,
        f"{project_id}-{item_id}",
        {**loaded, "lesson": "", "lesson_category": None},
        stored_version,
        save,
        names=records.names(version),
    )
    people, people_words = _people(version)
    projects = records.names(version)["projects"]
    with form.layout(f"Record {kind}" if item_id == NEW else f"Save {kind}"):
        form.text("title")
        form.text("description", area=True, height=80)
        left, right = st.columns(2)
        with left:
            form.choice("owner_id", people, format_func=people_words.get)
            form.choice("status", OPEN_CLOSED)
        with right:
            form.date("due_date", optional=True)
            if kind == "decision":
                form.date("decided_on", optional=True)
        if kind == "dependency":
            left, right = st.columns(2)
            with left:
                form.choice(
                    "provider_project_id",
                    [p for p in projects if p != project_id],
                    format_func=projects.get,
                    help="The project this one waits on",
                )
            with right:
                form.date("need_by", optional=True)
        if item_id != NEW and loaded.get("status") != "closed":
            _lesson_fields(form, kind)
