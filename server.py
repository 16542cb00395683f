"""The web server's own routes and middleware, beside Streamlit's pages in one process.

`app.py` builds the server (`st.App`) from these lists when `streamlit run app.py` starts, so
the API shares the pages' data layer and scales out the same way (N processes, one database).
Add a feature's routes or middleware here; keep page code out (nothing here imports it)."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from api.routes import api_routes


def routes() -> list[BaseRoute]:
    """/api/v1/... (JSON API, OpenAPI document) and /odata/... (OData v4 feed)."""
    return [*api_routes()]


def middleware() -> list[Middleware]:
    return []
