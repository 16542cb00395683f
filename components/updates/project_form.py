"""Projects: edit the selected one (its manager, a portfolio manager of its program or
department, or a PMO admin) or create a new one (a PMO admin or a portfolio manager)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from components.common import data, records
from components.common.edit_form import EditForm, picker
from data_access.core.db import session_scope
from data_access.core.models import PHASES, PRIORITIES, PROJECT_STATUSES
from data_access.core.writes import Actor
from data_access.updates import commands

FIELDS = (
    "code",
    "name",
    "description",
    "program_id",
    "department_id",
    "sponsor_id",
    "manager_id",
    "phase",
    "status",
    "priority",
    "baseline_start",
    "baseline_finish",
    "forecast_finish",
    "actual_finish",
    "approved_budget",
    "actual_cost",
    "forecast_at_completion",
    "percent_complete",
)
NEW = "new"
# advise(manager_id, approved_budget, project_id) draws what the page says about that choice of
# manager (the competence gap), without this feature importing that one.
Advise = Callable[[int | None, float, int | None], None]


def project_section(
    version: data.Version,
    facts: dict[str, Any] | None,
    actor: Actor,
    may_create: bool,
    advise: Advise | None = None,
) -> None:
    """`facts` is the selected project when this person may edit it, else None."""
    modes = ([("edit", f"Edit {facts['code']}")] if facts else []) + (
        [(NEW, "New project")] if may_create else []
    )
    if not modes:
        st.info("You may not edit this project or create projects.", icon=":material/lock:")
        return
    mode = picker("Project record", dict(modes), key="project-mode", label_visibility="collapsed")
    project_form(version, None if mode == NEW else int(facts["id"]), actor, advise)


def project_form(
    version: data.Version, project_id: int | None, actor: Actor, advise: Advise | None = None
) -> None:
    loaded, stored_version = records.editable(
        version,
        "project",
        project_id,
        {
            "phase": "Initiation",
            "status": "proposed",
            "priority": "medium",
            "approved_budget": 0.0,
            "actual_cost": 0.0,
            "forecast_at_completion": 0.0,
            "percent_complete": 0.0,
            "manager_id": actor.person_id,
        },
    )

    def save(values: dict, changes: dict, expected: int) -> str:
        with session_scope(version[0]) as session:
            if project_id is None:
                data_ = {f: values.get(f) for f in FIELDS}
                data_["forecast_finish"] = data_["forecast_finish"] or data_["baseline_finish"]
                commands.create_project(data_, session=session, actor=actor)
                return (
                    f"Project {str(values['code']).strip()} created. Pick it in the project list "
                    "above to add its milestones and risks."
                )
            commands.update_project(
                project_id, changes, expected_version=expected, session=session, actor=actor
            )
        return f"Project {str(values['code']).strip()} saved."

    names = records.names(version)
    people = [None, *names["people"]]
    person = {None: "—", **names["people"]}
    form = EditForm("project", project_id or NEW, loaded, stored_version, save, names=names)
    with form.layout("Create project" if project_id is None else "Save project"):
        left, middle, right = st.columns([1, 2, 1])
        with left:
            form.text("code")
        with middle:
            form.text("name")
        with right:
            form.choice("priority", PRIORITIES)
        form.text("description", area=True, height=80)
        cols = st.columns(4)
        with cols[0]:
            form.choice("program_id", list(names["programs"]), format_func=names["programs"].get)
        with cols[1]:
            form.choice(
                "department_id", list(names["departments"]), format_func=names["departments"].get
            )
        with cols[2]:
            form.choice("manager_id", people, format_func=person.get)
        with cols[3]:
            form.choice("sponsor_id", people, format_func=person.get)
        cols = st.columns(4)
        with cols[0]:
            form.choice("phase", PHASES)
        with cols[1]:
            form.choice("status", PROJECT_STATUSES)
        with cols[2]:
            form.number("percent_complete", step=5.0, fmt="%.1f", help="0 to 100")
        cols = st.columns(4)
        with cols[0]:
            form.date("baseline_start")
        with cols[1]:
            form.date("baseline_finish")
        with cols[2]:
            form.date("forecast_finish", optional=project_id is None, help="Empty: baseline finish")
        with cols[3]:
            form.date("actual_finish", optional=True)
        cols = st.columns(4)
        with cols[0]:
            form.number("approved_budget", step=1000.0)
        with cols[1]:
            form.number("actual_cost", step=1000.0)
        with cols[2]:
            form.number("forecast_at_completion", step=1000.0)
        if advise:
            # The manager and budget as typed (after a submit) or as stored: a warning, not a
            # block, shown with the choice and again once it is saved.
            typed = {**form.loaded, **{k: v for k, v in form.typed().items() if v is not None}}
            advise(typed.get("manager_id"), float(typed.get("approved_budget") or 0), project_id)
