"""Lessons learned and competence: search the register with the database's own full-text
search, record a lesson, (PMO admin) review them; the templates library; the project
managers' competence matrix."""

import streamlit as st

from components.access.session import current_actor
from components.common import data
from components.common.layout import current_version
from components.lessons import views
from components.lessons.forms import record_lesson_form
from components.library.views import library_section
from components.training.forms import catalogue_section, rule_section, training_records_section
from components.training.views import competence_section, my_certifications

version = current_version()
today = data.today()
st.title("Lessons learned")
lessons_tab, library_tab, competence_tab = st.tabs(
    ["Lessons", "Templates", "Competence"], key="tab", bind="query-params"
)
with lessons_tab:
    if lessons_tab.open:
        views.search_section(version, today)
        st.subheader("Record a lesson", anchor=False)
        record_lesson_form(version, today, key="lesson_new")
with library_tab:
    if library_tab.open:
        library_section(version, today)
with competence_tab:
    if competence_tab.open:
        my_certifications(version, today, current_actor().person_id)
        competence_section(version, today)
        training_records_section(version, today)
        rule_section(version)
        catalogue_section(version)
