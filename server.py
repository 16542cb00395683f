"""The web server's own routes and middleware, beside Streamlit's pages in one process.

`app.py` builds the server (`st.App`) from these lists when `streamlit run app.py` starts, so
the API shares the pages' data layer and scales out the same way (N processes, one database).
Add a feature's routes or middleware here; keep page code out (nothing here imports it)."""

from __future__ import annotations

import gc
import importlib

from starlette.middleware import Middleware
from starlette.routing import BaseRoute
from streamlit.runtime.pages_manager import PagesManager

from api.routes import api_routes
from components.access.routes import ROUTES as SIGN_IN_ROUTES
from components.access.routes import GuardedDownloads, SecurityHeaders
from components.stakeholders.routes import ROUTES as UNSUBSCRIBE_ROUTES

# app.py routes with st.navigation: never Streamlit's legacy pages/-folder mode, which would run
# a page file alone (without the sign-in gate) on the first request of a fresh process. Set
# before the runtime exists; importing `components` here ran its guard outside a script run.
PagesManager.uses_pages_directory = False


# Libraries only some pages use (workbooks, slide decks: about a second to load), loaded while
# the server starts instead of by the first visitor of such a page after a restart.
PRELOADED = ("domain.spreadsheets", "deck.export", "deck.sources", "deck.template")


def preload() -> None:
    """Load PRELOADED, then set what is loaded by now (some 300,000 objects of modules) aside
    from the garbage collector: a full collection, which the many objects a save's
    recomputed reads create set off, otherwise walks them all each time (0.1-0.2 s in the
    middle of a rerun at tier L)."""
    for name in PRELOADED:
        importlib.import_module(name)
    gc.freeze()


def routes() -> list[BaseRoute]:
    """/api/v1/... (JSON API, OpenAPI document), /odata/... (OData v4 feed), /_pmo/session
    and /_pmo/sign-out (the sign-in cookie: components.access.routes) and /_pmo/unsubscribe
    (reports' one-click unsubscribe: components.stakeholders.routes)."""
    return [*api_routes(), *SIGN_IN_ROUTES, *UNSUBSCRIBE_ROUTES]


def middleware() -> list[Middleware]:
    """Security headers on every answer; /media/ downloads only to signed-in browsers."""
    return [Middleware(SecurityHeaders), Middleware(GuardedDownloads)]
