"""The OData v4 feed (JSON) at /odata/: service document, $metadata (CSDL), entity sets with
$select, $filter, $orderby, $top, $skip, $count and server-driven paging (@odata.nextLink),
single entities by key and /$count. Errors use OData's error format."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode
from xml.sax.saxutils import quoteattr

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from api.access import Limits
from api.entities import ENTITY_SETS, EntitySet
from api.query import MAX_PAGE, ApiError, parse_options, run
from api.service import Context, conditional, serve

NAMESPACE = "PMO"
HEADERS = {"OData-Version": "4.0"}
JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false"


def error_body(exc: ApiError) -> dict:
    """OData's JSON error format; field problems are listed in `details`."""
    error = {"code": exc.code, "message": exc.message}
    if exc.target:
        error["target"] = exc.target
    fields = {k: v for k, v in exc.details.items() if isinstance(v, str)}
    if fields:
        error["details"] = [
            {"code": exc.code, "message": v, "target": k} for k, v in fields.items()
        ]
    return {"error": error}


def _json(payload: dict, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(payload, headers={**HEADERS, **(headers or {})}, media_type=JSON)


def service_root(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/odata"


def entity_set(name: str) -> EntitySet:
    es = ENTITY_SETS.get(name)
    if es is None:
        raise ApiError(404, "NotFound", f"There is no entity set {name!r}.", target=name)
    return es


def metadata_xml() -> str:
    """CSDL for every entity set: one entity type each, keyed by its first property."""
    types = []
    for es in ENTITY_SETS.values():
        props = "".join(
            f'<Property Name="{p.name}" Type="{p.edm}" Nullable="{str(p.nullable).lower()}"/>'
            for p in es.props
        )
        types.append(
            f'<EntityType Name="{es.type_name}"><Key><PropertyRef Name="{es.key.name}"/></Key>'
            f"{props}</EntityType>"
        )
    sets = "".join(
        f'<EntitySet Name="{es.name}" EntityType="{NAMESPACE}.{es.type_name}">'
        f'<Annotation Term="Core.Description" String={quoteattr(es.description or es.name)}/>'
        "</EntitySet>"
        for es in ENTITY_SETS.values()
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">'
        '<edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/'
        'Org.OData.Core.V1.xml"><edmx:Include Namespace="Org.OData.Core.V1" Alias="Core"/>'
        "</edmx:Reference><edmx:DataServices>"
        f'<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="{NAMESPACE}">'
        f"{''.join(types)}"
        f'<EntityContainer Name="ProjectData">{sets}</EntityContainer>'
        "</Schema></edmx:DataServices></edmx:Edmx>"
    )


def _page_size(request: Request) -> tuple[int, dict]:
    """The server's page, smaller if the client prefers (Prefer: odata.maxpagesize=N)."""
    found = re.search(r"odata\.maxpagesize=(\d+)", request.headers.get("prefer", ""))
    if found and 0 < int(found.group(1)) < MAX_PAGE:
        size = int(found.group(1))
        return size, {"Preference-Applied": f"odata.maxpagesize={size}"}
    return MAX_PAGE, {}


def _next_link(request: Request, es: EntitySet, skip: int, top: int | None) -> str:
    params = {k: v for k, v in request.query_params.items() if k not in ("$skip", "$top")}
    params["$skip"] = str(skip)
    if top is not None:
        params["$top"] = str(top)
    return f"{service_root(request)}/{es.name}?{urlencode(params, quote_via=quote, safe='$,')}"


_KEYED = re.compile(r"^(\w+)\((\d+)\)$")


class OData:
    def __init__(self, limits: Limits):
        self.limits = limits

    def routes(self) -> list[Route]:
        return [
            Route("/odata", self.root),
            Route("/odata/", self.root),
            Route("/odata/$metadata", self.metadata),
            Route("/odata/{name}/$count", self.count),
            Route("/odata/{name}", self.read),
        ]

    def _serve(self, request: Request, work) -> Response:
        response = serve(request, self.limits, work, error_body)
        response.headers.update(HEADERS)  # errors too: clients check the protocol version
        return response

    def root(self, request: Request) -> Response:
        def work(_ctx: Context) -> Response:
            value = [
                {"name": es.name, "kind": "EntitySet", "url": es.name}
                for es in ENTITY_SETS.values()
            ]
            root = service_root(request)
            return _json({"@odata.context": f"{root}/$metadata", "value": value})

        return self._serve(request, work)

    def metadata(self, request: Request) -> Response:
        def work(_ctx: Context) -> Response:
            return Response(metadata_xml(), media_type="application/xml", headers=HEADERS)

        return self._serve(request, work)

    def count(self, request: Request) -> Response:
        def work(ctx: Context) -> Response:
            es = entity_set(request.path_params["name"])
            params = {k: v for k, v in request.query_params.items() if k == "$filter"}
            version, _ = ctx.state()
            opts = parse_options(es, params)
            opts.count, opts.top = True, 0
            page = run(es, ctx.source(es, version), opts, page_size=1)
            return PlainTextResponse(str(page.total), headers=HEADERS)

        return self._serve(request, work)

    def read(self, request: Request) -> Response:
        def work(ctx: Context) -> Response:
            name = request.path_params["name"]
            keyed = _KEYED.match(name)
            es = entity_set(keyed.group(1) if keyed else name)
            version, changed = ctx.state()
            headers, current = conditional(ctx, version, changed)
            if current:
                return Response(status_code=304, headers={**HEADERS, **headers})
            opts = parse_options(es, dict(request.query_params))
            root = service_root(request)
            selected = f"({','.join(opts.select)})" if opts.select else ""
            source = ctx.source(es, version)
            if keyed:
                key = source.table.c[es.key.name] == int(keyed.group(2))
                page = run(es, source, opts, page_size=1, where=[key])
                if not page.rows:
                    raise ApiError(404, "NotFound", f"{es.name}({keyed.group(2)}) does not exist.")
                context = f"{root}/$metadata#{es.name}{selected}/$entity"
                return _json({"@odata.context": context, **page.rows[0]}, headers)
            size, applied = _page_size(request)
            page = run(es, source, opts, page_size=size)
            body: dict = {"@odata.context": f"{root}/$metadata#{es.name}{selected}"}
            if page.total is not None:
                body["@odata.count"] = page.total
            body["value"] = page.rows
            if page.more:
                left = None if opts.top is None else opts.top - len(page.rows)
                body["@odata.nextLink"] = _next_link(request, es, opts.skip + len(page.rows), left)
            return _json(body, {**headers, **applied})

        return self._serve(request, work)
