import streamlit as st

from components.layout import not_built_yet

st.title("Admin")
not_built_yet(8, "Sign-in, roles, people, programs, departments and thresholds")
