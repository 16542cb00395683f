import streamlit as st

from components.layout import not_built_yet

st.title("Resources")
not_built_yet(11, "Capacity heatmap, over-allocation, budget and earned value")
