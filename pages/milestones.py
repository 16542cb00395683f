import streamlit as st

from components.layout import not_built_yet

st.title("Milestones")
not_built_yet(4, "Milestone burndown, trend analysis and slippage")
