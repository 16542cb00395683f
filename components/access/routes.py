"""HTTP routes and middleware of the app server (server.py) for signing in and out.

The sign-in cookie is set here, by the server, so it can be HttpOnly: the Streamlit script
cannot set one itself (it only talks to the browser over the WebSocket). After a sign-in the
page sends the one-time code it was given to POST /_pmo/session in an `X-PMO-Code` header;
the answer carries the session token in `Set-Cookie` (HttpOnly, SameSite=Strict, Secure over
HTTPS) and nowhere else. The custom header makes a cross-site form or script unable to call
these routes (a cross-origin request with it needs a CORS preflight that is never granted).
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import streamlit
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from components.common import export
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


def _inline_script_hashes() -> str:
    """CSP hashes of the inline scripts of Streamlit's own page (one line, read from the
    installed package so an upgrade keeps working), allowed without allowing any other."""
    page = (Path(streamlit.__file__).parent / "static" / "index.html").read_text()
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page, re.S)
    digests = (base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in scripts)
    return " ".join(f"'sha256-{d}'" for d in digests)


# What Streamlit needs and no more (found by running the app under it in Chromium): its own
# scripts, WebAssembly ('wasm-unsafe-eval', not 'unsafe-eval'), the blob: modules of custom
# components (the sign-in cookie's), inline styles (emotion), images and fonts from itself or
# data:/blob: URLs (and the Material icon it fetches as the tab's icon), and its WebSocket on
# the same origin. No other site may frame the app or receive its addresses.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' 'wasm-unsafe-eval' blob: {_inline_script_hashes()}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https://fonts.gstatic.com",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
]


class SecurityHeaders:
    """ASGI middleware adding SECURITY_HEADERS to every HTTP answer (WebSockets pass as is)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _download_refusal(request: Request) -> str | None:
    """Why a /media/ file is not served to this request, or None to serve it.

    Streamlit serves /media/ files to anyone holding the address, for as long as some page
    shows them. Here: only to a browser with an open sign-in session (a single sign-on has
    one too), and a data export only for EXPORT_LIFETIME_SECONDS after it was built.
    """
    token = request.cookies.get(sessions.SESSION_COOKIE)
    if sessions.session_for_token(token) is None:
        return "Sign in to download this file."
    try:
        from streamlit.runtime import Runtime

        storage = Runtime.instance().media_file_mgr._storage  # no public accessor
        media = storage.get_file(request.url.path.rsplit("/", 1)[-1])
    except Exception:  # unknown file: Streamlit answers 404 itself
        return None
    age = export.export_age(media.content)
    if age is not None and age > export.EXPORT_LIFETIME_SECONDS:
        return "This download has expired: press the download button again."
    return None


class GuardedDownloads:
    """ASGI middleware: /media/ files only as `_download_refusal` allows (403 otherwise)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/media/"):
            refusal = await run_in_threadpool(_download_refusal, Request(scope))
            if refusal is not None:
                await Response(refusal, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)
