"""PMO administration: people and roles, the organisation, thresholds and settings, and the
audit trail of every such change. PMO admins only (the write functions check it again)."""

import pandas as pd
import streamlit as st

from components.access.session import ROLE_LABELS, require_role
from components.access.sessions_view import admin_sessions
from components.admin import data as admin_data
from components.common import data
from components.common.layout import current_version
from components.common.record_form import FormField, record_form, show_flash
from components.stakeholders.views import delivery_log_section
from components.training.views import competence_section
from data_access.admin import commands as admin
from data_access.core.auth import MIN_PASSWORD_LENGTH
from data_access.core.db import session_scope
from data_access.core.models import ROLES
from data_access.core.writes import ValidationFailed
from domain.stakeholders import WEEKDAYS

actor = require_role("admin")
version = current_version()
url = version[0]


def write(fn, *args, **kwargs):
    """Run one admin write function in its own session, as the signed-in admin."""
    with session_scope(url) as session:
        return fn(*args, session=session, actor=actor, **kwargs)


def _plain(value):
    """A DataFrame cell as a plain Python value (None for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def choose(label: str, df: pd.DataFrame, key: str, describe) -> dict | None:
    """A record picked from `df` by id (labels from `describe(row)`); None when df is empty."""
    if df.empty:
        return None
    labels = {int(r.id): describe(r) for r in df.itertuples()}
    chosen = st.selectbox(label, list(labels), format_func=labels.get, key=key)
    row = df.set_index("id").loc[chosen].to_dict()
    return {k: _plain(v) for k, v in row.items()} | {"id": chosen}


def _set_password(person_id: int, values: dict) -> None:
    if values["password"] != values["repeat"]:
        raise ValidationFailed({"repeat": "the two passwords differ"})
    write(admin.set_password, person_id, values["password"])


people = admin_data.table(version, "people")
departments = admin_data.table(version, "departments")
department_labels = {None: "—", **dict(zip(departments.id, departments.name, strict=True))}
department_ids = [None, *departments.id.tolist()]

st.title("Admin")
show_flash()
tab_people, tab_org, tab_settings, tab_competence, tab_audit, tab_deliveries = st.tabs(
    [
        "People and roles",
        "Portfolios, programs, departments",
        "Thresholds and settings",
        "Competence",
        "Changes",
        "E-mail and deliveries",
    ],
    key="tab",
    bind="query-params",
)

# --- people and roles ---------------------------------------------------------------------

PERSON_FIELDS = [
    FormField("name", "Name", max_chars=200),
    FormField("email", "E-mail", max_chars=254),
    FormField(
        "role",
        "Role",
        "select",
        ROLES,
        ROLE_LABELS,
        help="PMO admin: everything. Portfolio manager: projects of their programs or "
        "department. Project manager: their own projects. Viewer: reads only.",
    ),
    FormField("department_id", "Department", "select", department_ids, department_labels),
    FormField("skill", "Role or skill", max_chars=200),
    FormField(
        "weekly_capacity_hours",
        "Weekly capacity (hours)",
        "number",
        min_value=0.0,
        max_value=168.0,
        step=1.0,
    ),
]

PEOPLE_ROWS = 500

if tab_people.open:  # only the open tab is drawn
    with tab_people:
        search = st.text_input("Find people", placeholder="Name, e-mail or role", key="people_q")
        shown = people
        if search:
            needle = search.lower()
            shown = people[
                people.name.str.lower().str.contains(needle, regex=False)
                | people.email.str.contains(needle, regex=False)
                | people.role.str.contains(needle.replace(" ", "_"), regex=False)
            ]
        if len(shown) > PEOPLE_ROWS:  # a large organisation is searched, not scrolled
            st.caption(f"The first {PEOPLE_ROWS} of {len(shown):,} people: type above to narrow.")
            shown = shown.head(PEOPLE_ROWS)
        st.dataframe(
            pd.DataFrame(
                {
                    "Name": shown.name,
                    "E-mail": shown.email,
                    "Role": shown.role.map(ROLE_LABELS),
                    "Department": shown.department,
                    "Active": shown.active.astype(bool),
                    "Signs in with": [
                        "password" if pw else "demo button" if demo else "single sign-on only"
                        for pw, demo in zip(shown.has_password, shown.is_demo_account, strict=True)
                    ],
                    "Demo account": shown.is_demo_account.astype(bool),
                }
            ),
            hide_index=True,
            width="stretch",
            height=280,
        )
        st.caption(f"{len(shown):,} of {len(people):,} people")
        edit_col, add_col = st.columns(2, gap="large")
        with edit_col:
            st.subheader("Change a person")
            person = choose("Person", shown, "admin_person", lambda r: f"{r.name} · {r.email}")
            if person is None:
                st.info("No person matches the search.")
            else:
                pid = person["id"]
                record_form(
                    f"person_{pid}",
                    [*PERSON_FIELDS, FormField("active", "Active (may sign in)", "checkbox")],
                    {**person, "active": bool(person["active"])},
                    lambda changes, v, pid=pid: write(
                        admin.update_person, pid, changes, expected_version=v
                    ),
                    version=int(person["version"]),
                    saved_message=f"Saved {person['name']}.",
                )
                if person["is_demo_account"]:
                    st.caption("A demo account: it signs in only while demo accounts are on.")
                with st.expander("Set a new password"):
                    record_form(
                        f"password_{pid}",
                        [
                            FormField(
                                "password",
                                "New password",
                                "password",
                                help=f"At least {MIN_PASSWORD_LENGTH} characters.",
                            ),
                            FormField("repeat", "The same password again", "password"),
                        ],
                        {"password": "", "repeat": ""},
                        lambda values, _v, pid=pid: _set_password(pid, values),
                        submit_label="Set password",
                        saved_message="Password set. Tell the person through a safe channel.",
                    )
                with st.expander("Sign-in sessions"):
                    admin_sessions(pid, person["name"])
        with add_col:
            st.subheader("Add a person")
            record_form(
                "person_new",
                [
                    *PERSON_FIELDS,
                    FormField(
                        "password",
                        "Password",
                        "password",
                        help=f"At least {MIN_PASSWORD_LENGTH} characters. Leave empty for a "
                        "person who signs in only through single sign-on.",
                    ),
                ],
                {
                    "role": "viewer",
                    "department_id": None,
                    "skill": "",
                    "weekly_capacity_hours": 40.0,
                    "name": "",
                    "email": "",
                    "password": "",
                },
                lambda values, _v: write(
                    admin.create_person,
                    {k: v for k, v in values.items() if k != "password"},
                    password=values["password"] or None,
                ),
                submit_label="Add person",
                saved_message="Person added.",
            )


# --- organisation -------------------------------------------------------------------------

if tab_org.open:
    with tab_org:
        portfolios = admin_data.table(version, "portfolios")
        programs = admin_data.table(version, "programs")
        portfolio_labels = dict(zip(portfolios.id, portfolios.name, strict=True))
        managers = people[
            people.role.isin(["admin", "portfolio_manager"]) & people.active.astype(bool)
        ]
        manager_labels = {None: "—", **dict(zip(managers.id, managers.name, strict=True))}
        sections = [
            (
                "Programs",
                programs,
                ["name", "portfolio", "manager", "projects"],
                [
                    FormField("name", "Name", max_chars=200),
                    FormField("description", "Description", "textarea", max_chars=4000),
                    FormField(
                        "portfolio_id",
                        "Portfolio",
                        "select",
                        list(portfolio_labels),
                        portfolio_labels,
                    ),
                    FormField(
                        "manager_id",
                        "Manager",
                        "select",
                        list(manager_labels),
                        manager_labels,
                        help="A portfolio manager may edit the projects of their programs.",
                    ),
                ],
                {
                    "name": "",
                    "description": "",
                    "manager_id": None,
                    "portfolio_id": next(iter(portfolio_labels), None),
                },
                admin.create_program,
                admin.update_program,
            ),
            (
                "Departments",
                departments,
                ["name", "code", "projects", "people"],
                [
                    FormField("name", "Name", max_chars=200),
                    FormField("code", "Code", max_chars=20),
                ],
                {"name": "", "code": ""},
                admin.create_department,
                admin.update_department,
            ),
            (
                "Portfolios",
                portfolios,
                ["name", "programs"],
                [
                    FormField("name", "Name", max_chars=200),
                    FormField("description", "Description", "textarea", max_chars=4000),
                ],
                {"name": "", "description": ""},
                admin.create_portfolio,
                admin.update_portfolio,
            ),
        ]
        for title, df, columns, fields, blank, create, update in sections:
            st.subheader(title)
            st.dataframe(
                df[columns].rename(columns=lambda c: c.capitalize()),
                hide_index=True,
                width="stretch",
                height=min(35 * (len(df) + 1) + 3, 390),
            )
            left, right = st.columns(2, gap="large")
            entity = title.lower()
            with left, st.expander(f"Change one of the {entity}"):
                row = choose(title[:-1], df, f"admin_{entity}", lambda r: r.name)
                if row is not None:
                    record_form(
                        f"{entity}_{row['id']}",
                        fields,
                        row,
                        lambda changes, v, rid=row["id"], fn=update: write(
                            fn, rid, changes, expected_version=v
                        ),
                        version=int(row["version"]),
                    )
            with right, st.expander(f"Add to {entity}"):
                record_form(
                    f"{entity}_new",
                    fields,
                    blank,
                    lambda values, _v, fn=create: write(fn, values),
                    submit_label="Add",
                    saved_message="Added.",
                )

# --- thresholds and settings -----------------------------------------------------------------

if tab_settings.open:
    with tab_settings:
        settings = data.settings(version)
        pct = {"kind": "number", "min_value": 0.0, "max_value": 1000.0, "step": 1.0}
        ratio = {"kind": "number", "min_value": 0.0, "max_value": 2.0, "step": 0.01}
        score = {"kind": "int", "min_value": 1, "max_value": 25, "step": 1}
        days = {"kind": "int", "min_value": 0, "max_value": 365, "step": 1}
        groups = {
            "Schedule health (forecast finish slip, % of the baseline duration)": [
                FormField("schedule_amber_pct", "Amber above (%)", **pct),
                FormField("schedule_red_pct", "Red above (%)", **pct),
            ],
            "Cost health (forecast at completion over budget, %; CPI where earned value exists)": [
                FormField("cost_amber_pct", "Amber above (%)", **pct),
                FormField("cost_red_pct", "Red above (%)", **pct),
                FormField("cpi_amber", "Amber below CPI", **ratio),
                FormField("cpi_red", "Red below CPI", **ratio),
            ],
            "Risk bands (score = probability × impact, 1-25)": [
                FormField("band_medium_from", "Medium from score", **score),
                FormField("band_high_from", "High from score (project health Amber)", **score),
                FormField(
                    "band_critical_from", "Critical from score (project health Red)", **score
                ),
            ],
            "Reporting": [
                FormField(
                    "stale_days",
                    "Stale after (days without an update)",
                    "int",
                    min_value=1,
                    max_value=365,
                    step=1,
                ),
                FormField("bei_target", "Baseline Execution Index target", **ratio),
                FormField("currency", "Currency (ISO code, e.g. EUR)", max_chars=3),
                FormField(
                    "status_on_time_days",
                    "An update is on time up to (days after its reporting day)",
                    "int",
                    min_value=0,
                    max_value=30,
                    step=1,
                ),
            ],
            "Path to green (recovery plans in the status update)": [
                FormField(
                    "recovery_plan_amber",
                    "Recovery plan for Amber projects",
                    "select",
                    options=("off", "asked", "required"),
                    labels={
                        "off": "Not asked",
                        "asked": "Asked (optional)",
                        "required": "Required",
                    },
                    help="A Red project's update always requires one.",
                ),
                FormField(
                    "recovery_causes",
                    "Causes to choose from (comma-separated)",
                    help="The categories a project manager picks the cause of a Red or Amber from.",
                ),
            ],
            "Reminders of the weekly status update ({name}, {projects}, {deadline}, {link} are "
            "filled in)": [
                FormField("reminders_on", "Send reminders", "checkbox"),
                FormField(
                    "reminder_weekday",
                    "Deadline weekday",
                    "select",
                    options=list(range(7)),
                    labels=dict(enumerate(WEEKDAYS)),
                ),
                FormField(
                    "reminder_hour", "Deadline hour", "int", min_value=0, max_value=23, step=1
                ),
                FormField(
                    "reminder_hours_before",
                    "Remind hours before",
                    "int",
                    min_value=1,
                    max_value=144,
                ),
                FormField(
                    "reminder_hours_after",
                    "Remind again hours after",
                    "int",
                    min_value=1,
                    max_value=144,
                ),
                FormField("reminder_before_text", "Wording before the deadline", "textarea"),
                FormField("reminder_after_text", "Wording after the deadline", "textarea"),
            ],
            "Stage gates and process compliance (days)": [
                FormField("gate_status_days", "Status update due every", **days),
                FormField("status_late_days", "Late (not missing) for", **days),
                FormField("risk_review_days", "Risks re-assessed within", **days),
                FormField("gate_decide_days", "Gate decided within (after its date)", **days),
                FormField(
                    "gate_min_milestones",
                    "Baselined milestones a plan needs",
                    "int",
                    min_value=0,
                    max_value=100,
                    step=1,
                ),
            ],
            "Demo": [
                FormField(
                    "demo_accounts",
                    "Demo accounts may sign in",
                    "checkbox",
                    help="The four demo accounts of the demo portfolio (one per role, no "
                    "password). Turn off before real people use the dashboard.",
                )
            ],
        }
        for heading, fields in groups.items():
            st.markdown(f"**{heading}**")
            record_form(
                f"settings_{heading.split(' ')[0].lower()}",
                fields,
                {f.name: settings[f.name] for f in fields},
                lambda changes, v: write(admin.update_settings, changes, expected_versions=v),
                version=admin_data.setting_versions(version),
                saved_message="Settings saved. Every page uses them from now on.",
                columns=4,
            )

# --- the audit trail of these changes ----------------------------------------------------------

if tab_audit.open:
    with tab_audit:
        changes = admin_data.recent_changes(version)
        st.caption(
            "The latest 200 changes to people, organisation and settings, and refused attempts."
        )
        st.dataframe(
            changes.rename(
                columns={
                    "at": "When (UTC)",
                    "actor_name": "Who",
                    "action": "Action",
                    "entity": "What",
                    "entity_id": "Id",
                    "before": "Before",
                    "after": "After",
                }
            ),
            hide_index=True,
            width="stretch",
        )

# Drawn only while its tab is open: a chart in a hidden tab is never drawn by the browser.
if tab_competence.open:
    with tab_competence:
        # The same matrix as Lessons › Competence, where records, courses and the rule are edited.
        competence_section(version, data.today())
        st.page_link(
            "pages/lessons.py",
            label="Record training, edit the catalogue and the rule",
            icon=":material/school:",
            query_params={"tab": "Competence"},
        )

if tab_deliveries.open:
    with tab_deliveries:
        delivery_log_section(version)
