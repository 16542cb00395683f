"""The OpenAPI 3.1 document of /api/v1, built from the entity sets and the write schemas, so it
always says what the server does."""

from __future__ import annotations

from functools import cache

from api.entities import ENTITY_SETS, EntitySet
from api.query import MAX_PAGE
from data_access.core.models import RaidItemCreate, RaidItemUpdate, RiskCreate, RiskUpdate

_JSON_TYPES = {
    "Edm.String": {"type": "string"},
    "Edm.Int64": {"type": "integer"},
    "Edm.Double": {"type": "number"},
    "Edm.Boolean": {"type": "boolean"},
    "Edm.Date": {"type": "string", "format": "date"},
    "Edm.DateTimeOffset": {"type": "string", "format": "date-time"},
}
_SIDEBAR = {
    "portfolio": "Portfolio name",
    "program": "Program name",
    "department": "Department name",
    "manager": "Project manager's name",
    "phase": "Lifecycle phase",
    "status": "Project status (active, on hold, ...)",
    "health": "Overall health: Red, Amber, Stale, Green, Completed",
}


def _param(name: str, description: str, schema: dict | None = None, where="query") -> dict:
    return {
        "name": name,
        "in": where,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def _schema(es: EntitySet) -> dict:
    props = {}
    for p in es.props:
        kind = dict(_JSON_TYPES[p.edm])
        if p.nullable:
            kind["type"] = [kind["type"], "null"]
        props[p.rest_name] = kind
    return {"type": "object", "description": es.description, "properties": props}


def _list_params(es: EntitySet) -> list[dict]:
    params = [
        _param("limit", f"Rows per page (default 100, at most {MAX_PAGE:,})", {"type": "integer"}),
        _param("offset", "Rows to skip (the `next` link sets it)", {"type": "integer"}),
        _param("sort", "Fields to sort by, comma-separated; `-field` sorts descending"),
        _param("fields", "Only these fields, comma-separated"),
        _param("count", "false leaves out the total count", {"type": "boolean"}),
    ]
    if es.prop("ProjectId") is not None:
        params.append(_param("project", "One project, by id or code (PRJ-0042)"))
        params.append(_param("q", "Text in a project's code, name or manager (as the sidebar)"))
        params += [
            {
                **_param(
                    k, f"{v}; repeat for several", {"type": "array", "items": {"type": "string"}}
                ),
                "explode": True,
            }
            for k, v in _SIDEBAR.items()
        ]
    return params


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _write(summary: str, body: dict, *, if_match: bool, created: bool) -> dict:
    params = []
    if if_match:
        params.append(_param("If-Match", "The `version` you read (or its ETag)", where="header"))
    return {
        "summary": summary,
        "parameters": params,
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": {
            "201" if created else "200": {"description": "Saved"},
            "400": _error("Not saved: every problem, by field"),
            "401": _error("No valid token"),
            "403": _error("A read-only token, or the owner's role may not"),
            "409": _error("Someone changed it since you read it; nothing was changed"),
            "428": _error("If-Match is missing"),
            "429": _error("Too many requests: wait Retry-After seconds"),
        },
    }


def _body_schema(model, extra: dict | None = None) -> dict:
    schema = model.model_json_schema()
    schema["properties"] = {**schema.get("properties", {}), **(extra or {})}
    return schema


@cache
def _paths() -> dict:
    paths: dict = {}
    for es in ENTITY_SETS.values():
        who = " (PMO admins only)" if es.admin_only else ""
        ref = {"$ref": f"#/components/schemas/{es.type_name}"}
        paths[f"/api/v1/{es.path}"] = {
            "get": {
                "summary": f"{es.name}{who}: {es.description or 'list'}",
                "parameters": _list_params(es),
                "responses": {
                    "200": {
                        "description": "One page",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "data": {"type": "array", "items": ref},
                                        "count": {"type": "integer"},
                                        "next": {"type": ["string", "null"]},
                                    },
                                }
                            }
                        },
                    },
                    "304": {"description": "Not modified since If-None-Match / If-Modified-Since"},
                    "400": _error("A bad query parameter"),
                    "401": _error("No valid token"),
                },
            }
        }
        paths[f"/api/v1/{es.path}/{{id}}"] = {
            "get": {
                "summary": f"One of {es.name}{who}",
                "parameters": [_param("id", "The record's id", {"type": "integer"}, "path")],
                "responses": {
                    "200": {
                        "description": "The record",
                        "content": {"application/json": {"schema": ref}},
                    },
                    "404": _error("No such record"),
                },
            }
        }
    project = {"project": {"type": "string", "description": "The project's code, or project_id"}}
    paths["/api/v1/status-reports"]["post"] = _write(
        "Submit a status update (what is not sent is pre-filled from last week)",
        {
            "type": "object",
            "properties": {
                **project,
                "project_id": {"type": "integer"},
                **{
                    k: {"type": "string", "enum": ["G", "A", "R"]}
                    for k in ("schedule_rag", "cost_rag", "scope_rag", "risk_rag")
                },
                **{
                    k: {"type": "string"}
                    for k in (
                        "summary",
                        "achievements",
                        "next_steps",
                        "blockers",
                        "override_reason",
                    )
                },
                **{
                    k: {"type": "number"}
                    for k in (
                        "percent_complete",
                        "cost_to_date",
                        "forecast_at_completion",
                        "planned_value",
                    )
                },
                "report_date": {"type": "string", "format": "date"},
            },
        },
        if_match=False,
        created=True,
    )
    paths["/api/v1/milestones/{id}"]["patch"] = _write(
        "Move a milestone's forecast date",
        {
            "type": "object",
            "required": ["forecast_date"],
            "properties": {
                "forecast_date": {"type": "string", "format": "date"},
                "reason": {"type": "string"},
            },
        },
        if_match=True,
        created=False,
    )
    paths["/api/v1/risks"]["post"] = _write(
        "Raise a risk", _body_schema(RiskCreate, project), if_match=False, created=True
    )
    paths["/api/v1/risks/{id}"]["patch"] = _write(
        "Change or re-assess a risk",
        _body_schema(RiskUpdate, {"note": {"type": "string"}}),
        if_match=True,
        created=False,
    )
    paths["/api/v1/raid-items"]["post"] = _write(
        "Raise an assumption, issue, dependency or decision",
        _body_schema(RaidItemCreate, project),
        if_match=False,
        created=True,
    )
    paths["/api/v1/raid-items/{id}"]["patch"] = _write(
        "Change or close a RAID item", _body_schema(RaidItemUpdate), if_match=True, created=False
    )
    return paths


def openapi_document(base_url: str) -> dict:
    schemas = {es.type_name: _schema(es) for es in ENTITY_SETS.values()}
    schemas["Error"] = {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "status": {"type": "integer"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "target": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "PMO dashboard API",
            "version": "1",
            "description": "The portfolio's data as JSON. The same data as an OData v4 feed "
            f"(Power BI, Excel): {base_url}/odata/. Authenticate with a personal access token "
            "(Settings › API tokens): `Authorization: Bearer <token>`, or Basic with the "
            "token as password.",
        },
        "servers": [{"url": base_url}],
        "security": [{"bearer": []}, {"basic": []}],
        "paths": _paths(),
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
            },
        },
    }
