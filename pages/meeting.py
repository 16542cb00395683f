import streamlit as st

from components.layout import not_built_yet

st.title("Meeting")
not_built_yet(
    7, "Presentation mode, what changed since the last review, decisions and the slide deck"
)
