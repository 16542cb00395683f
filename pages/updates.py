import streamlit as st

from components.layout import not_built_yet

st.title("Updates")
not_built_yet(6, "Weekly status, milestone and RAID entry forms with import and export")
