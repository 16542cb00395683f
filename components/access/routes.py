"""HTTP routes and middleware of the app server (server.py) for signing in and out.

The sign-in cookie is set here, by the server, so it can be HttpOnly: the Streamlit script
cannot set one itself (it only talks to the browser over the WebSocket). After a sign-in the
page sends the one-time code it was given to POST /_pmo/session in an `X-PMO-Code` header;
the answer carries the session token in `Set-Cookie` (HttpOnly, SameSite=Strict, Secure over
HTTPS) and nowhere else. The custom header makes a cross-site form or script unable to call
these routes (a cross-origin request with it needs a CORS preflight that is never granted).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from data_access.core import sessions

CODE_HEADER = "X-PMO-Code"
SESSION_PATH = "/_pmo/session"
SIGN_OUT_PATH = "/_pmo/sign-out"


def _is_https(request: Request) -> bool:
    # Behind the README's nginx the app sees plain HTTP; the proxy says what the browser used.
    return (
        request.url.scheme == "https"
        or request.headers.get("x-forwarded-proto", "").lower() == "https"
    )


async def _start(request: Request) -> Response:
    code = request.headers.get(CODE_HEADER)
    token = await run_in_threadpool(sessions.redeem_code, code) if code else None
    if token is None:
        return Response("That sign-in code is not valid (any more).", status_code=403)
    response = Response(status_code=204)
    response.set_cookie(
        sessions.SESSION_COOKIE,
        token,
        max_age=int(sessions.absolute_lifetime().total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=_is_https(request),
    )
    return response


async def _sign_out(request: Request) -> Response:
    if request.headers.get(CODE_HEADER) is None:
        return Response(status_code=403)
    token = request.cookies.get(sessions.SESSION_COOKIE)
    await run_in_threadpool(sessions.end_token_session, token, "signed out")
    response = Response(status_code=204)
    response.delete_cookie(sessions.SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


ROUTES = [
    Route(SESSION_PATH, _start, methods=["POST"]),
    Route(SIGN_OUT_PATH, _sign_out, methods=["POST"]),
]
