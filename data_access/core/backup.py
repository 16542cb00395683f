"""Back up and restore the database while the app runs.

SQLite: SQLite's online backup API copies a consistent snapshot even while the app writes
(WAL readers never block the writer). PostgreSQL: `pg_dump` (a consistent snapshot in one
transaction) in its custom format; a restore replaces the app's tables in ONE transaction, so it
either comes back whole or leaves the database as it was.

    python -m data_access.core.backup backup  [--url URL] [FILE]
    python -m data_access.core.backup restore [--url URL] FILE [--yes]
    python -m data_access.core.backup summary [--url URL]

`./pmo.sh backup ...` and `./pmo.sh restore ...` run the same. `summary` prints the row count
and a checksum of every table, so two databases (or a database before a backup and after its
restore) can be compared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import SQLModel

from data_access.core import (
    lesson_models,  # noqa: F401
    library_models,  # noqa: F401
    models,  # noqa: F401  (registers the tables)
    sessions,
    training_models,  # noqa: F401
)
from data_access.core.backup_crypto import (
    DecryptionFailed,
    decrypt_file,
    encrypt_file,
    is_encrypted,
)
from data_access.core.config import DATA_DIR, database_url, normalise_url
from data_access.core.db import ALL_TABLES, dispose_engines, get_engine
from data_access.core.schema import upgrade_database
from data_access.stakeholders import models as _stakeholder_models  # noqa: F401

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# Bumped by every write (with the projects it changed) and moved past its old value by a
# restore: not part of the content; nor are the cached reads kept for new server processes.
# Sign-in sessions are ended by every restore (everyone signs in again); the API's request
# budgets start full.
VOLATILE_TABLES = {
    "data_version",
    "table_version",
    "project_change",
    "kept_read",
    "sign_in_session",
    "rate_bucket",
}


class BackupError(RuntimeError):
    """A backup or restore that could not be done, said in words."""


def backup(
    path: str | Path | None = None, url: str | None = None, *, passphrase: str | None = None
) -> Path:
    """Write a backup of the database at `url` to `path` (default: data/backups/...),
    encrypted with `passphrase` if one is given (core.backup_crypto)."""
    url = normalise_url(url or database_url())
    sqlite = sa.make_url(url).get_backend_name() == "sqlite"
    if path is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        suffix = ".enc" if passphrase else ""
        path = DATA_DIR / "backups" / f"pmo-{stamp}.{'db' if sqlite else 'dump'}{suffix}"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if passphrase:
        with _private_temp(path.parent) as plain:
            backup(plain, url)
            encrypt_file(plain, path, passphrase)
        return path
    if sqlite:
        if path.resolve() == Path(_sqlite_file(url)).resolve():
            raise BackupError("the backup file would overwrite the database itself")
        _sqlite_copy(_sqlite_file(url), path)
        # A backup file stands alone: no -wal beside it.
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite_backup(path)
    else:
        conninfo, env = _libpq(url)
        _run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
            + ["--file", str(path), "--dbname", conninfo],
            env,
        )
    return path


def restore(path: str | Path, url: str | None = None, *, passphrase: str | None = None) -> None:
    """Replace the content of the database at `url` with the backup in `path` (decrypted
    with `passphrase` first if it is an encrypted backup)."""
    url = normalise_url(url or database_url())
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    if is_encrypted(path):
        if not passphrase:
            raise BackupError(f"{path} is encrypted: give its passphrase")
        with _private_temp(path.parent) as plain:
            try:
                decrypt_file(path, plain, passphrase)
            except DecryptionFailed as exc:
                raise BackupError(f"{path} cannot be decrypted: {exc}") from None
            restore(plain, url)
        return
    with path.open("rb") as fh:
        head = fh.read(16)
    sqlite = sa.make_url(url).get_backend_name() == "sqlite"
    if sqlite and not head.startswith(SQLITE_MAGIC):
        raise BackupError(f"{path} is not a SQLite backup; restore it into PostgreSQL")
    if not sqlite and not head.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"{path} is not a pg_dump backup; restore it into SQLite")
    if sqlite:
        _check_sqlite_backup(path)
    before = _data_version(url)
    dispose_engines()
    if sqlite:
        _sqlite_copy(path, _sqlite_file(url))
    else:
        _pg_restore(path, url)
    dispose_engines()
    upgrade_database(url)  # a backup from an older release comes up to the current schema
    _move_data_version_past(url, before)
    # A session ended after the backup was made must not come back: everyone signs in again.
    sessions.end_every_session("database restored", url=url)


def summary(url: str | None = None) -> dict[str, tuple[int, str]]:
    """{table: (rows, sha256 of its rows in primary-key order)} for every table of the app."""
    url = normalise_url(url or database_url())
    result = {}
    with get_engine(url).connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in VOLATILE_TABLES:
                continue
            digest, rows = hashlib.sha256(), 0
            query = sa.select(table).order_by(*table.primary_key.columns)
            for row in conn.execution_options(yield_per=5_000).execute(query):
                digest.update(json.dumps(list(row), default=str, sort_keys=True).encode())
                rows += 1
            result[table.name] = (rows, digest.hexdigest())
    return result


# --- SQLite -----------------------------------------------------------------------------


@contextmanager
def _private_temp(folder: Path) -> Iterator[Path]:
    """A file only this user can read, for the plain copy beside an encrypted one; removed."""
    handle, name = tempfile.mkstemp(prefix=".pmo-plain-", dir=folder)
    os.close(handle)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _sqlite_file(url: str) -> str:
    database = sa.make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return database


def _check_sqlite_backup(path: Path) -> None:
    """Refuse a damaged file before it touches the live database."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems != ["ok"]:
        raise BackupError(f"{path} is damaged, nothing changed: {'; '.join(problems[:3])}")


def _sqlite_copy(source: str | Path, target: str | Path) -> None:
    """Copy with SQLite's online backup API in one step, i.e. one consistent snapshot."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


# --- PostgreSQL -------------------------------------------------------------------------


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI for the client tools; the password goes in the environment, not argv."""
    parsed = sa.make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    conninfo = parsed.set(drivername="postgresql", password=None)
    return conninfo.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools "
            "(Debian/Ubuntu: sudo apt-get install postgresql-client)"
        )
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")


def _pg_restore(path: Path, url: str) -> None:
    """Drop the app's tables and load the dump, all in one psql transaction."""
    conninfo, env = _libpq(url)
    tables = [t.name for t in SQLModel.metadata.sorted_tables] + ["alembic_version"]
    drop = (
        f"SET client_min_messages = warning;\nDROP TABLE IF EXISTS {', '.join(tables)} CASCADE;\n"
    ).encode()
    psql = subprocess.Popen(
        [_tool("psql"), "--quiet", "--no-psqlrc", "--single-transaction"]
        + ["--set", "ON_ERROR_STOP=1", "--dbname", conninfo],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    script = subprocess.Popen(
        [_tool("pg_restore"), "--no-owner", "--no-privileges", "--file", "-", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        psql.stdin.write(drop)
        shutil.copyfileobj(script.stdout, psql.stdin)
    except BrokenPipeError:
        pass  # psql stopped at an error; its message says which
    script.stdout.close()
    if script.wait():
        # psql would commit what it got at the end of its input: end it without that input.
        psql.kill()
        psql.wait()
        raise BackupError(
            f"{path} is not a complete pg_dump backup, nothing changed: "
            f"{script.stderr.read().decode().strip()}"
        )
    psql.stdin.close()
    if psql.wait():
        raise BackupError(
            f"restore refused, nothing changed: {psql.stderr.read().decode().strip()}"
        )


# --- the data version -------------------------------------------------------------------


def _data_version(url: str) -> int:
    try:
        with get_engine(url).connect() as conn:
            return int(conn.execute(sa.text("SELECT version FROM data_version")).scalar() or 0)
    except sa.exc.DBAPIError:
        return 0  # a new, empty database


def _move_data_version_past(url: str, before: int) -> None:
    """Cached pages are kept by the data versions: after a restore they must be ones no running
    app has seen, or a page could show what was there before the restore. The counter moves
    past both, and every table's reads with it (the version of ALL_TABLES)."""
    with get_engine(url).begin() as conn:
        restored = int(conn.execute(sa.text("SELECT version FROM data_version")).scalar() or 0)
        moved = max(before, restored) + 1
        conn.execute(sa.text("UPDATE data_version SET version = :v"), {"v": moved})
        conn.execute(sa.text("DELETE FROM table_version WHERE name = :n"), {"n": ALL_TABLES})
        conn.execute(
            sa.text("INSERT INTO table_version (name, version) VALUES (:n, :v)"),
            {"n": ALL_TABLES, "v": moved},
        )


# --- command line -----------------------------------------------------------------------


def _shown(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


PASSPHRASE_ENV = "PMO_BACKUP_PASSPHRASE"


def _passphrase(*, twice: bool) -> str:
    """The backup passphrase: from PMO_BACKUP_PASSPHRASE (for scripts), else asked for."""
    given = os.environ.get(PASSPHRASE_ENV)
    if given:
        return given
    passphrase = getpass.getpass("Backup passphrase: ")
    if twice and getpass.getpass("The same passphrase again: ") != passphrase:
        raise BackupError("the two passphrases differ; nothing was written")
    return passphrase


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m data_access.core.backup", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or data/pmo.db)")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write a backup file")
    make.add_argument("file", nargs="?", help="default: data/backups/pmo-<date>-<time>.db|dump")
    make.add_argument(
        "--encrypt",
        action="store_true",
        help=f"encrypt with a passphrase (asked twice, or {PASSPHRASE_ENV})",
    )
    back = commands.add_parser("restore", help="replace the database with a backup")
    back.add_argument("file")
    back.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    commands.add_parser("summary", help="row count and checksum of every table")
    for sub in commands.choices.values():
        sub.add_argument("--url", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    url = normalise_url(args.url or database_url())

    try:
        if args.command == "backup":
            passphrase = _passphrase(twice=True) if args.encrypt else None
            path = backup(args.file, url, passphrase=passphrase)
            print(f"Backed up {_shown(url)} to {path} ({path.stat().st_size:,} bytes)")
        elif args.command == "restore":
            if not args.yes:
                answer = input(f"Replace everything in {_shown(url)} with {args.file}? [y/N] ")
                if answer.strip().lower() not in ("y", "yes"):
                    print("Nothing changed.")
                    return 1
            encrypted = is_encrypted(args.file) if Path(args.file).is_file() else False
            restore(args.file, url, passphrase=_passphrase(twice=False) if encrypted else None)
            rows = summary(url)
            print(f"Restored {args.file} into {_shown(url)}:")
            for table in ("project", "status_report", "milestone", "risk", "audit_log"):
                print(f"  {table:>14}: {rows[table][0]:>9,} rows")
        else:
            for table, (count, digest) in summary(url).items():
                print(f"{table:>20} {count:>10,}  {digest[:16]}")
    except (BackupError, ValueError) as exc:
        print(f"Error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
