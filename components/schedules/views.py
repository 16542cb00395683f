"""The Schedule file section of Quick updates: upload, preview, import; bulk; export.

Nothing is written before the user has seen the preview (every creation and change, old and
new value, with warnings) and pressed Import; the write checks that the project still looks
as previewed.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from components.common import records
from components.common.data import Version
from components.common.edit_form import picker
from components.common.safe_text import md_escape
from components.schedules import data
from components.schedules.bulk import import_files
from data_access.core.writes import Actor, ConflictError, ValidationFailed, WriteError
from data_access.schedules import commands
from data_access.schedules.files import SCHEDULE_SUFFIXES
from data_access.schedules.plan import Preview, creatable
from domain.formatting import fmt_date
from domain.schedules import baselines_in, followable_tasks, plan_from, project_code

TYPES = [s.lstrip(".") for s in SCHEDULE_SUFFIXES]
FIELD_LABELS = {
    "baseline_start": "Baseline start",
    "baseline_finish": "Baseline finish",
    "forecast_finish": "Forecast finish",
    "actual_finish": "Actual finish",
    "approved_budget": "Budget (baseline cost)",
    "actual_cost": "Actual cost",
    "forecast_at_completion": "Forecast at completion (cost)",
    "percent_complete": "% complete",
    "name": "Name",
    "baseline_date": "Baseline",
    "forecast_date": "Forecast",
    "actual_date": "Actual",
    "": "",
}
ACTIONS = {"create": "new", "update": "changed", "remove": "removed (not in the file)"}
SHOWN_ROWS = 2000


def schedule_section(
    version: Version, facts: dict | None, actor: Actor, today: dt.date, *, editable: bool
) -> None:
    modes = {}
    if facts and editable:
        modes["update"] = f"Update {md_escape(facts['code'])}"
    if actor.role in ("admin", "portfolio_manager"):
        modes |= {"new": "New project", "bulk": "Many files (one project each)"}
    if not modes:
        st.info("Importing a schedule changes a project: you may not change this one.")
        return
    st.caption(
        "Microsoft Project (.mpp, .xml, .mpx), Primavera P6 (.xer, .xml), Planner, ProjectLibre "
        "and more. Milestones are matched by the file's task ids, so importing a newer version "
        "moves them (kept in their history on the file's status date) instead of adding copies."
    )
    mode = picker("Import into", modes, key="schedule-mode")
    done = st.session_state.pop("schedule-done", None)
    if done:
        st.success(done, icon=":material/check_circle:")
    if mode == "bulk":
        _bulk_panel(version, actor, today)
    else:
        _single_panel(version, facts if mode == "update" else None, actor, today)
    if facts:
        earlier = data.history(version, int(facts["id"]))
        if len(earlier):
            st.markdown("##### Earlier imports")
            st.dataframe(
                earlier, hide_index=True, width="stretch", height=min(38 + 35 * len(earlier), 250)
            )
        _export_panel(version, facts, today)


def _single_panel(version: Version, facts: dict | None, actor: Actor, today: dt.date) -> None:
    gen = st.session_state.get("schedule-gen", 0)
    upload = st.file_uploader(
        "Schedule file", type=TYPES, key=f"schedule-file-{gen}", max_upload_size=50
    )
    if upload is None:
        return
    result = data.read_upload(upload.getvalue(), upload.name)
    if not result.ok:
        st.error(
            f"**{md_escape(upload.name)} cannot be imported.** {md_escape(result.reason)} "
            "Nothing was changed.",
            icon=":material/error:",
        )
        return
    schedule = result.schedule
    if not schedule["tasks"]:
        st.error(
            f"**{md_escape(upload.name)} has no tasks.** Nothing was changed.",
            icon=":material/error:",
        )
        return
    project_id = int(facts["id"]) if facts else None
    left, right = st.columns([1, 3])
    offered = baselines_in(schedule)
    baseline = left.selectbox(
        "Baseline",
        range(11),
        index=offered[0] if offered else 0,
        format_func=lambda n: (
            f"Baseline {n or ''}".strip() + (" (in the file)" if n in offered else "")
        ),
        key=f"schedule-baseline-{gen}",
    )
    followable = {t["uid"]: t for t in followable_tasks(schedule)}
    before = commands.followed_for(project_id, url=version[0]) if project_id else frozenset()
    follow = right.multiselect(
        "Also follow these summary or flagged tasks as milestones",
        list(followable),
        default=[uid for uid in followable if uid in before],
        format_func=lambda uid: f"{followable[uid]['wbs']} {followable[uid]['name']}".strip(),
        key=f"schedule-follow-{gen}",
    )
    plan = plan_from(schedule, baseline=baseline, follow=frozenset(follow), today=today)
    if not facts:
        _new_project_fields(version, plan, upload.name, gen)
    # The new-person boxes are drawn with the preview, which they change: their values of the
    # last run (kept in the widget state) make this run's preview.
    confirmed = frozenset(
        r.uid for r in plan.resources if st.session_state.get(f"schedule-person-{gen}-{r.uid}")
    )
    replace_typed = bool(st.session_state.get(f"schedule-replace-typed-{gen}"))
    seen = commands.preview_for(
        plan, project_id, confirmed=confirmed, replace_typed=replace_typed, url=version[0]
    )
    _show_preview(seen, facts)
    _show_people(seen, actor, gen)
    if seen.clashing:
        st.checkbox(
            f"Let the file's hours replace the {len(seen.clashing)} "
            f"allocation{'' if len(seen.clashing) == 1 else 's'} typed in by hand that they "
            "overlap",
            key=f"schedule-replace-typed-{gen}",
            help="Unticked, the import is refused while both are there: one person cannot be "
            "on one project twice at the same time.",
        )
    if "" in st.session_state.get("schedule-errors", {}):
        st.error(md_escape(st.session_state["schedule-errors"][""]), icon=":material/error:")
    if seen.empty:
        st.info(
            "Nothing to change: the project already matches this file.", icon=":material/check:"
        )
        return
    st.button(
        "Import" if facts else "Create the project",
        type="primary",
        icon=":material/upload:",
        key=f"schedule-go-{gen}",
        on_click=_apply,
        args=(version, seen, project_id, gen, upload.name, actor),
    )


NEW_FIELDS = ("code", "name", "program_id", "department_id")


def _new_project_fields(version: Version, plan, file_name: str, gen: int) -> None:
    """The new project's code, name, program and department; the Import button's callback
    reads them from the widgets' state, which holds what was typed up to the click."""
    tables = records.choices(version)
    programs = dict(zip(tables["programs"].id, tables["programs"].name, strict=True))
    departments = dict(zip(tables["departments"].id, tables["departments"].name, strict=True))
    errors = st.session_state.get("schedule-errors", {})
    cols = st.columns(4)
    cols[0].text_input(
        "Code", project_code(plan.title, file_name), max_chars=30, key=f"schedule-code-{gen}"
    )
    cols[1].text_input("Name", plan.title or file_name, max_chars=200, key=f"schedule-name-{gen}")
    cols[2].selectbox(
        "Program", list(programs), format_func=programs.get, key=f"schedule-program_id-{gen}"
    )
    cols[3].selectbox(
        "Department",
        list(departments),
        format_func=departments.get,
        key=f"schedule-department_id-{gen}",
    )
    for col, key in zip(cols, NEW_FIELDS, strict=True):
        if key in errors:
            col.error(md_escape(errors[key]), icon=":material/error:")


def _show_preview(seen: Preview, facts: dict | None) -> None:
    plan = seen.plan
    changes = seen.changes
    created = {c.uid for c in changes if c.entity == "milestone" and c.action == "create"}
    moved = {c.uid for c in changes if c.entity == "milestone" and c.action == "update"}
    removed = [c for c in changes if c.entity == "milestone" and c.action == "remove"]
    fields = [c for c in changes if c.entity == "project"]
    staff = [c for c in changes if c.entity == "allocation"]
    people = [c for c in changes if c.entity == "person"]
    what = (
        f"creates the project with {len(plan.milestones)} milestones"
        if facts is None
        else f"changes {len(fields)} project fields, adds {len(created)} milestones, "
        f"changes {len(moved)} and removes {len(removed)}"
    )
    if staff or people:
        typed = sum(c.action == "remove" and c.record_id in seen.clashing for c in staff)
        replaced = sum(c.action == "remove" for c in staff) - typed
        added = len(staff) - replaced - typed
        what += (
            f"; adds {len(people)} {'person' if len(people) == 1 else 'people'} and {added} "
            f"allocation{'' if added == 1 else 's'}"
            + (f", replacing {replaced} from the last import" if replaced else "")
            + (f" and {typed} typed in by hand" if typed else "")
        )
    st.markdown(
        f"**Preview:** {len(plan.milestones)} milestones from baseline {plan.baseline}, status "
        f"date {fmt_date(plan.status_date)}. Importing {what}."
    )
    for warning in seen.warnings:  # they quote task names from the file
        st.warning(md_escape(warning), icon=":material/warning:")
    if changes:
        table = pd.DataFrame(
            {
                "Record": [c.name for c in changes],
                "Kind": [c.entity for c in changes],
                "Import": [
                    "replaced"
                    if c.entity == "allocation" and c.action == "remove"
                    else ACTIONS[c.action]
                    for c in changes
                ],
                "Field": [_field(c) for c in changes],
                "Now": [_shown(c.old) for c in changes],
                "From the file": [_shown(c.new) for c in changes],
            }
        )
        if len(table) > SHOWN_ROWS:
            st.caption(f"The first {SHOWN_ROWS:,} of {len(table):,} changes:")
        st.dataframe(
            table.head(SHOWN_ROWS),
            hide_index=True,
            width="stretch",
            height=min(38 + 35 * len(table), 420),
        )


def _field(change) -> str:
    if change.entity == "allocation":
        return f"Hours a week, {fmt_date(change.start)} to {fmt_date(change.end)}"
    return FIELD_LABELS.get(change.field, change.field)


def _show_people(seen: Preview, actor: Actor, gen: int) -> None:
    """The file's resources, each with the person it is here (by e-mail, then by name) or a
    box to create them: a resource that is nobody here brings no hours unless confirmed."""
    if not seen.matches:
        return
    weeks = {}
    for a in seen.plan.allocations:
        weeks.setdefault(a.resource_uid, []).append(a)
    st.markdown("##### People from the file")
    st.dataframe(
        pd.DataFrame(
            {
                "Resource": [r.name for r, _ in seen.matches],
                "E-mail in the file": [r.email for r, _ in seen.matches],
                "Person here": [p["name"] if p else "new person" for _, p in seen.matches],
                "Allocations": [len(weeks.get(r.uid, ())) for r, _ in seen.matches],
                "Most hours a week": [
                    max((a.hours_per_week for a in weeks.get(r.uid, ())), default=0.0)
                    for r, _ in seen.matches
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    admin = actor.role == "admin"
    for resource, person in seen.matches:
        if person is not None or not creatable(resource):
            continue
        st.checkbox(
            f"Create {resource.name} ({resource.email}) as a new person",
            key=f"schedule-person-{gen}-{resource.uid}",
            disabled=not admin,
            help="Created in the project's department, as a viewer; unchecked, their hours "
            "are not imported."
            if admin
            else "Only an administrator adds people: ask one, or add them first.",
        )


def _shown(value) -> str:
    if isinstance(value, dt.date):
        return fmt_date(value)
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return "" if value is None else str(value)


def _apply(version, seen, project_id, gen, file_name, actor) -> None:
    st.session_state.pop("schedule-errors", None)
    new_project = (
        None
        if project_id
        else {key: st.session_state[f"schedule-{key}-{gen}"] for key in NEW_FIELDS}
    )
    try:
        pid, count = commands.import_schedule(
            seen,
            project_id=project_id,
            new_project=new_project,
            file_name=file_name,
            url=version[0],
            actor=actor,
        )
    except ConflictError:
        st.session_state["schedule-errors"] = {
            "": "The project changed since this preview (someone saved or imported). "
            "The preview now shows the current state: check it and import again."
        }
        return
    except ValidationFailed as exc:
        st.session_state["schedule-errors"] = exc.errors
        return
    except WriteError as exc:
        st.session_state["schedule-errors"] = {"": str(exc)}
        return
    st.session_state["schedule-gen"] = st.session_state.get("schedule-gen", 0) + 1
    code = new_project["code"] if new_project else ""
    st.session_state["schedule-done"] = md_escape(
        f"Imported {file_name}: {count:,} changes written"
        + (f" into the new project {code}." if code else ".")
    )
    if code:
        st.query_params["project"] = code.strip()


def _bulk_panel(version: Version, actor: Actor, today: dt.date) -> None:
    gen = st.session_state.get("schedule-gen", 0)
    tables = records.choices(version)
    programs = dict(zip(tables["programs"].id, tables["programs"].name, strict=True))
    departments = dict(zip(tables["departments"].id, tables["departments"].name, strict=True))
    uploads = st.file_uploader(
        "Schedule files, or a .zip of them (a Project Server export)",
        type=[*TYPES, "zip"],
        accept_multiple_files=True,
        key=f"schedule-bulk-{gen}",
        max_upload_size=200,
    )
    cols = st.columns(3)
    program = cols[0].selectbox(
        "Program for new projects", list(programs), format_func=programs.get
    )
    department = cols[1].selectbox(
        "Department for new projects", list(departments), format_func=departments.get
    )
    baseline = cols[2].selectbox("Baseline", range(11), key="schedule-bulk-baseline")
    st.caption(
        "Each file updates the project an earlier import of it fed (or whose code is the file's "
        "name) and otherwise creates a project. Each file is written on its own: a bad file is "
        "reported and writes nothing, the others go ahead."
    )
    report = st.session_state.get("schedule-bulk-report")
    if report:
        st.dataframe(pd.DataFrame(report), hide_index=True, width="stretch")
    if not uploads:
        return
    results = data.read_many(tuple((u.name, u.getvalue()) for u in uploads))
    readable = [r for r in results if r.ok]
    st.dataframe(
        pd.DataFrame(
            {
                "File": [r.name for r in results],
                "Tasks": [len(r.schedule["tasks"]) if r.ok else None for r in results],
                "Milestones": [
                    sum(t["milestone"] for t in r.schedule["tasks"]) if r.ok else None
                    for r in results
                ],
                "Problem": [r.reason for r in results],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.button(
        f"Import {len(readable)} of {len(results)} files",
        type="primary",
        disabled=not readable,
        key=f"schedule-bulk-go-{gen}",
        on_click=_bulk_apply,
        args=(version, results, program, department, baseline, today, actor),
    )


def _bulk_apply(version, results, program, department, baseline, today, actor) -> None:
    outcomes = import_files(
        results,
        program_id=program,
        department_id=department,
        baseline=baseline,
        today=today,
        url=version[0],
        actor=actor,
    )
    st.session_state["schedule-bulk-report"] = [
        {
            "File": o.name,
            "Result": o.status,
            "Project": o.project,
            "Changes": o.changes,
            "Detail": o.detail,
        }
        for o in outcomes
    ]
    st.session_state["schedule-gen"] = st.session_state.get("schedule-gen", 0) + 1


def _export_panel(version: Version, facts: dict, today: dt.date) -> None:
    st.markdown("##### Export to Microsoft Project")
    st.caption(
        f"{md_escape(facts['code'])}'s dates, money and milestones as MSPDI XML, which "
        "Microsoft Project opens (File › Open, XML format)."
    )
    pid = int(facts["id"])
    if st.session_state.get("schedule-export") != pid:
        if st.button("Prepare the file", icon=":material/description:", key="schedule-export-go"):
            st.session_state["schedule-export"] = pid
            st.rerun()
        return
    st.download_button(
        "Download MS Project XML",
        data.exported(version, pid, today),
        file_name=f"{facts['code']}.xml",
        mime="application/xml",
        icon=":material/download:",
        on_click="ignore",
    )
