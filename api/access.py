"""Who is calling: a personal access token (Bearer, or Basic with the token as password, as
Power BI and Excel send it), acting with its owner's current role; and how often they may.

The rate limit is a token bucket per token and per client address, kept in this process (each
of N processes behind a proxy allows its own share)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import math
import threading
import time
from dataclasses import dataclass

from starlette.requests import Request

from api.query import ApiError
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


class RateLimiter:
    """A token bucket per key: `per_minute` requests a minute, in bursts of up to that many."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def wait_needed(self, key: str) -> float:
        """0 if the request may go now (and counts it), else the seconds until it may."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate


def _rate(name: str, default: int) -> int:
    return int(setting(name, str(default)) or default)


class Limits:
    """Both limits; a request must pass the client address's and the token's."""

    def __init__(self, per_token: int | None = None, per_client: int | None = None):
        self.token = RateLimiter(per_token or _rate("PMO_API_RATE_PER_MINUTE", 600))
        self.client = RateLimiter(per_client or _rate("PMO_API_CLIENT_RATE_PER_MINUTE", 1200))

    def check(self, client: str, secret: str) -> None:
        key = hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
        wait = max(self.client.wait_needed(client), self.token.wait_needed(key))
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(
                429,
                "TooManyRequests",
                f"Too many requests: try again in {seconds} s.",
                headers={"Retry-After": str(seconds)},
            )
