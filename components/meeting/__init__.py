"""Portfolio review page: cached review reads, the review's forms and the slides drawn in
Streamlit.
"""
