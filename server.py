"""The web server: Streamlit's app (app.py) with the HTTP routes and middleware around it.

Start it with `streamlit run server.py` (./pmo.sh run does): Streamlit finds the `st.App` below
and serves app.py through it. Add routes to `routes` and middleware to `middleware`.
"""

import streamlit as st

from components.access.routes import ROUTES as SIGN_IN_ROUTES

routes = [*SIGN_IN_ROUTES]
middleware = []

app = st.App("app.py", routes=routes, middleware=middleware)
