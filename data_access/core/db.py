"""One engine per database URL, sessions per query or per user action, and the data versions:
a counter every write bumps, and one per table that a write changed."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from data_access.core.config import database_url


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached; the app shows a message and retries on the next rerun."""


# What "the database cannot be reached" looks like to a caller: the wrapped read error, or a
# connection refused or lost in the middle of a write (SQLAlchemy does not wrap those for us).
UNAVAILABLE_ERRORS = (DatabaseUnavailable, sa.exc.OperationalError, sa.exc.InterfaceError)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers and one writer work at once; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: the configured URL)."""
    url = url or database_url()
    with _engines_lock:
        if url not in _engines:
            _engines[url] = _create_engine(url)
        return _engines[url]


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = sa.create_engine(
            url,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=10,
            # No JIT compilation: it adds 30-200 ms to each of the pages' whole-portfolio
            # queries (measured at tiers L and XL) and saves less than that on them.
            connect_args={"connect_timeout": 5, "options": "-c jit=off"},
        )
    sa.event.listen(engine, "before_cursor_execute", _note_tables)
    sa.event.listen(engine, "begin", _forget_tables)
    return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests, and after a restore replaced the database)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


# SQLite lets one writer in at a time. Within a process, actions queue on this lock instead of
# polling in SQLite's busy handler, where under a burst of saves an unlucky one can wait past
# the busy timeout and fail with "database is locked".
_sqlite_turns: dict[str, threading.RLock] = {}


@contextmanager
def writer_turn(engine: Engine) -> Iterator[None]:
    if engine.dialect.name != "sqlite":
        yield
        return
    with _engines_lock:
        turn = _sqlite_turns.setdefault(str(engine.url), threading.RLock())
    with turn:
        yield


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session for one user action: commits happen in the write function, rollback on error."""
    engine = get_engine(url)
    with writer_turn(engine), Session(engine, expire_on_commit=False) as session:
        try:
            yield session
        except Exception:
            session.rollback()
            raise


def read_df(sql: str | sa.TextClause | sa.Select, params: dict | None = None, url=None):
    """Run a read query in its own connection and return a DataFrame."""
    statement = sa.text(sql) if isinstance(sql, str) else sql
    try:
        with get_engine(url).connect() as conn:
            return pd.read_sql_query(statement, conn, params=params)
    except sa.exc.OperationalError as exc:
        raise DatabaseUnavailable(str(exc.orig) if exc.orig else str(exc)) from exc
    except pd.errors.DatabaseError as exc:
        # pandas wraps a failure during the query (a connection lost half-way) in its own error.
        if isinstance(exc.__cause__, sa.exc.OperationalError):
            raise DatabaseUnavailable(str(exc.__cause__.orig)) from exc
        raise


def read_scalar(sql: str | sa.TextClause | sa.Select, params: dict | None = None, url=None):
    statement = sa.text(sql) if isinstance(sql, str) else sql
    try:
        with get_engine(url).connect() as conn:
            return conn.execute(statement, params or {}).scalar()
    except sa.exc.OperationalError as exc:
        raise DatabaseUnavailable(str(exc.orig) if exc.orig else str(exc)) from exc


def data_version(url: str | None = None) -> int:
    """The counter every write bumps (the live mark of Meeting mode, a re-check before a save)."""
    return int(read_scalar("SELECT version FROM data_version WHERE id = 1", url=url) or 0)


# --- what each write changed, what each read read -----------------------------------------
# A cached read is kept while the versions of the tables it read are unchanged
# (components.common.cache), so a status update does not recompute the admin lists. Both sides
# are seen at the driver: every statement of a write notes the table it changes on its
# connection, and `bump_data_version` bumps those tables' versions in the same transaction;
# a read notes the tables its SQL names while a cached function records them.

ALL_TABLES = "*"  # bumped by a write that cannot say what it changed (a restore): every read
_WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"?(\w+)', re.I
)
_READ = re.compile(
    r"^\s*(?:SELECT|WITH|PRAGMA|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SHOW)\b", re.I
)
_WRITE_WORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE)\b", re.I)
_WORD = re.compile(r"[a-z_][a-z0-9_]*")
_tables_read: ContextVar[set[str] | None] = ContextVar("tables_read", default=None)


def tables_named(statement: str) -> set[str]:
    """The app's tables a SQL statement names (over-counting is safe: one more recompute),
    and PROJECT_FIGURES when it may read a project's figures."""
    from sqlmodel import SQLModel

    tables = SQLModel.metadata.tables
    lowered = statement.lower()
    named = {w for w in set(_WORD.findall(lowered)) if w in tables}
    if "project" in named and _reads_figures(lowered):
        named.add(PROJECT_FIGURES)
    return named


# A status update moves the project's figures (percent complete, cost to date, forecast) and
# with them its version: a table of its own for the caches, so that the many reads of
# projects that show none of them (names, codes, phases, the lessons and intake registers)
# are kept. A read depends on it when it names one of these columns unqualified, qualified
# by `project` or by an alias of project, or selects every column.
PROJECT_FIGURES = "project.figures"
FIGURE_COLUMNS = frozenset(
    {"percent_complete", "actual_cost", "forecast_at_completion", "version", "updated_at"}
)
_PROJECT_ALIAS = re.compile(r"\bproject\s+(?:as\s+)?([a-z_][a-z0-9_]*)")
_COLUMN_USE = re.compile(
    r"(?:\b([a-z_][a-z0-9_]*)\s*\.\s*)?\b(" + "|".join(sorted(FIGURE_COLUMNS)) + r")\b"
)
# SELECT * (of a subquery or not) or alias.*; not COUNT(*) nor a product.
_EVERY_COLUMN = re.compile(r"\bselect\s+(?:distinct\s+)?\*(\s*from\s*\()?|\b([a-z_][a-z0-9_]*)\.\*")
_NOT_ALIASES = {"on", "where", "join", "left", "right", "inner", "full", "cross", "group", "order"}


def _reads_figures(lowered: str) -> bool:
    owners = {"project"} | {a for a in _PROJECT_ALIAS.findall(lowered) if a not in _NOT_ALIASES}
    for every in _EVERY_COLUMN.finditer(lowered):
        alias = every.group(2)
        if alias is not None:
            if alias in owners:
                return True
        elif not every.group(1) or "project" in _WORD.findall(_after_subquery(lowered, every)):
            # SELECT * FROM (subquery) alone reads what the subquery's own list names.
            return True
    return any(m.group(1) in (None, *owners) for m in _COLUMN_USE.finditer(lowered))


def _after_subquery(lowered: str, every: re.Match) -> str:
    """What follows the subquery `every` opened (its closing parenthesis on)."""
    depth = 0
    for i in range(every.end() - 1, len(lowered)):
        depth += {"(": 1, ")": -1}.get(lowered[i], 0)
        if depth == 0:
            return lowered[i:]
    return lowered


_SET = re.compile(r"\bset\s+(.*?)\s+where\b", re.I | re.S)


def _written_table(statement: str) -> str:
    """The table a write changes; PROJECT_FIGURES for an update of a project's figures
    alone."""
    written = _WRITE.match(statement)
    if not written:
        return ALL_TABLES
    table = written.group(1).lower()
    if table == "project" and statement.lstrip()[:6].upper() == "UPDATE":
        assigned = _SET.search(statement)
        columns = {
            part.split("=")[0].strip().strip('"').lower()
            for part in (assigned.group(1).split(",") if assigned else ())
        }
        if columns and columns <= FIGURE_COLUMNS:
            return PROJECT_FIGURES
    return table


def _note_tables(conn, _cursor, statement, _params, context, _executemany) -> None:
    reading = _READ.match(statement) and not (
        statement.lstrip()[:4].upper() == "WITH" and _WRITE_WORD.search(statement)
    )
    if reading:
        recording = _tables_read.get()
        if recording is not None:
            recording |= tables_named(statement)
        return
    table = _written_table(statement)
    conn.info.setdefault("tables_written", set()).add(table)
    if _keyed_by_project(table):
        conn.info.setdefault("projects_written", {}).setdefault(table, set()).update(
            _projects_of(table, context)
        )


def _forget_tables(conn) -> None:
    # A transaction that did not bump (a rollback, a test's own insert) leaves nothing behind.
    conn.info.pop("tables_written", None)
    conn.info.pop("projects_written", None)


# --- which projects a write changed ---------------------------------------------------------
# Reads of one row per project (health, its history) are recomputed for the projects a write
# changed rather than for all of them. A write to a table keyed by project notes the projects
# of its rows: an insert names them in its values; the write helpers run their updates and
# deletes inside `for_projects`; any other write notes ALL_PROJECTS, which recomputes every
# project. The bump logs them with the table's new version (project_change).
ALL_PROJECTS = -1
_project_scope: ContextVar[frozenset[int] | None] = ContextVar("project_scope", default=None)
CHANGE_LOG_KEPT = 1_000  # versions per table; a cached read older than that is read in full
MOST_PROJECTS_SPLICED = 500  # beyond that, one full read is as quick


@contextmanager
def for_projects(*project_ids: int | None) -> Iterator[None]:
    """The writes inside the block change rows of these projects only (None: of no project)."""
    token = _project_scope.set(frozenset(project_ids))
    try:
        yield
    finally:
        _project_scope.reset(token)


def _keyed_by_project(table: str) -> bool:
    from sqlmodel import SQLModel

    found = SQLModel.metadata.tables.get(table)
    return table in ("project", PROJECT_FIGURES) or (found is not None and "project_id" in found.c)


def _projects_of(table: str, context) -> set[int | None]:
    statement = getattr(getattr(context, "compiled", None), "statement", None)
    parameters = getattr(context, "compiled_parameters", None) or []
    if (
        table not in ("project", PROJECT_FIGURES)  # a new project's id is not known yet
        and isinstance(statement, sa.Insert)
        and statement.select is None
        and parameters
        and all("project_id" in p for p in parameters)
    ):
        return {p["project_id"] for p in parameters}
    scope = _project_scope.get()
    return set(scope) if scope is not None else {ALL_PROJECTS}


def projects_changed(url: str, moved: dict[str, tuple[int, int]]) -> set[int] | None:
    """The projects whose rows changed while each table of `moved` went from its first
    version to its second; None when a full read is needed: a table not keyed by project, a
    write that could not say, versions no longer logged, or too many projects."""
    if not moved or not all(_keyed_by_project(t) for t in moved):
        return None
    clauses, params = [], {}
    for i, (table, (since, until)) in enumerate(sorted(moved.items())):
        clauses.append(f"(table_name = :t{i} AND version > :a{i} AND version <= :b{i})")
        params.update({f"t{i}": table, f"a{i}": since, f"b{i}": until})
    rows = read_df(
        "SELECT table_name, version, project_id, all_projects FROM project_change WHERE "
        + " OR ".join(clauses),
        params,
        url=url,
    )
    logged = rows.groupby("table_name").version.nunique()
    if any(logged.get(t, 0) != until - since for t, (since, until) in moved.items()):
        return None
    if rows.all_projects.astype(bool).any():
        return None
    ids = {int(p) for p in rows.project_id.dropna()}
    return ids if len(ids) <= MOST_PROJECTS_SPLICED else None


@contextmanager
def recording_tables() -> Iterator[set[str]]:
    """The tables read by the queries run inside the block (in this thread)."""
    found: set[str] = set()
    token = _tables_read.set(found)
    try:
        yield found
    finally:
        _tables_read.reset(token)


def note_tables_read(tables) -> None:
    """Add `tables` to what the enclosing `recording_tables` block read (a cached result
    used inside it read them earlier)."""
    recording = _tables_read.get()
    if recording is not None:
        recording |= set(tables)


def table_versions(url: str | None = None) -> tuple[int, tuple[tuple[str, int], ...]]:
    """(the counter, ((table, version), ...)) in one query; a table never written is absent."""
    df = read_df(
        "SELECT '' AS name, version FROM data_version WHERE id = 1 "
        "UNION ALL SELECT name, version FROM table_version",
        url=url,
    )
    pairs = dict(zip(df.name, df.version.astype(int), strict=True))
    counter = pairs.pop("", 0)
    return int(counter), tuple(sorted(pairs.items()))


# Written by the bump itself: not data any read is kept by.
_BOOKKEEPING = {"data_version", "table_version", "project_change", "kept_read"}


def bump_data_version(session) -> None:
    """Bump the counter and the versions of the tables written in this transaction (a Session
    or a Connection), as part of it."""
    if isinstance(session, Session):
        session.flush()
        conn = session.connection()
    else:
        conn = session
    written = conn.info.pop("tables_written", set()) - _BOOKKEEPING
    projects = conn.info.pop("projects_written", {})
    conn.execute(sa.text("UPDATE data_version SET version = version + 1 WHERE id = 1"))
    bump_tables(conn, written, projects)


def bump_tables(conn, tables, projects: dict[str, set[int | None]] | None = None) -> None:
    """Bump each table's version; log the projects each one keyed by project changed."""
    for name in sorted(tables):
        version = conn.execute(
            sa.text(
                "INSERT INTO table_version (name, version) VALUES (:n, 1) "
                "ON CONFLICT (name) DO UPDATE SET version = table_version.version + 1 "
                "RETURNING version"
            ),
            {"n": name},
        ).scalar_one()
        if not _keyed_by_project(name):
            continue
        ids = (projects or {}).get(name, {ALL_PROJECTS})
        if ALL_PROJECTS in ids:
            rows = [{"t": name, "v": version, "p": None, "all": True}]
        else:  # a version that changed rows of no project is logged too, with none
            named = sorted(ids - {None}) or [None]
            rows = [{"t": name, "v": version, "p": p, "all": False} for p in named]
        conn.execute(
            sa.text(
                "INSERT INTO project_change (table_name, version, project_id, all_projects) "
                "VALUES (:t, :v, :p, :all)"
            ),
            rows,
        )
        conn.execute(
            sa.text("DELETE FROM project_change WHERE table_name = :t AND version <= :v"),
            {"t": name, "v": version - CHANGE_LOG_KEPT},
        )
