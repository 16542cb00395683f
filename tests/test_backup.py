"""Backups: the documented command backs up while the app writes, and a restore comes back
complete (row counts and checksums of every table equal the backup's), on SQLite and
PostgreSQL. A damaged backup is refused and leaves the database as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access.core import backup as backups
from data_access.core import backup_crypto, sessions
from data_access.core.config import APP_ROOT
from data_access.core.db import data_version, read_df
from data_access.demo.loader import load_demo
from tests.conftest import DEMO_TODAY
from tests.e2e.harness import scratch_pg_database
from tests.tracked_writes import KINDS, WriterProcess, stored

LINES_BEFORE_BACKUP = 15
GUARD_S = 120  # only against a hang, never a pass/fail criterion


def _cli(*args: str, env: dict[str, str] | None = None) -> str:
    """The documented command line, as a user runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "data_access.core.backup", *args],
        cwd=APP_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def start_writer(url: str) -> WriterProcess:
    """The tracked writer on the first active project that has a milestone and a risk."""
    ids = read_df(
        "SELECT p.id AS project, MIN(m.id) AS milestone, MIN(r.id) AS risk FROM project p "
        "JOIN milestone m ON m.project_id = p.id JOIN risk r ON r.project_id = p.id "
        "WHERE p.status = 'active' GROUP BY p.id ORDER BY p.id LIMIT 1",
        url=url,
    ).iloc[0]
    return WriterProcess(url, int(ids.project), int(ids.milestone), int(ids.risk))


@pytest.fixture
def demo_url(db_url) -> str:
    load_demo("S", db_url, today=DEMO_TODAY)
    return db_url


@pytest.fixture
def fresh_url(db_url, tmp_path):
    """Another, empty database on the same backend: a new machine to restore onto."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        with scratch_pg_database("pmo_restore") as url:
            yield url


def test_backup_while_writing_and_restore_complete(demo_url, fresh_url, tmp_path):
    sqlite = demo_url.startswith("sqlite")
    path = tmp_path / "backups" / ("pmo-backup.db" if sqlite else "pmo-backup.dump")
    writer = start_writer(demo_url)
    try:
        writer.wait_for(LINES_BEFORE_BACKUP, GUARD_S)
        before_backup = writer.reported()
        _cli("--url", demo_url, "backup", str(path))
        # The writer went on during and after the backup.
        writer.wait_for(writer.count + 3, GUARD_S)
    finally:
        writer.stop()
    reported = writer.reported()

    # Restore onto a new, empty database: a snapshot that holds every write reported
    # before the backup began, each with its audit row.
    backups.restore(path, fresh_url)
    copy = backups.summary(fresh_url)
    found = stored(fresh_url)
    for kind in KINDS:
        mine = reported[kind]
        record, audit = found[kind]["record"], found[kind]["audit"]
        assert before_backup[kind] <= record.keys(), kind
        assert {t for t in mine if record[t]} == {t for t in mine if audit[t]}, kind
        assert all(record[t] <= 1 and audit[t] <= 1 for t in mine), kind
    assert copy["project"][0] == 50
    if sqlite:
        assert _integrity(fresh_url) == "ok"

    # Restore over the live database, which moved on since: it comes back to the backup.
    live_version = data_version(demo_url)
    assert backups.summary(demo_url) != copy
    out = _cli("--url", demo_url, "restore", str(path), "--yes")
    assert "project:        50 rows" in out
    assert backups.summary(demo_url) == copy
    # Cached pages are keyed by the data version: it moves past anything the app has seen.
    assert data_version(demo_url) > live_version


def test_a_damaged_backup_is_refused_and_changes_nothing(demo_url, tmp_path):
    sqlite = demo_url.startswith("sqlite")
    good = backups.backup(tmp_path / ("good.db" if sqlite else "good.dump"), demo_url)
    damaged = tmp_path / "damaged"
    damaged.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    wrong_kind = tmp_path / "wrong"
    shutil.copy(_other_kind_of_backup(sqlite, tmp_path), wrong_kind)
    before = backups.summary(demo_url)

    for bad in (damaged, wrong_kind, tmp_path / "missing"):
        with pytest.raises(backups.BackupError):
            backups.restore(bad, demo_url)
        assert backups.summary(demo_url) == before, bad


def _other_kind_of_backup(sqlite: bool, tmp_path: Path) -> Path:
    path = tmp_path / "other"
    path.write_bytes(backups.PG_DUMP_MAGIC if sqlite else backups.SQLITE_MAGIC)
    return path


def _integrity(url: str) -> str:
    with closing(sqlite3.connect(sa.make_url(url).database)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def test_encrypted_backup_restores_with_its_passphrase_only(demo_url, fresh_url, tmp_path):
    """`backup --encrypt` and `restore` of the encrypted file, through the command line."""
    target = tmp_path / "pmo.enc"
    env = {"PMO_BACKUP_PASSPHRASE": "correct horse battery"}
    _cli("--url", demo_url, "backup", "--encrypt", str(target), env=env)
    data = target.read_bytes()
    assert data.startswith(backup_crypto.MAGIC)
    # Nothing of the database is readable in the file: no e-mail address, no hash, no SQL.
    for plain in (b"@example.org", b"$argon2", b"SQLite format", b"PGDMP", b"CREATE TABLE"):
        assert plain not in data, plain
    assert not list(tmp_path.glob(".pmo-plain-*"))  # the plain copy is gone

    with pytest.raises(backups.BackupError, match="give its passphrase"):
        backups.restore(target, fresh_url)
    with pytest.raises(backups.BackupError, match="wrong passphrase"):
        backups.restore(target, fresh_url, passphrase="not the passphrase")
    cut = tmp_path / "cut.enc"
    cut.write_bytes(data[: len(data) - 100])
    with pytest.raises(backups.BackupError, match="cannot be decrypted"):
        backups.restore(cut, fresh_url, passphrase=env["PMO_BACKUP_PASSPHRASE"])

    _, code = sessions.start_session(1, "admin", url=demo_url)
    token = sessions.redeem_code(code, url=demo_url)
    _cli("--url", demo_url, "backup", "--encrypt", str(target), env=env)
    _cli("--url", fresh_url, "restore", str(target), "--yes", env=env)
    assert backups.summary(fresh_url) == backups.summary(demo_url)
    # A restored database opens no session: a token of the backed-up one signs nobody in.
    assert sessions.session_for_token(token, url=fresh_url) is None
    assert sessions.session_for_token(token, url=demo_url)
