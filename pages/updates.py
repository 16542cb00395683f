"""Quick updates: a project manager's Friday five minutes.

One project at a time (its code in the URL), one section at a time (also in the URL, so a
refresh or a shared link opens the same form): the weekly status update, milestones, RAID
items, the project record, spreadsheet import and export, and schedule files (MS Project,
Primavera).
"""

import streamlit as st

from components.access.session import current_actor
from components.common import data
from components.common.layout import current_filter, current_version
from components.recovery import data as recovery_data
from components.recovery.views import escalation_table
from components.schedules.views import schedule_section
from components.training.views import assignment_warning
from components.updates.escalation_form import escalation_form
from components.updates.milestones_form import milestones_section
from components.updates.project_form import project_section
from components.updates.raid_form import raid_section
from components.updates.spreadsheet import import_export_section
from components.updates.status_form import status_update_form
from data_access.core.records import may_create_projects, may_edit
from domain.filters import apply_filter

SECTIONS = [
    "Status update",
    "Escalate",
    "Milestones",
    "RAID",
    "Project",
    "Import & export",
    "Schedule file",
]

version = current_version()
actor = current_actor()
today = data.today()
st.title("Quick updates")

projects = apply_filter(data.portfolio_health(version, today), current_filter())
# The person's own projects first: for a project manager that is the whole Friday list.
projects = projects.assign(mine=projects.manager_id == actor.person_id).sort_values(
    ["mine", "code"], ascending=[False, True]
)
labels = dict(zip(projects.code, projects.code + " · " + projects.name, strict=True))
# The code alone goes in the URL (?project=PRJ-0042, as on the project page): a widget bound to
# the URL would write the whole label there.
codes = list(labels)
wanted = st.query_params.get("project")
code = st.selectbox(
    "Project",
    codes,
    index=codes.index(wanted) if wanted in codes else (0 if codes else None),
    format_func=labels.get,
    placeholder="No project matches the filters",
    key="updates-project",
)
if code:
    st.query_params["project"] = code
facts = projects.set_index("code").loc[code].to_dict() | {"code": code} if code else None
editable = bool(facts) and may_edit(actor, int(facts["id"]), url=version[0])
if facts and not editable:
    st.info(
        f"You can see {code} but not change it: its manager, a portfolio manager of its program "
        "or department, or a PMO admin can.",
        icon=":material/lock:",
    )

tabs = st.tabs(SECTIONS, key="section", bind="query-params")
status_tab, escalate_tab, milestones_tab, raid_tab, project_tab, sheets_tab, schedule_tab = tabs
with status_tab:
    if status_tab.open and editable:
        status_update_form(version, facts, actor, today)
with escalate_tab:
    if escalate_tab.open and editable:
        escalation_form(version, int(facts["id"]), today)
        escalation_table(recovery_data.escalations(version, today, project_id=int(facts["id"])))
with milestones_tab:
    if milestones_tab.open and editable:
        milestones_section(version, facts, actor, today)
with raid_tab:
    if raid_tab.open and editable:
        raid_section(version, facts, actor, today)
with project_tab:
    if project_tab.open:
        project_section(
            version,
            facts if editable else None,
            actor,
            may_create_projects(actor),
            advise=lambda manager_id, budget, project_id: assignment_warning(
                version, today, manager_id, budget, project_id
            ),
        )
with sheets_tab:
    if sheets_tab.open:
        import_export_section(version, actor, today, projects)
with schedule_tab:
    if schedule_tab.open:
        schedule_section(version, facts, actor, today, editable=editable)
