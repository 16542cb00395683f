"""Lessons learned: search the register with the database's own full-text search, record a
lesson, and (PMO admin) review them."""

import streamlit as st

from components.common import data
from components.common.layout import current_version
from components.lessons import views
from components.lessons.forms import record_lesson_form

version = current_version()
today = data.today()
st.title("Lessons learned")
views.search_section(version, today)
st.subheader("Record a lesson", anchor=False)
record_lesson_form(version, today, key="lesson_new")
