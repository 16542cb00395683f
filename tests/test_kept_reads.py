"""Whole-portfolio reads kept in the database: a newly started server process starts from the
last full result any process read, and reads again only the projects written since. On SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pandas as pd
import sqlalchemy as sa

from components.common import data
from components.common.cache import clear_all, data_cache
from components.common.data import fresh_version
from components.meeting import data as meeting_data
from data_access.core import kept_reads
from data_access.core.db import get_engine, read_scalar
from data_access.demo.generator import generate
from data_access.demo.loader import load
from data_access.gates import reads as gate_reads
from data_access.intake import reads as intake_reads
from data_access.meeting import changes as change_reads
from data_access.meeting import reads as meeting_reads
from tests.factories import make_milestone, make_org, make_project, make_report, make_risk
from tests.test_cache_versions import Read, _sorted, _turn_red, portfolio_reads

TODAY = dt.date(2026, 11, 25)


@contextmanager
def _statements(url: str):
    """The SQL statements run inside the block."""
    run: list[str] = []

    def note(_conn, _cursor, statement, *_):
        run.append(statement)

    engine = get_engine(url)
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield run
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def _portfolio(url: str) -> list[int]:
    org = make_org(url)
    pids = [make_project(url, org, code=f"P-{i}") for i in range(1, 4)]
    for pid in pids:
        make_report(url, pid, dt.date(2026, 11, 13))
        make_report(url, pid, dt.date(2026, 11, 20), schedule_rag="A", overall_rag="A")
        make_milestone(url, pid, dt.date(2026, 12, 15))
        make_risk(url, pid, 2, 3)
    return pids


def test_a_new_process_starts_from_the_kept_read_and_reads_only_the_projects_written(db_url):
    pids = _portfolio(db_url)
    calls: list = []

    def recorded(read: Read):
        def raw(version, *args, _project_ids=None):
            calls.append((read.name, _project_ids))
            return read.fn.__wrapped__(version, *args, _project_ids=_project_ids)

        raw.__qualname__ = f"recorded {read.name}"  # the kept key names the read
        return data_cache(by_project=read.by, in_database=True)(raw)

    reads = [(read, recorded(read)) for read in portfolio_reads(TODAY)]

    def check(read_again) -> None:
        """A new process's reads equal full reads, column types and all; each read the
        projects `read_again` ("all": in full; None: nothing, served as kept)."""
        clear_all()  # what a newly started process has
        calls.clear()
        version = fresh_version(db_url)
        for read, fn in reads:
            full = read.fn.__wrapped__(version, *read.args)
            pd.testing.assert_frame_equal(
                _sorted(fn(version, *read.args), *read.order), _sorted(full, *read.order)
            )
        if read_again == "all":
            assert calls == [(r.name, None) for r, _ in reads]
        else:
            assert calls == [(r.name, read_again) for r, _ in reads if read_again]

    check("all")
    check(None)  # served from the database: no project read
    _turn_red(db_url, pids[0], TODAY)
    check([pids[0]])
    # The kept rows are the full reads' (a splice is not stored): again one project only.
    check([pids[0]])


def test_every_kept_read_of_the_app_comes_back_as_it_was_read(demo_db_url):
    """The tier S demo through the app's own cached reads (the meeting's changes and slide
    inputs too): what a new process takes from the database is what a full read gives, with
    one statement."""
    today = dt.date.fromisoformat(
        read_scalar("SELECT MAX(report_date) FROM status_report", url=demo_db_url)
    )
    version = fresh_version(demo_db_url)
    since = today - dt.timedelta(days=14)
    bands = change_reads.band_params(data.settings(version))
    calls = [(r.fn, r.args) for r in portfolio_reads(today)]
    calls.append((meeting_data.change_tables, (since, today)))
    # The meeting's slide inputs, kept through one cached read.
    for read, args in [
        (meeting_reads.top_risks, (bands, None)),
        (meeting_reads.milestones_due, (today,)),
        (meeting_reads.risk_matrix, ()),
        (intake_reads.benefits, (today,)),
        (gate_reads.gates_decided, (since, today)),
    ]:
        calls.append((meeting_data.slide_input, (read, args, {})))
    for fn, args in calls:
        fn(version, *args)
    clear_all()
    for fn, args in calls:
        with _statements(demo_db_url) as run:
            kept = fn(version, *args)
        assert [s.split()[:4] for s in run] == [["SELECT", "part,", "depends,", "payload"]]
        full = fn.__wrapped__(version, *args)
        if isinstance(full, dict):
            assert kept.keys() == full.keys()
            assert any(len(table) for table in full.values())
            for name, table in full.items():
                pd.testing.assert_frame_equal(kept[name], table, check_dtype=len(table) > 0)
        else:
            assert len(full)
            pd.testing.assert_frame_equal(kept, full)


def test_a_result_kept_by_other_code_is_read_again(db_url, monkeypatch):
    _portfolio(db_url)
    calls: list = []

    @data_cache(by_project="id", in_database=True)
    def health(version, on, _project_ids=None):
        calls.append(_project_ids)
        return data.portfolio_health.__wrapped__(version, on, _project_ids=_project_ids)

    version = fresh_version(db_url)
    health(version, TODAY)
    clear_all()
    monkeypatch.setattr(kept_reads, "code_digest", lambda: b"another release")
    health(version, TODAY)
    assert calls == [None, None]


def test_results_nobody_kept_for_a_week_are_dropped(db_url):
    frame = pd.DataFrame({"id": [1]})
    kept_reads.store(db_url, "old", {}, frame)
    with get_engine(db_url).begin() as conn:
        conn.execute(
            sa.text("UPDATE kept_read SET written_at = :w"),
            {"w": dt.datetime(2026, 1, 1, tzinfo=dt.UTC) - dt.timedelta(days=kept_reads.KEPT_DAYS)},
        )
    kept_reads.store(db_url, "new", {}, frame)
    assert kept_reads.load(db_url, "old") is None
    pd.testing.assert_frame_equal(kept_reads.load(db_url, "new")[1], frame)


def test_only_tables_that_come_back_as_they_are_are_kept(db_url):
    dates = pd.DataFrame({"id": [1, 2], "on": [dt.date(2026, 12, 1), None], "n": [1.5, None]})
    assert kept_reads.store(db_url, "dates", {"t": 1}, dates)
    depends, back = kept_reads.load(db_url, "dates")
    assert depends == {"t": 1}
    pd.testing.assert_frame_equal(back, dates)
    tables = {"a": dates, "b": dates.head(0)}
    assert kept_reads.store(db_url, "tables", {}, tables)
    assert kept_reads.load(db_url, "tables")[1].keys() == {"a", "b"}
    refused = {
        "lists": pd.DataFrame({"approvers": [["pmo"], []]}),
        "indexed": dates.set_index("id"),
        "not a table": [dates],
        "mixed": {"a": dates, "b": "text"},
    }
    for key, result in refused.items():
        assert not kept_reads.store(db_url, key, {}, result)
        assert kept_reads.load(db_url, key) is None


def test_a_bulk_load_makes_every_kept_read_old(db_url):
    """Reads kept while the database was empty are not served once the demo is loaded."""
    calls: list = []

    @data_cache(by_project="id", in_database=True)
    def health(version, on, _project_ids=None):
        calls.append(_project_ids)
        return data.portfolio_health.__wrapped__(version, on, _project_ids=_project_ids)

    assert health(fresh_version(db_url), TODAY).empty
    load(generate("S", today=TODAY), db_url)
    clear_all()
    assert len(health(fresh_version(db_url), TODAY)) and calls == [None, None]
