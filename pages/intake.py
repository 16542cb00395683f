"""Intake & selection: proposals ranked by priority, scoring, the selection under budget and
capacity with its efficient frontier, saved scenarios compared and approved, strategic drivers
and their weights, benefits planned vs realised. Tabs kept in the URL (`view`)."""

import streamlit as st

from components.access.session import is_admin
from components.common import data
from components.common.layout import current_version
from components.intake import forms, views

version = current_version()
today = data.today()

st.title("Intake & selection")
names = ["Proposals", "Selection", "Scenarios", "Benefits", "Drivers"]
tabs = dict(zip(names, st.tabs(names, key="view", bind="query-params"), strict=True))
if tabs["Proposals"].open:
    with tabs["Proposals"]:
        views.proposals(version, today)
if tabs["Selection"].open:
    with tabs["Selection"]:
        views.selection(version, today)
if tabs["Scenarios"].open:
    with tabs["Scenarios"]:
        views.scenarios(version, today)
if tabs["Benefits"].open:
    with tabs["Benefits"]:
        views.benefits(version, today)
if tabs["Drivers"].open:
    with tabs["Drivers"]:
        if is_admin():
            forms.drivers_form(version)
        else:
            views.drivers_table(version)
