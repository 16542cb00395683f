"""Gates & compliance: gates awaiting a decision or due, process compliance per policy, a
person's to-do list and the methodology library."""

import streamlit as st

from components.access.session import current_actor
from components.common import data
from components.common.layout import current_filter, current_version
from components.gates import views
from components.lessons.views import gate_lesson_form
from components.recovery.views import asked_of
from components.training.views import certifications_to_renew

version = current_version()
today = data.today()
f = current_filter()
st.title("Gates & compliance")

mine = current_actor().role == "project_manager"
names = (
    ["My to-do", "Gates", "Compliance", "Methodology"]
    if mine
    else ["Gates", "Compliance", "My to-do", "Methodology"]
)
tabs = dict(zip(names, st.tabs(names, key="tab", bind="query-params"), strict=True))
with tabs["Gates"]:
    if tabs["Gates"].open:
        st.subheader("Awaiting a decision", anchor=False)
        views.pending_section(version, today, f, below_gate=gate_lesson_form(version, today))
        st.subheader("Due or overdue", anchor=False)
        views.gates_due_section(version, today, f)
with tabs["Compliance"]:
    if tabs["Compliance"].open:
        views.compliance_section(version, today, f)
with tabs["My to-do"]:
    if tabs["My to-do"].open:
        me = current_actor().person_id
        views.todo_section(
            version,
            today,
            asked_of_me=asked_of(version, today, me) + certifications_to_renew(version, today, me),
        )
with tabs["Methodology"]:
    if tabs["Methodology"].open:
        views.template_library(version)
