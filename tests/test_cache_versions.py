"""Writes bump the versions of the tables they change, and no other; a cached read is kept
until a table it read (itself, or through a cached read it used) changes, or a restore moves
every version on. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from components.common.cache import data_cache
from components.common.data import fresh_version
from data_access.admin.commands import create_person
from data_access.core import backup
from data_access.core.db import read_df, read_scalar, session_scope, table_versions
from data_access.core.writes import Actor
from data_access.meeting.reviews import create_review
from tests.factories import make_org

ADMIN = Actor(person_id=None, name="test admin", role="admin")


def _changed(before, after) -> set[str]:
    old = dict(before)
    return {table for table, version in after if old.get(table, 0) != version}


def test_a_write_bumps_the_tables_it_changed_and_no_other(db_url):
    make_org(db_url)
    counter, before = table_versions(db_url)
    with session_scope(db_url) as session:
        create_review(
            {"title": "Weekly review", "held_on": dt.date(2026, 12, 7)},
            session=session,
            actor=ADMIN,
        )
    counter_after, after = table_versions(db_url)
    assert counter_after == counter + 1
    assert _changed(before, after) == {"review", "audit_log"}
    with session_scope(db_url) as session:
        create_person(
            {"name": "Nia New", "email": "nia@example.org", "role": "viewer"},
            session=session,
            actor=ADMIN,
        )
    assert _changed(after, table_versions(db_url)[1]) == {"person", "audit_log"}


def test_a_cached_read_is_kept_until_a_table_it_read_changes(db_url):
    make_org(db_url)
    runs = []

    @data_cache()
    def people(version):
        runs.append("people")
        return read_df("SELECT name FROM person ORDER BY id", url=version[0])

    @data_cache()
    def headcount(version, label: str):
        runs.append("headcount")
        return f"{label}: {len(people(version))}"

    assert headcount(fresh_version(db_url), "People") == "People: 5"
    assert headcount(fresh_version(db_url), "People") == "People: 5"
    assert runs == ["headcount", "people"]
    # A review does not touch the people: both reads are kept.
    with session_scope(db_url) as session:
        create_review({"title": "R", "held_on": dt.date(2026, 12, 7)}, session=session, actor=ADMIN)
    assert headcount(fresh_version(db_url), "People") == "People: 5"
    assert runs == ["headcount", "people"]
    # A new person: the outer read is recomputed too, though it read no table itself.
    with session_scope(db_url) as session:
        create_person(
            {"name": "Nia New", "email": "nia@example.org", "role": "viewer"},
            session=session,
            actor=ADMIN,
        )
    assert headcount(fresh_version(db_url), "People") == "People: 6"
    assert runs == ["headcount", "people"] * 2
    # Another key is its own entry.
    assert headcount(fresh_version(db_url), "Staff") == "Staff: 6"
    assert runs == ["headcount", "people"] * 2 + ["headcount"]
    # A restore moves every version on: nothing cached before it is served after it.
    backup._move_data_version_past(
        db_url, read_scalar("SELECT version FROM data_version", url=db_url)
    )
    assert headcount(fresh_version(db_url), "Staff") == "Staff: 6"
    assert runs[-2:] == ["headcount", "people"]
