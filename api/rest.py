"""The JSON API at /api/v1: every entity set as a list (filters like the sidebar's, paging with
a next link, conditional GET from the data version) and one record by id; the writes a project
manager makes each week (api.writes); the OpenAPI document."""

from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api import writes
from api.access import Limits
from api.entities import ENTITY_SETS, EntitySet, Source
from api.openapi import openapi_document
from api.query import MAX_PAGE, ApiError, Options, bad_request, run
from api.service import Context, conditional, serve
from domain.filters import PortfolioFilter, apply_filter

DEFAULT_LIMIT = 100
BY_PATH = {es.path: es for es in ENTITY_SETS.values()}
# The sidebar's filters, by query parameter (repeat one to choose several values).
SIDEBAR = ("portfolio", "program", "department", "manager", "phase", "status", "health")
PAGING = ("limit", "offset", "sort", "fields", "project", "q", "count")


def error_body(exc: ApiError) -> dict:
    error: dict = {"status": exc.status, "code": exc.code, "message": exc.message}
    if exc.target:
        error["target"] = exc.target
    if exc.details:
        key = "fields" if exc.code == "ValidationFailed" else "details"
        error[key] = exc.details
    return {"error": error}


def _set(path: str) -> EntitySet:
    es = BY_PATH.get(path)
    if es is None:
        known = ", ".join(sorted(BY_PATH))
        raise ApiError(404, "NotFound", f"There is no /api/v1/{path}; there are: {known}.")
    return es


def _prop_name(es: EntitySet, rest_name: str, target: str) -> str:
    prop = next((p for p in es.props if p.rest_name == rest_name), None)
    if prop is None:
        raise bad_request(f"{es.path} has no field {rest_name!r}.", target)
    return prop.name


def _options(es: EntitySet, request: Request) -> Options:
    q = request.query_params
    unknown = [k for k in q if k not in SIDEBAR + PAGING]
    if unknown:
        raise bad_request(f"Unknown query parameter {unknown[0]!r}.", unknown[0])
    opts = Options()
    for name, low, high in (("limit", 1, MAX_PAGE), ("offset", 0, None)):
        text = q.get(name)
        if text is None:
            continue
        if not text.isdigit() or int(text) < low or (high and int(text) > high):
            bound = f"between {low} and {high:,}" if high else f"at least {low}"
            raise bad_request(f"{name} must be a whole number {bound}.", name)
    opts.top = int(q.get("limit", DEFAULT_LIMIT))
    opts.skip = int(q.get("offset", 0))
    if q.get("fields"):
        opts.select = [_prop_name(es, f.strip(), "fields") for f in q["fields"].split(",")]
    for part in filter(None, (s.strip() for s in q.get("sort", "").split(","))):
        name = _prop_name(es, part.lstrip("-"), "sort")
        opts.orderby.append((name, part.startswith("-")))
    opts.count = q.get("count", "true") != "false"
    return opts


def _project_ids(ctx: Context, version: int) -> list[int] | None:
    """Projects the sidebar-like filters and `project` choose, or None when none is given."""
    q = ctx.request.query_params
    chosen = {f: tuple(q.getlist(f)) for f in SIDEBAR if q.getlist(f)}
    project = q.get("project")
    if not chosen and not q.get("q") and project is None:
        return None
    health = ctx.projects(version).health
    rows = apply_filter(health, PortfolioFilter(**chosen, text=q.get("q", "")))
    if project is not None:
        rows = rows[(rows.code == project) | (rows.id.astype(str) == project)]
    return [int(i) for i in rows.id]


def _where(es: EntitySet, source: Source, ids: list[int] | None) -> list[sa.ColumnElement]:
    if ids is None:
        return []
    if es.prop("ProjectId") is None:
        raise bad_request(f"{es.path} do not belong to projects: project filters do not apply.")
    return [source.table.c.ProjectId.in_(ids)]


def _rest_row(es: EntitySet, row: dict) -> dict:
    names = {p.name: p.rest_name for p in es.props}
    return {names[k]: v for k, v in row.items()}


class Rest:
    def __init__(self, limits: Limits):
        self.limits = limits

    def routes(self) -> list[Route]:
        return [
            Route("/api/v1/openapi.json", self.openapi),
            *writes.routes(self._serve),
            Route("/api/v1/{path}", self.list),
            Route("/api/v1/{path}/{id:int}", self.one),
        ]

    def _serve(self, request: Request, work) -> Response:
        return serve(request, self.limits, work, error_body)

    def openapi(self, request: Request) -> Response:
        return JSONResponse(openapi_document(str(request.base_url).rstrip("/")))

    def list(self, request: Request) -> Response:
        def work(ctx: Context) -> Response:
            es = _set(request.path_params["path"])
            version, changed = ctx.state()
            headers, current = conditional(ctx, version, changed)
            if current:
                return Response(status_code=304, headers=headers)
            opts = _options(es, request)
            source = ctx.source(es, version)
            where = _where(es, source, _project_ids(ctx, version))
            page = run(es, source, opts, page_size=MAX_PAGE, where=where)
            body: dict = {"data": [_rest_row(es, r) for r in page.rows]}
            if page.total is not None:
                body["count"] = page.total
            body["next"] = None
            if page.total is not None and opts.skip + len(page.rows) < page.total:
                params = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
                params.append(("offset", str(opts.skip + len(page.rows))))
                body["next"] = f"{request.url.replace(query=urlencode(params))}"
            return JSONResponse(body, headers=headers)

        return self._serve(request, work)

    def one(self, request: Request) -> Response:
        def work(ctx: Context) -> Response:
            es = _set(request.path_params["path"])
            version, changed = ctx.state()
            headers, current = conditional(ctx, version, changed)
            if current:
                return Response(status_code=304, headers=headers)
            source = ctx.source(es, version)
            key = source.table.c[es.key.name] == request.path_params["id"]
            page = run(es, source, Options(), page_size=1, where=[key])
            if not page.rows:
                raise ApiError(404, "NotFound", f"{es.path} {request.path_params['id']} not found.")
            row = _rest_row(es, page.rows[0])
            if "version" in row:  # the version to send back as If-Match when changing it
                headers["ETag"] = f'"{row["version"]}"'
            return JSONResponse(row, headers=headers)

        return self._serve(request, work)
