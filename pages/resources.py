"""Resources & money: people's capacity and load, and the portfolio's budget and earned value.
Two tabs kept in the URL (`view`); only the open one runs."""

import streamlit as st

from components.common import data
from components.common.layout import current_filter, current_version
from components.resources import capacity_view, money_view
from components.resources import forms as allocation_forms

version = current_version()
today = data.today()
f = current_filter()

st.title("Resources & money")
people_tab, money_tab = st.tabs(["People & capacity", "Money"], key="view", bind="query-params")
if people_tab.open:
    with people_tab:
        capacity_view.render(version, today, f)
        allocation_forms.render(version)
if money_tab.open:
    with money_tab:
        money_view.render(version, today, f)
