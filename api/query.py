"""Query options ($select, $filter, $orderby, $top, $skip, $count) turned into one SQL query.

`$filter` is parsed by the `odata-query` package into a SQLAlchemy expression over the set's
columns; property names are looked up among the set's declared properties, and every value
becomes a bound parameter, so nothing from a query string reaches SQL as text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from odata_query import exceptions as odata_errors
from odata_query.grammar import ODataLexer, ODataParser
from odata_query.sqlalchemy.core import AstToSqlAlchemyCoreVisitor

from api.entities import EntitySet, Source

# A page holds at most this many rows; asking for more with $top is refused (400).
MAX_PAGE = 5000


class ApiError(Exception):
    """A refusal with its HTTP status, a stable code, words for a person and the field at fault."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        target: str | None = None,
        details: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.target, self.details, self.headers = target, details or {}, headers or {}


def bad_request(message: str, target: str | None = None) -> ApiError:
    return ApiError(400, "BadRequest", message, target)


@dataclass
class Options:
    select: list[str] | None = None
    filter: str | None = None
    orderby: list[tuple[str, bool]] = field(default_factory=list)  # (property, descending)
    top: int | None = None
    skip: int = 0
    count: bool = False


def _whole(text: str | None, name: str, low: int, high: int | None = None) -> int | None:
    if text is None or text == "":
        return None
    if not re.fullmatch(r"\d+", text.strip()):
        raise bad_request(f"{name} must be a whole number, not {text!r}.", name)
    value = int(text)
    if value < low or (high is not None and value > high):
        limit = f"between {low} and {high:,}" if high is not None else f"at least {low}"
        raise bad_request(f"{name} must be {limit}; the largest page is {MAX_PAGE:,} rows.", name)
    return value


def parse_options(es: EntitySet, params: dict[str, str], *, prefix: str = "$") -> Options:
    """The query options of one request, checked against the set's properties."""
    known = {f"{prefix}{o}" for o in ("select", "filter", "orderby", "top", "skip", "count")}
    opts = Options()
    select = params.get(f"{prefix}select")
    if select:
        names = [n.strip() for n in select.split(",") if n.strip()]
        for name in names:
            if name != "*" and es.prop(name) is None:
                raise unknown_property(es, name, f"{prefix}select")
        opts.select = None if "*" in names else names
    opts.filter = params.get(f"{prefix}filter") or None
    for part in (params.get(f"{prefix}orderby") or "").split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise bad_request(f"Cannot order by {part.strip()!r}.", f"{prefix}orderby")
        if es.prop(words[0]) is None:
            raise unknown_property(es, words[0], f"{prefix}orderby")
        opts.orderby.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    opts.top = _whole(params.get(f"{prefix}top"), f"{prefix}top", 0, MAX_PAGE)
    opts.skip = _whole(params.get(f"{prefix}skip"), f"{prefix}skip", 0) or 0
    count = (params.get(f"{prefix}count") or "false").lower()
    if count not in ("true", "false"):
        raise bad_request(f"{prefix}count must be true or false.", f"{prefix}count")
    opts.count = count == "true"
    unknown = [k for k in params if k.startswith("$") and k not in known and prefix == "$"]
    if unknown and unknown != ["$format"]:
        raise bad_request(f"The query option {unknown[0]} is not supported.", unknown[0])
    return opts


def unknown_property(es: EntitySet, name: str, target: str) -> ApiError:
    return bad_request(f"{es.name} has no property {name!r}.", target)


def filter_clause(table: sa.FromClause, text: str) -> sa.ColumnElement:
    """An OData $filter as a SQL expression over `table`'s columns (values bound)."""
    try:
        tree = ODataParser().parse(ODataLexer().tokenize(text))
        return AstToSqlAlchemyCoreVisitor(table).visit(tree)
    except odata_errors.InvalidFieldException as exc:
        raise bad_request(f"$filter names no property of this set: {exc}", "$filter") from exc
    except odata_errors.ODataException as exc:
        raise bad_request(f"$filter is not a valid OData filter: {exc}", "$filter") from exc
    except NotImplementedError as exc:
        raise bad_request(f"$filter uses something not supported here: {exc}", "$filter") from exc


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int | None  # rows matching the filter, when $count was asked
    more: bool  # rows left after this page


def run(
    es: EntitySet,
    source: Source,
    opts: Options,
    *,
    page_size: int,
    where: Sequence[sa.ColumnElement] = (),
) -> Page:
    """One page of the set: filtered, ordered (key last, so paging is stable), sliced."""
    table = source.table
    clauses = [*where]
    if opts.filter:
        clauses.append(filter_clause(table, opts.filter))
    names = opts.select or [p.name for p in es.props]
    query = sa.select(*(table.c[n] for n in names)).where(*clauses)
    order = [table.c[n].desc() if desc else table.c[n] for n, desc in opts.orderby]
    query = query.order_by(*order, table.c[es.key.name])
    limit = page_size if opts.top is None else min(opts.top, page_size)
    try:
        with source.engine.connect() as conn:
            rows = conn.execute(query.limit(limit + 1).offset(opts.skip)).all()
            total = None
            if opts.count:
                counted = sa.select(sa.func.count()).select_from(table).where(*clauses)
                total = conn.execute(counted).scalar_one()
    except sa.exc.StatementError as exc:
        if isinstance(exc, sa.exc.OperationalError):
            raise
        # A value of the wrong type for its column, e.g. ProjectId eq 'abc' on PostgreSQL.
        raise bad_request(
            f"$filter compares values that do not fit: {exc.orig}", "$filter"
        ) from exc
    more = len(rows) > limit and (opts.top is None or opts.top > limit)
    # Convert only the columns whose type needs it: 5,000 projects carry 240,000 values.
    convert = [_CONVERT.get(es.prop(n).edm) for n in names]
    records = [
        {
            n: v if c is None or v is None else c(v)
            for n, c, v in zip(names, convert, row, strict=True)
        }
        for row in rows[:limit]
    ]
    return Page(records, total, more)


def _finite(value: Any) -> Any:
    value = float(value)
    return value if math.isfinite(value) else None


_CONVERT = {
    "Edm.Date": lambda v: v.isoformat(),
    "Edm.DateTimeOffset": lambda v: jsonable(v),
    "Edm.Double": _finite,
}


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
