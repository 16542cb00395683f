"""My inbox, the reports I subscribe to, and which notifications also come by e-mail."""

import streamlit as st

from components.access.session import current_actor
from components.common import data
from components.common.layout import current_filter, current_version
from components.common.record_form import show_flash
from components.stakeholders.views import (
    inbox_section,
    notification_section,
    subscriptions_section,
)

actor = current_actor()
version = current_version()
st.title("Inbox")
show_flash()
if actor.person_id is None:
    st.info("The inbox belongs to a person: sign in with your own account.")
    st.stop()
projects = data.portfolio_health(version, data.today())[["id", "code", "name"]]
tab_inbox, tab_subs, tab_notes = st.tabs(
    ["Messages", "My reports", "Notifications"], key="inbox_tab", bind="query-params"
)
with tab_inbox:
    inbox_section(version, actor)
with tab_subs:
    subscriptions_section(version, actor, current_filter(), projects)
with tab_notes:
    notification_section(version, actor)
