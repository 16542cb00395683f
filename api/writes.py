"""The writes a project manager makes each week, through the same functions as the forms:
a status update, a milestone forecast moved, a risk or RAID item raised or changed.

Same validation (every problem in one 400 naming the fields), same role rules (403, and the
refusal is audited), same conflict rule (the version the client read as `If-Match`; a stale
one gets 409 and changes nothing), same audit rows. A read-only token may not write."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from typing import Any

import pydantic
import sqlalchemy as sa
from sqlmodel import SQLModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.query import ApiError, bad_request, jsonable
from api.service import Context
from data_access.core import records
from data_access.core.db import session_scope
from data_access.core.models import (
    Project,
    RaidItemCreate,
    RaidItemUpdate,
    RiskCreate,
    RiskUpdate,
    StatusReportCreate,
)
from data_access.core.settings import get_settings
from data_access.core.writes import ValidationFailed, check_text, validate
from data_access.updates import commands, raid_commands
from domain import status_update

Work = Callable[[Context], Response]
Serve = Callable[[Request, Work], Response]
FIGURES = ("percent_complete", "cost_to_date", "forecast_at_completion")
STATUS_FIELDS = {
    "report_date",
    "schedule_rag",
    "cost_rag",
    "scope_rag",
    "risk_rag",
    "override_reason",
    *status_update.TEXTS,
    *FIGURES,
    "planned_value",
}


MAX_BODY = 1_000_000  # bytes: a status update is a few kilobytes


def _body(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_BODY:
        raise ApiError(413, "PayloadTooLarge", f"The body is over {MAX_BODY:,} bytes.")
    try:
        data = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise bad_request(f"The body is not JSON: {exc}.") from exc
    if not isinstance(data, dict):
        raise bad_request("The body must be a JSON object of field names and values.")
    return data


def _if_match(request: Request, *, required: bool) -> int | None:
    """The version the client read, from `If-Match: "7"` (W/ and quotes optional)."""
    text = request.headers.get("if-match")
    if text is None:
        if required:
            raise ApiError(
                428,
                "PreconditionRequired",
                "Send the version you read as If-Match (the record's `version`, or its ETag), "
                "so a change made meanwhile by someone else is never overwritten.",
            )
        return None
    value = text.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise bad_request(f"If-Match must be a version number, not {text!r}.", "If-Match")
    return int(value)


def _unknown(data: dict, allowed: set[str]) -> dict[str, str]:
    return {k: "is not a field that can be set here" for k in data if k not in allowed}


def _all_problems(data: dict, allowed: set[str], schema: type[SQLModel], known: dict) -> None:
    """Unknown fields and the schema's problems together, in one refusal."""
    errors = _unknown(data, allowed)
    try:
        validate(schema, known)
    except ValidationFailed as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise ValidationFailed(errors)


def _project_id(ctx: Context, data: dict) -> int:
    """`project_id`, or `project` as a code (PRJ-0042): the project the record belongs to."""
    code = data.pop("project", None)
    if code is None:
        return data.get("project_id")
    with ctx.engine.connect() as conn:
        found = conn.execute(sa.select(Project.id).where(Project.code == str(code))).scalar()
    if found is None:
        raise ValidationFailed({"project": f"no project has the code {code!r}"})
    data["project_id"] = found
    return found


def _require_write(ctx: Context) -> None:
    if not ctx.caller.may_write:
        raise ApiError(403, "Forbidden", "This token is read-only: create a read-write token.")


def _created(request: Request, path: str, new_id: int, **extra) -> Response:
    location = f"{str(request.base_url).rstrip('/')}/api/v1/{path}/{new_id}"
    return JSONResponse(
        {"id": new_id, **extra, "url": location}, status_code=201, headers={"Location": location}
    )


def _changed(row: dict) -> Response:
    return JSONResponse(
        {k: jsonable(v) for k, v in row.items()}, headers={"ETag": f'"{row["version"]}"'}
    )


# --- status update ----------------------------------------------------------------------


def _figures(values: dict, loaded: dict) -> dict[str, float]:
    """Figures being sent move the cost dimension; unusable ones are judged as loaded."""
    return {
        f: values[f]
        if isinstance(values.get(f), int | float) and math.isfinite(values[f])
        else loaded[f]
        for f in FIGURES
    }


def submit_status(ctx: Context, raw: bytes) -> Response:
    """Like the Quick updates form: what is not sent is pre-filled from last week, a rating
    that differs from the computed health needs a reason and becomes an override."""
    _require_write(ctx)
    data = _body(raw)
    project_id = _project_id(ctx, data)
    data.pop("project_id", None)
    errors = _unknown(data, STATUS_FIELDS)
    project = records.record(Project, project_id, ctx.url) if isinstance(project_id, int) else None
    if project is None:
        raise ValidationFailed({**errors, "project_id": "is required: the project's id or code"})
    version, _ = ctx.state()
    health = ctx.projects(version).health
    facts = health[health.id == project_id].iloc[0].to_dict()
    settings = get_settings(ctx.url)
    loaded = {
        "percent_complete": project["percent_complete"],
        "cost_to_date": project["actual_cost"],
        "forecast_at_completion": project["forecast_at_completion"],
    }
    previous = records.latest_report(project_id, ctx.url)
    computed = status_update.computed_health(facts, settings, ctx.today, loaded)
    values = {**status_update.prefill(previous, project, computed, ctx.today), **data}
    computed = status_update.computed_health(facts, settings, ctx.today, _figures(values, loaded))
    report = status_update.report_data(project_id, values, computed)
    errors = {**status_update.check(values, computed), **errors}
    try:
        validate(StatusReportCreate, report)
    except ValidationFailed as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise ValidationFailed(errors)
    expected = _if_match(ctx.request, required=False)
    with session_scope(ctx.url) as session:
        new_id = commands.submit_status_report(
            report, session=session, actor=ctx.caller.actor, expected_latest_report=expected
        )
    return _created(
        ctx.request,
        "status-reports",
        new_id,
        override_rag=report["override_rag"],
        computed={d: computed[d][0] for d in status_update.COMPUTED},
    )


# --- milestones -------------------------------------------------------------------------


def move_milestone(ctx: Context, raw: bytes, milestone_id: int) -> Response:
    _require_write(ctx)
    data = _body(raw)
    errors = _unknown(data, {"forecast_date", "reason"})
    try:
        forecast = pydantic.TypeAdapter(dt.date).validate_python(data.get("forecast_date"))
    except pydantic.ValidationError:
        given = data.get("forecast_date")
        errors["forecast_date"] = (
            "is required" if given is None else "must be a date such as 2026-11-25"
        )
    reason = data.get("reason", "")
    if not isinstance(reason, str):
        errors["reason"] = "must be text"
    if errors:
        raise ValidationFailed(errors)
    check_text("reason", reason)
    expected = _if_match(ctx.request, required=True)
    with session_scope(ctx.url) as session:
        row = commands.move_milestone(
            milestone_id,
            forecast,
            reported_on=ctx.today,
            expected_version=expected,
            session=session,
            actor=ctx.caller.actor,
            reason=reason,
        )
    return _changed(row)


# --- risks and RAID items ---------------------------------------------------------------


def raise_risk(ctx: Context, raw: bytes) -> Response:
    _require_write(ctx)
    data = _body(raw)
    _project_id(ctx, data)
    _all_problems(data, set(RiskCreate.model_fields), RiskCreate, data)
    with session_scope(ctx.url) as session:
        new_id = commands.create_risk(
            data, raised_on=ctx.today, session=session, actor=ctx.caller.actor
        )
    return _created(ctx.request, "risks", new_id, version=1)


def change_risk(ctx: Context, raw: bytes, risk_id: int) -> Response:
    _require_write(ctx)
    data = _body(raw)
    note = data.pop("note", "")
    errors = _unknown(data, set(RiskUpdate.model_fields))
    if errors:
        raise ValidationFailed(errors)
    expected = _if_match(ctx.request, required=True)
    with session_scope(ctx.url) as session:
        row = commands.update_risk(
            risk_id,
            data,
            assessed_on=ctx.today,
            expected_version=expected,
            session=session,
            actor=ctx.caller.actor,
            note=note if isinstance(note, str) else str(note),
        )
    return _changed(row)


def raise_raid_item(ctx: Context, raw: bytes) -> Response:
    _require_write(ctx)
    data = _body(raw)
    _project_id(ctx, data)
    _all_problems(data, set(RaidItemCreate.model_fields), RaidItemCreate, data)
    with session_scope(ctx.url) as session:
        new_id = raid_commands.create_raid_item(
            data, raised_on=ctx.today, session=session, actor=ctx.caller.actor
        )
    return _created(ctx.request, "raid-items", new_id, version=1)


def change_raid_item(ctx: Context, raw: bytes, item_id: int) -> Response:
    _require_write(ctx)
    data = _body(raw)
    errors = _unknown(data, set(RaidItemUpdate.model_fields))
    if errors:
        raise ValidationFailed(errors)
    expected = _if_match(ctx.request, required=True)
    with session_scope(ctx.url) as session:
        row = raid_commands.update_raid_item(
            item_id,
            data,
            on=ctx.today,
            expected_version=expected,
            session=session,
            actor=ctx.caller.actor,
        )
    return _changed(row)


def routes(serve: Serve) -> list[Route]:
    """Each write reads its body, then runs like a read (token, rate limit, errors)."""

    def endpoint(handler: Callable[..., Response], with_id: bool) -> Callable:
        async def run(request: Request) -> Response:
            raw = await request.body()
            ids = (int(request.path_params["id"]),) if with_id else ()
            return await run_in_threadpool(serve, request, lambda ctx: handler(ctx, raw, *ids))

        return run

    return [
        Route("/api/v1/status-reports", endpoint(submit_status, False), methods=["POST"]),
        Route("/api/v1/milestones/{id:int}", endpoint(move_milestone, True), methods=["PATCH"]),
        Route("/api/v1/risks", endpoint(raise_risk, False), methods=["POST"]),
        Route("/api/v1/risks/{id:int}", endpoint(change_risk, True), methods=["PATCH"]),
        Route("/api/v1/raid-items", endpoint(raise_raid_item, False), methods=["POST"]),
        Route("/api/v1/raid-items/{id:int}", endpoint(change_raid_item, True), methods=["PATCH"]),
    ]
