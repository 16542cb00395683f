import streamlit as st

from components.layout import not_built_yet

st.title("Risks")
not_built_yet(5, "The probability-impact matrix, risk register, exposure trend and RAID log")
