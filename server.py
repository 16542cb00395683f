"""The web server: Streamlit's app (app.py) with the HTTP routes and middleware around it.

Start it with `streamlit run server.py` (./pmo.sh run does): Streamlit finds the `st.App` below
and serves app.py through it. Add routes to `routes` and middleware to `middleware`.
"""

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime.pages_manager import PagesManager

from components.access.routes import ROUTES as SIGN_IN_ROUTES
from components.access.routes import GuardedDownloads, SecurityHeaders

# app.py routes with st.navigation: never Streamlit's legacy pages/-folder mode, which would run
# a page file alone (without the sign-in gate) on the first request of a fresh process. Set
# before the runtime exists; importing `components` here ran its guard outside a script run.
PagesManager.uses_pages_directory = False

routes = [*SIGN_IN_ROUTES]
middleware = [Middleware(SecurityHeaders), Middleware(GuardedDownloads)]

app = st.App("app.py", routes=routes, middleware=middleware)
