"""Faults: a writer killed in the middle of its writes, and a database that goes away.

- A process writing without end (status updates, milestone moves, risk re-assessments through
  the write functions, each token printed after its commit) is SIGKILLed, several times, on
  SQLite and on PostgreSQL. After each kill the database is consistent: SQLite's
  integrity_check is ok, every write the writer reported is stored once with its audit row,
  at most the one write it had no time to report is there too (complete), and there is no
  audit row without its record, nor a version bump without its audit row.
- The app runs against PostgreSQL through a TCP proxy that the test cuts and restores: while
  the database is gone every page shows a clear message (no traceback), also when the
  connection drops in the middle of a page's query; once it is back the page comes back by
  itself, without anyone pressing reload.
"""

from __future__ import annotations

import datetime as dt
import random
import signal
import socket
import sqlite3
import threading
import time
from collections import Counter
from contextlib import closing, suppress

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from data_access.core.db import bump_tables, data_version, get_engine, session_scope
from data_access.core.writes import SYSTEM
from data_access.demo.loader import load_demo
from tests.conftest import DEMO_TODAY
from tests.e2e.harness import (
    TIMEOUT_MS,
    free_port,
    open_app,
    rerun,
    scratch_pg_database,
    screenshot,
    settle,
    sign_in_if_asked,
    streamlit_servers,
    wait_for_count,
)
from tests.factories import make_milestone, make_org, make_project, make_risk
from tests.tracked_writes import KINDS, WriterProcess, status_update, stored

KILLS = 3
REPORTED_BEFORE_KILL = 20
GUARD_S = 120  # only against a hang, never a pass/fail criterion
UNREACHABLE = "The database cannot be reached right now"
DEMO_PROJECTS = 50

# --- SIGKILL in the middle of a stream of writes ----------------------------------------


def test_writer_killed_mid_stream_leaves_the_database_consistent(db_url):
    org = make_org(db_url)
    project = make_project(db_url, org)
    milestone = make_milestone(db_url, project, dt.date(2026, 12, 1))
    risk = make_risk(db_url, project, probability=3, impact=3)
    version_before = data_version(db_url)
    reported: dict[str, set[str]] = {kind: set() for kind in KINDS}
    rng = random.Random(10)

    for run in range(KILLS):
        writer = WriterProcess(db_url, project, milestone, risk, first_serial=run * 100_000)
        writer.wait_for(REPORTED_BEFORE_KILL, GUARD_S)
        # A random instant, so that the kill lands anywhere inside the next write.
        time.sleep(rng.uniform(0, 0.05))
        writer.stop(signal.SIGKILL)
        # Reported before the kill; the kill may cut the last line short (not a report).
        for kind, tokens in writer.reported().items():
            reported[kind] |= tokens

        found, unreported = _check_consistent(db_url, reported)
        print(
            f"\nkill {run + 1}: {writer.count} writes reported before SIGKILL, "
            f"{unreported} committed but not yet reported; "
            f"{sum(len(found[k]['record']) for k in KINDS)} stored in all, each with its audit row"
        )
        # The database takes the next write at once: no lock was left behind.
        with session_scope(db_url) as session:
            status_update(session, SYSTEM, project, f"after-kill-{run}", float(run))
        reported["status"].add(f"after-kill-{run}")
        # A write this kill left committed but unreported was checked complete above: count it
        # as known, so that each kill is allowed its own one (not one for all kills together).
        for kind in KINDS:
            reported[kind] |= found[kind]["record"].keys()
        committed = sum(len(found[k]["record"]) for k in KINDS) + 1
        assert data_version(db_url) - version_before == committed


def _check_consistent(url: str, reported: dict[str, set[str]]) -> tuple[dict, int]:
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(sa.make_url(url).database)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    found = stored(url)
    unreported = 0
    for kind in KINDS:
        record, audit = found[kind]["record"], found[kind]["audit"]
        # Once each, and never a record without its audit row or an audit row without it.
        assert set(record.values()) <= {1} and set(audit.values()) <= {1}, kind
        assert record.keys() == audit.keys(), kind
        assert reported[kind] <= record.keys(), kind
        unreported += len(record.keys() - reported[kind])
    # Only the write that committed in the instant before the kill may be unreported.
    assert unreported <= 1
    with get_engine(url).connect() as conn:
        updates = Counter(
            dict(
                conn.execute(
                    sa.text(
                        "SELECT entity, COUNT(*) FROM audit_log WHERE action = 'update' "
                        "GROUP BY entity"
                    )
                ).all()
            )
        )
        for table in ("project", "milestone", "risk"):
            version = conn.execute(sa.text(f"SELECT MAX(version) FROM {table}")).scalar()
            assert version == 1 + updates[table], table
    return found, unreported


# --- the database goes away and comes back ----------------------------------------------


class TcpProxy:
    """Forwards a loopback port to PostgreSQL. `cut()` drops every connection and stops
    listening, as a database host that goes away; `restore()` listens again."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None

    def restore(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def cut(self) -> None:
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with suppress(OSError):  # the other side may have closed it already
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while listener.fileno() != -1:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    """A demo database on PostgreSQL, reached by the app only through the proxy."""
    with scratch_pg_database("pmo_faults") as direct_url:
        load_demo("S", direct_url, today=DEMO_TODAY)
        target = sa.make_url(direct_url)
        proxy = TcpProxy(target.port or 5432)
        proxy.restore()
        via_proxy = target.set(port=proxy.port).render_as_string(hide_password=False)
        with streamlit_servers(via_proxy, tmp_path_factory.mktemp("logs")) as (server,):
            yield server, proxy, direct_url
        proxy.cut()


@pytest.mark.e2e
@pytest.mark.xdist_group("faults-outage")
def test_database_outage_shows_a_message_and_the_app_recovers(outage, new_page):
    server, proxy, _ = outage
    page = new_page()
    open_app(page, server.url)
    wait_for_count(page, DEMO_PROJECTS)

    proxy.cut()
    rerun(page)
    _expect_outage_message(page)
    newcomer = new_page()
    open_app(newcomer, server.url)
    _expect_outage_message(newcomer)
    screenshot(page, "database-unreachable")

    proxy.restore()
    # Nobody touches the pages: they come back by themselves.
    for visitor in (page, newcomer):
        expect(visitor.get_by_text(UNREACHABLE)).to_have_count(0, timeout=TIMEOUT_MS)
        settle(visitor)
        sign_in_if_asked(visitor)  # the newcomer never signed in
        wait_for_count(visitor, DEMO_PROJECTS)
    screenshot(page, "database-back")


@pytest.mark.e2e
@pytest.mark.xdist_group("faults-outage")
def test_connection_lost_in_the_middle_of_a_page(outage, page):
    server, proxy, direct_url = outage
    open_app(page, server.url)
    wait_for_count(page, DEMO_PROJECTS)

    engine = sa.create_engine(direct_url)
    with engine.connect() as holder:
        # A new version of the risk table, so the page reads it again; then hold that table,
        # which only the page's query needs (not the versions read, nor the filter options).
        bump_tables(holder, {"risk"})
        holder.commit()
        holder.execute(sa.text("LOCK TABLE risk IN ACCESS EXCLUSIVE MODE"))
        page.locator("body").press("r")
        _wait_for_a_query_blocked_on(holder, sa.make_url(direct_url).database)
        proxy.cut()
        _expect_outage_message(page)
        holder.rollback()
    engine.dispose()
    screenshot(page, "database-lost-mid-page")

    proxy.restore()
    wait_for_count(page, DEMO_PROJECTS)
    expect(page.get_by_text(UNREACHABLE)).to_have_count(0)


def _expect_outage_message(page) -> None:
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text(UNREACHABLE)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)


def _wait_for_a_query_blocked_on(conn, database: str) -> None:
    deadline = time.monotonic() + GUARD_S
    while time.monotonic() < deadline:
        waiting = conn.execute(
            sa.text(
                "SELECT COUNT(*) FROM pg_stat_activity "
                "WHERE datname = :db AND wait_event_type = 'Lock'"
            ),
            {"db": database},
        ).scalar()
        if waiting:
            return
        time.sleep(0.1)
    raise AssertionError("the page's query never reached the locked table")
