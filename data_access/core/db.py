"""One engine per database URL, sessions per query or per user action, and the data version."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

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
        return engine
    return sa.create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=10, connect_args={"connect_timeout": 5}
    )


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
def _writer_turn(engine: Engine) -> Iterator[None]:
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
    with _writer_turn(engine), Session(engine, expire_on_commit=False) as session:
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
    """The counter every write bumps; cache keys include it so all sessions see new data."""
    return int(read_scalar("SELECT version FROM data_version WHERE id = 1", url=url) or 0)


def bump_data_version(session: Session) -> None:
    session.execute(sa.text("UPDATE data_version SET version = version + 1 WHERE id = 1"))
