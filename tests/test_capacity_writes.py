"""Allocation, capacity and absence writes, and the allocation import, on SQLite and PostgreSQL:
validated (every problem at once), permission-checked, versioned, audited, all or nothing."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_access.core.db import data_version, read_df, session_scope
from data_access.core.writes import SYSTEM, Actor, ConflictError, PermissionDenied, ValidationFailed
from data_access.resources import commands as alloc
from tests.factories import make_org, make_project
from tests.test_capacity import allocate, make_person

D = dt.date


@pytest.fixture
def org(db_url):
    ids = make_org(db_url)
    ids["p1"] = make_project(db_url, ids, "P-1")
    ids["p2"] = make_project(db_url, ids, "P-2", manager_id=ids["other_pm"])
    ids["ann"] = make_person(db_url, ids, "Ann", 32, skill="Testing")
    return db_url, ids


def _data(ids, **overrides):
    base = {
        "person_id": ids["ann"],
        "project_id": ids["p1"],
        "start_date": D(2027, 1, 4),
        "end_date": D(2027, 3, 26),
        "hours_per_week": 16.0,
    }
    return {**base, **overrides}


def _rows(url, table="allocation"):
    return read_df(f"SELECT * FROM {table} ORDER BY id", url=url)


def _audit(url):
    return read_df(
        "SELECT action, entity, entity_id, project_id FROM audit_log ORDER BY id", url=url
    )


def test_create_update_delete_are_versioned_and_audited(org):
    url, ids = org
    before = data_version(url)
    with session_scope(url) as s:
        new_id = alloc.create_allocation(_data(ids), session=s, actor=SYSTEM)
    with session_scope(url) as s:
        alloc.update_allocation(
            new_id, {"hours_per_week": 24.0}, expected_version=1, session=s, actor=SYSTEM
        )
    row = _rows(url).iloc[0]
    assert (row.hours_per_week, row.version) == (24, 2)
    with session_scope(url) as s:
        alloc.delete_allocation(new_id, expected_version=2, session=s, actor=SYSTEM)
    assert _rows(url).empty
    assert data_version(url) == before + 3
    audit = _audit(url)
    assert audit.action.tolist() == ["create", "update", "delete"]
    assert set(audit.entity) == {"allocation"} and set(audit.project_id) == {ids["p1"]}
    deleted = read_df("SELECT before FROM audit_log WHERE action = 'delete'", url=url)
    assert '"hours_per_week": 24.0' in str(deleted.before.iloc[0]).replace("'", '"')


def test_every_problem_is_reported_at_once_and_nothing_written(org):
    url, ids = org
    bad = _data(ids, person_id=9999, project_id=None, hours_per_week=0, end_date=D(2026, 1, 1))
    with session_scope(url) as s, pytest.raises(ValidationFailed) as err:
        alloc.create_allocation(bad, session=s, actor=SYSTEM)
    # The end date before the start is reported with them, not after they are fixed.
    assert set(err.value.errors) == {"person_id", "project_id", "hours_per_week", ""}
    with session_scope(url) as s, pytest.raises(ValidationFailed) as err:
        alloc.create_allocation(_data(ids, end_date=D(2026, 1, 1)), session=s, actor=SYSTEM)
    assert err.value.errors == {"": "end date must not be before start date"}
    assert _rows(url).empty and _audit(url).empty


def test_same_person_twice_on_a_project_at_the_same_time_is_refused(org):
    url, ids = org
    allocate(url, ids["ann"], ids["p1"], D(2027, 1, 4), D(2027, 2, 26), 8)
    overlapping = _data(ids, start_date=D(2027, 2, 1), end_date=D(2027, 4, 30))
    with session_scope(url) as s, pytest.raises(ValidationFailed) as err:
        alloc.create_allocation(overlapping, session=s, actor=SYSTEM)
    assert (
        "already on this project from 04 Jan 2027 to 26 Feb 2027" in err.value.errors["start_date"]
    )
    # After it, or on another project, is fine.
    with session_scope(url) as s:
        alloc.create_allocation(_data(ids, start_date=D(2027, 3, 1)), session=s, actor=SYSTEM)
        alloc.create_allocation(_data(ids, project_id=ids["p2"]), session=s, actor=SYSTEM)
    assert len(_rows(url)) == 3


def test_bulk_save_is_all_or_nothing_and_names_rows(org):
    url, ids = org
    keep = allocate(url, ids["ann"], ids["p1"], D(2027, 1, 4), D(2027, 1, 29), 8)
    drop = allocate(url, ids["pm"], ids["p1"], D(2027, 1, 4), D(2027, 1, 29), 8)
    with session_scope(url) as s, pytest.raises(ValidationFailed) as err:
        alloc.save_allocations(
            added=[_data(ids, person_id=ids["viewer"]), _data(ids, hours_per_week=500)],
            edited=[(keep, 1, {"end_date": D(2027, 2, 26)})],
            deleted=[(drop, 1)],
            refs={"added": ["Row 3 · ", "Row 4 · "], "edited": ["Row 1 · "]},
            session=s,
            actor=SYSTEM,
        )
    assert list(err.value.errors) == ["Row 4 · hours_per_week"]
    assert len(_rows(url)) == 2 and _audit(url).empty
    # Moving the kept row out of the way lets the new one in: checked on the final state.
    with session_scope(url) as s:
        new = alloc.save_allocations(
            added=[_data(ids, start_date=D(2027, 1, 18))],
            edited=[(keep, 1, {"end_date": D(2027, 1, 15)})],
            deleted=[(drop, 1)],
            session=s,
            actor=SYSTEM,
        )
    rows = _rows(url).set_index("id")
    assert set(rows.index) == {keep, *new}
    assert sorted(_audit(url).action) == ["create", "delete", "update"]


def test_conflict_refuses_the_batch(org):
    url, ids = org
    row = allocate(url, ids["ann"], ids["p1"], D(2027, 1, 4), D(2027, 1, 29), 8)
    with session_scope(url) as s:
        alloc.update_allocation(
            row, {"hours_per_week": 12.0}, expected_version=1, session=s, actor=SYSTEM
        )
    with session_scope(url) as s, pytest.raises(ConflictError) as err:
        alloc.save_allocations(
            added=[_data(ids, project_id=ids["p2"])],
            edited=[(row, 1, {"hours_per_week": 20.0})],
            session=s,
            actor=SYSTEM,
        )
    assert err.value.current["hours_per_week"] == 12 and err.value.current["version"] == 2
    assert "system" in str(err.value)
    assert len(_rows(url)) == 1 and _rows(url).hours_per_week.item() == 12


def test_permissions_are_checked_in_the_write(org):
    url, ids = org
    pm = Actor(ids["pm"], "Pm", "project_manager")
    with session_scope(url) as s:
        alloc.create_allocation(_data(ids), session=s, actor=pm)  # their own project
    with session_scope(url) as s, pytest.raises(PermissionDenied):
        alloc.create_allocation(_data(ids, project_id=ids["p2"]), session=s, actor=pm)
    viewer = Actor(ids["viewer"], "Viewer", "viewer")
    with session_scope(url) as s, pytest.raises(PermissionDenied):
        alloc.set_capacity(ids["ann"], 20, expected_version=1, session=s, actor=viewer)
    assert len(_rows(url)) == 1
    assert _audit(url).action.tolist() == ["create", "refused", "refused"]


def test_capacity_and_absences(org):
    url, ids = org
    with session_scope(url) as s:
        alloc.set_capacity(ids["ann"], 20.0, expected_version=1, session=s, actor=SYSTEM)
    person = read_df("SELECT * FROM person WHERE id = :i", {"i": ids["ann"]}, url)
    assert (person.weekly_capacity_hours.item(), person.version.item()) == (20, 2)
    with session_scope(url) as s, pytest.raises(ValidationFailed) as err:
        alloc.set_capacity(ids["ann"], 200.0, expected_version=2, session=s, actor=SYSTEM)
    assert set(err.value.errors) == {"weekly_capacity_hours"}

    ann = Actor(ids["ann"], "Ann", "viewer")  # people record their own leave
    leave = {"person_id": ids["ann"], "start_date": D(2027, 2, 1), "end_date": D(2027, 2, 12)}
    with session_scope(url) as s:
        absence = alloc.add_absence({**leave, "reason": " Holiday "}, session=s, actor=ann)
    with session_scope(url) as s, pytest.raises(ValidationFailed) as err:
        alloc.add_absence({**leave, "start_date": D(2027, 2, 10)}, session=s, actor=ann)
    assert "already away from 01 Feb 2027 to 12 Feb 2027" in err.value.errors["start_date"]
    with session_scope(url) as s, pytest.raises(PermissionDenied):
        other = Actor(ids["viewer"], "Viewer", "viewer")
        march = {"start_date": D(2027, 3, 1), "end_date": D(2027, 3, 5)}
        alloc.add_absence({**leave, **march}, session=s, actor=other)
    with session_scope(url) as s:
        alloc.update_absence(
            absence, {"end_date": D(2027, 2, 19)}, expected_version=1, session=s, actor=ann
        )
    stored = _rows(url, "absence").iloc[0]
    assert (stored.reason, str(stored.end_date)[:10], stored.version) == (
        "Holiday",
        "2027-02-19",
        2,
    )
    with session_scope(url) as s:
        alloc.delete_absence(absence, expected_version=2, session=s, actor=ann)
    assert _rows(url, "absence").empty
    audit = _audit(url)
    absences = audit[audit.entity == "absence"]
    assert absences.action.tolist() == ["create", "refused", "update", "delete"]
    assert absences.project_id.isna().all()  # an absence belongs to no project


# --- import ------------------------------------------------------------------------------


def _sheet(ids, url, rows):
    emails = read_df("SELECT id, email FROM person", url=url).set_index("id").email
    return pd.DataFrame(
        [
            {
                "person_email": emails[ids[who]],
                "project_code": code,
                "start_date": start,
                "end_date": end,
                "hours_per_week": hours,
            }
            for who, code, start, end, hours in rows
        ]
    )


GOOD = [
    ("ann", "P-1", "2027-01-04", "2027-03-26", 16),
    ("pm", "P-1", "2027-01-04", "2027-06-25", "8"),
    ("ann", "P-2", "2027-02-01", "2027-02-26", 4.5),
]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_import_from_a_real_file(org, tmp_path, kind):
    url, ids = org
    path = tmp_path / f"allocations.{kind}"
    frame = _sheet(ids, url, GOOD)
    if kind == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.assign(start_date=pd.to_datetime(frame.start_date)).to_excel(path, index=False)
    sheet = alloc.read_sheet(path.name, path.read_bytes())
    with session_scope(url) as s:
        new_ids = alloc.import_allocations(sheet, session=s, actor=SYSTEM)
    rows = _rows(url)
    assert len(new_ids) == 3 and rows.hours_per_week.tolist() == [16, 8, 4.5]
    assert str(rows.start_date.iloc[0])[:10] == "2027-01-04"
    assert (_audit(url).action == "create").sum() == 3


def test_import_with_one_bad_row_writes_nothing_and_names_it(org, tmp_path):
    url, ids = org
    rows = [*GOOD[:2], ("ann", "NOPE", "2027-01-04", "04/01/2027", "lots"), GOOD[2]]
    path = tmp_path / "allocations.csv"
    _sheet(ids, url, rows).to_csv(path, index=False)
    sheet = alloc.read_sheet(path.name, path.read_bytes())
    with session_scope(url) as s:
        preview, errors = alloc.check_import(sheet, session=s)
    assert len(preview) == 4
    assert errors == {
        "Row 4 · project_code": "no project has the code 'NOPE'",
        "Row 4 · end_date": "write a date as YYYY-MM-DD",
        "Row 4 · hours_per_week": "write the hours per week as a number",
    }
    with session_scope(url) as s, pytest.raises(ValidationFailed) as err:
        alloc.import_allocations(sheet, session=s, actor=SYSTEM)
    assert all(k.startswith("Row 4 ") for k in err.value.errors)
    assert _rows(url).empty and _audit(url).empty


def test_import_overlap_inside_the_file_and_missing_columns(org):
    url, ids = org
    twice = _sheet(ids, url, [GOOD[0], ("ann", "P-1", "2027-03-01", "2027-04-30", 8)])
    with session_scope(url) as s:
        _, errors = alloc.check_import(twice, session=s)
    assert list(errors) == ["Row 3 · start_date"]
    with session_scope(url) as s:
        _, errors = alloc.check_import(pd.DataFrame({"person_email": ["x"]}), session=s)
    assert errors == {
        "file": "missing column(s): project_code, start_date, end_date, hours_per_week"
    }
    with pytest.raises(ValidationFailed):
        alloc.read_sheet("allocations.pdf", b"%PDF")
