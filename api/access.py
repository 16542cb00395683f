"""Who is calling: a personal access token (Bearer, or Basic with the token as password, as
Power BI and Excel send it), acting with its owner's current role; and how often they may.

The rate limit is a token bucket per token and per client address, kept in the database
(`data_access.api_tokens.rate`), so N processes behind a proxy share it."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import math
from dataclasses import dataclass

from starlette.requests import Request

from api.query import ApiError
from data_access.api_tokens import rate
from data_access.api_tokens.reads import check_token
from data_access.core.auth import actor_for_person
from data_access.core.config import setting
from data_access.core.writes import Actor

CHALLENGE = {"WWW-Authenticate": 'Basic realm="PMO dashboard API", charset="UTF-8", Bearer'}


@dataclass(frozen=True)
class Caller:
    actor: Actor
    scope: str
    token_id: int

    @property
    def may_write(self) -> bool:
        return self.scope == "read-write"


def presented_secret(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            user, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise unauthorized("The Basic credentials are not valid base64.") from None
        # Any user name; the token is the password (some clients put it in the user name).
        return password or user
    raise unauthorized(
        "Send a personal access token (create one in the app under Settings › API tokens): "
        "'Authorization: Bearer <token>', or Basic authentication with the token as password."
    )


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "Unauthorized", message, headers=CHALLENGE)


def authenticate(secret: str, *, url: str, today: dt.date) -> Caller:
    use = check_token(secret, today=today, url=url)
    if use.problem:
        raise unauthorized(use.problem)
    actor = actor_for_person(use.person_id, url)
    if actor is None:
        raise unauthorized("The token's owner can no longer sign in.")
    return Caller(actor=actor, scope=use.scope, token_id=use.token_id)


def _rate(name: str, default: int) -> int:
    return int(setting(name, str(default)) or default)


class Limits:
    """Both limits; a request must pass the client address's and the token's."""

    def __init__(self, per_token: int | None = None, per_client: int | None = None):
        self.per_token = per_token or _rate("PMO_API_RATE_PER_MINUTE", 600)
        self.per_client = per_client or _rate("PMO_API_CLIENT_RATE_PER_MINUTE", 1200)

    def check(self, client: str, secret: str, *, url: str) -> None:
        token = hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
        wait = rate.take(
            [(f"client:{client}", self.per_client), (f"token:{token}", self.per_token)], url=url
        )
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(
                429,
                "TooManyRequests",
                f"Too many requests: try again in {seconds} s.",
                headers={"Retry-After": str(seconds)},
            )
