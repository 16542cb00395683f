"""The unsubscribe address in every report's List-Unsubscribe header (RFC 8058).

A mail client's one-click unsubscribe POSTs to it and gets a plain answer; a person who opens
it in a browser is sent on to the app's unsubscribe page, which ends the subscription when the
page runs (a link scanner that only fetches the address unsubscribes nobody)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from data_access.core.config import database_url
from data_access.core.db import session_scope
from data_access.stakeholders import commands
from data_access.stakeholders.commands import UNSUBSCRIBE_PATH


def _end(token: str) -> bool:
    with session_scope(database_url()) as session:
        return commands.unsubscribe(token, session=session) is not None


async def _unsubscribe(request: Request) -> Response:
    token = request.query_params.get("token", "")
    if request.method == "GET":
        return RedirectResponse(f"/?{urlencode({'unsubscribe': token})}", status_code=303)
    if not token:
        return PlainTextResponse("The unsubscribe address has no token.", status_code=400)
    ended = await run_in_threadpool(_end, token)
    return PlainTextResponse(
        "Unsubscribed: this report will not be sent to you again."
        if ended
        else "This subscription has already ended."
    )


ROUTES = [Route(UNSUBSCRIBE_PATH, _unsubscribe, methods=["GET", "POST"])]
