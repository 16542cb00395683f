"""Bring a database to the current schema, once, even when several app processes start together."""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from data_access.core.config import APP_ROOT
from data_access.core.db import get_engine
from data_access.core.settings import DEFAULT_SETTINGS

# Any constant works; it names "schema upgrade" among PostgreSQL advisory locks.
_PG_LOCK_KEY = 7_240_311


def alembic_config() -> Config:
    return Config(str(APP_ROOT / "alembic.ini"))


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(url: str | None = None) -> str | None:
    with get_engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def upgrade_lock(engine: sa.Engine):
    """Serialise upgrades and first loads: an advisory lock on PostgreSQL, a lock file beside
    a SQLite file. Not re-entrant: don't call upgrade_database while holding it."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
                conn.commit()
    elif engine.url.database and engine.url.database != ":memory:":
        lock_path = Path(engine.url.database).with_suffix(".migrate.lock")
        with lock_path.open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
    else:
        yield


def upgrade_database(url: str | None = None) -> None:
    """Run pending migrations, then make sure the singleton rows exist."""
    engine = get_engine(url)
    with upgrade_lock(engine):
        if current_revision(url) != head_revision():
            config = alembic_config()
            with engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        _seed_singletons(engine)


def _seed_singletons(engine: sa.Engine) -> None:
    from data_access.core.models import DataVersion, Setting

    with engine.begin() as conn:
        if conn.execute(sa.select(DataVersion.id)).first() is None:
            conn.execute(sa.insert(DataVersion).values(id=1, version=0))
        present = set(conn.execute(sa.select(Setting.key)).scalars())
        missing = [{"key": k, "value": v} for k, v in DEFAULT_SETTINGS.items() if k not in present]
        if missing:
            conn.execute(sa.insert(Setting), missing)
