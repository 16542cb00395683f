"""Stakeholders of a project (the register and its power/interest grid), and the read-only
links the PMO sends to people without an account."""

import streamlit as st

from components.access.session import current_actor, is_admin, may_edit_project
from components.common import data
from components.common.layout import current_filter, current_version
from components.common.record_form import show_flash
from components.stakeholders.views import links_section, register_section

actor = current_actor()
version = current_version()
st.title("Stakeholders")
show_flash()
projects = data.portfolio_health(version, data.today()).sort_values("code")
codes = projects.code.tolist()
wanted = st.query_params.get("project")
chosen = st.selectbox(
    "Project",
    codes,
    index=codes.index(wanted) if wanted in codes else 0,
    format_func=dict(zip(projects.code, projects.code + " " + projects.name, strict=True)).get,
)
if chosen != wanted:
    st.query_params["project"] = chosen
row = projects[projects.code == chosen].iloc[0]
project = {"id": int(row.id), "code": row.code, "name": row.name}
register_section(version, actor, project, may_edit_project(project["id"]))
if is_admin():
    st.subheader("Read-only links")
    links_section(version, actor, current_filter(), projects[["id", "code", "name"]])
