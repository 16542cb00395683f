"""Every route of the API and the OData feed, for the server (server.py) to mount."""

from __future__ import annotations

from starlette.routing import BaseRoute

from api.access import Limits
from api.odata import OData
from api.rest import Rest


def api_routes(limits: Limits | None = None) -> list[BaseRoute]:
    limits = limits or Limits()
    return [*OData(limits).routes(), *Rest(limits).routes()]
