"""What every API and OData request goes through: the database ready, the rate limit, the
token, then the work; and every refusal turned into the right status with a readable body."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.access import Caller, Limits, authenticate, presented_secret
from api.entities import EntitySet, Source, projects_source
from api.query import ApiError
from data_access.core import clock
from data_access.core.config import database_url
from data_access.core.db import UNAVAILABLE_ERRORS, get_engine
from data_access.core.models import AuditLog, DataVersion
from data_access.core.writes import ConflictError, NotFound, PermissionDenied, ValidationFailed
from data_access.demo.loader import prepare_database

log = logging.getLogger("pmo.api")

_ready: set[str] = set()
_ready_lock = threading.Lock()


def ensure_ready(url: str) -> None:
    """Migrate (and load the demo portfolio) once per process, as the pages do."""
    with _ready_lock:
        if url not in _ready:
            prepare_database(url)
            _ready.add(url)


@dataclass(frozen=True)
class Context:
    request: Request
    caller: Caller
    url: str
    today: dt.date

    @property
    def engine(self) -> sa.Engine:
        return get_engine(self.url)

    def state(self) -> tuple[int, dt.datetime | None]:
        """The data version and when the data last changed (the newest audit row)."""
        with self.engine.connect() as conn:
            version = conn.execute(sa.select(DataVersion.version)).scalar() or 0
            changed = conn.execute(sa.select(sa.func.max(AuditLog.at))).scalar()
        if isinstance(changed, str):  # SQLite hands an aggregate back as text
            changed = dt.datetime.fromisoformat(changed)
        return int(version), changed

    def source(self, es: EntitySet, version: int) -> Source:
        if es.admin_only and self.caller.actor.role != "admin":
            raise ApiError(403, "Forbidden", f"Only a PMO admin may read {es.name}.")
        return es.source(self.engine, self.url, version, self.today)

    def projects(self, version: int) -> Source:
        return projects_source(self.url, version, self.today)


ErrorBody = Callable[[ApiError], dict]


def serve(
    request: Request, limits: Limits, work: Callable[[Context], Response], body: ErrorBody
) -> Response:
    """Authenticate, rate-limit and run `work`; any refusal becomes `body(error)` as JSON."""
    try:
        secret = presented_secret(request)
        url = database_url()
        ensure_ready(url)
        limits.check(request.client.host if request.client else "unknown", secret, url=url)
        today = clock.today()
        caller = authenticate(secret, url=url, today=today)
        return work(Context(request, caller, url, today))
    except ApiError as exc:
        return error_response(exc, body)
    except ValidationFailed as exc:
        fields = ", ".join(k for k in exc.errors if k) or "the record"
        error = ApiError(400, "ValidationFailed", f"Not saved: check {fields}.", details=exc.errors)
        return error_response(error, body)
    except ConflictError as exc:
        error = ApiError(409, "Conflict", str(exc), details={"current": exc.current})
        return error_response(error, body)
    except PermissionDenied as exc:
        return error_response(ApiError(403, "Forbidden", str(exc)), body)
    except NotFound as exc:
        return error_response(ApiError(404, "NotFound", str(exc)), body)
    except UNAVAILABLE_ERRORS:
        log.exception("database unavailable")
        error = ApiError(
            503,
            "Unavailable",
            "The database cannot be reached right now; try again shortly.",
            headers={"Retry-After": "5"},
        )
        return error_response(error, body)


def error_response(exc: ApiError, body: ErrorBody) -> Response:
    return JSONResponse(body(exc), status_code=exc.status, headers=exc.headers)


def conditional(ctx: Context, version: int, changed: dt.datetime | None) -> tuple[dict, bool]:
    """Validators for a read at this data version, and whether the client's copy is current
    (If-None-Match, else If-Modified-Since): then the answer is 304 without a body."""
    etag = f'W/"{version}-{ctx.today.isoformat()}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if changed is not None:
        moment = changed if changed.tzinfo else changed.replace(tzinfo=dt.UTC)
        # Health moves with the day (a report turns stale) even when no data changed.
        moment = max(moment, dt.datetime.combine(ctx.today, dt.time.min, dt.UTC))
        headers["Last-Modified"] = email.utils.format_datetime(moment.astimezone(dt.UTC), True)
    match = ctx.request.headers.get("if-none-match")
    if match is not None:
        return headers, etag in [t.strip() for t in match.split(",")] or match.strip() == "*"
    since = ctx.request.headers.get("if-modified-since")
    if since and changed is not None:
        try:
            client = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return headers, False
        return headers, moment.replace(microsecond=0) <= client
    return headers, False
