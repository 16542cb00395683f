"""The web server: Streamlit's app (app.py) with the HTTP routes and middleware around it.

Start it with `streamlit run server.py` (./pmo.sh run does): Streamlit finds the `st.App` below
and serves app.py through it. Add routes to `routes` and middleware to `middleware`.
"""

import streamlit as st
from starlette.middleware import Middleware

from components.access.routes import ROUTES as SIGN_IN_ROUTES
from components.access.routes import GuardedDownloads, SecurityHeaders

routes = [*SIGN_IN_ROUTES]
middleware = [Middleware(SecurityHeaders), Middleware(GuardedDownloads)]

app = st.App("app.py", routes=routes, middleware=middleware)
