"""Reviews, decisions and actions: the write functions and reads, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.core.db import data_version, read_df, session_scope
from data_access.core.writes import (
    Actor,
    ConflictError,
    PermissionDenied,
    ValidationFailed,
    WriteError,
)
from data_access.meeting import reviews
from tests.factories import make_org, make_project

D = dt.date
HELD = D(2026, 11, 25)


def _actor(org, key, role):
    return Actor(org[key], key, role)


def _review(url, org, held_on=HELD, title="November review") -> int:
    with session_scope(url) as session:
        return reviews.create_review(
            {"title": title, "held_on": held_on},
            session=session,
            actor=_actor(org, "admin", "admin"),
        )


def test_start_a_review_records_who_and_when(db_url):
    org = make_org(db_url)
    before = data_version(db_url)
    rid = _review(db_url, org)
    assert data_version(db_url) == before + 1
    listed = reviews.reviews(db_url)
    assert listed[["id", "title", "held_on", "created_by", "decisions", "actions"]].to_dict(
        "records"
    ) == [
        {
            "id": rid,
            "title": "November review",
            "held_on": HELD,
            "created_by": "Admin",
            "decisions": 0,
            "actions": 0,
        }
    ]
    audit = read_df("SELECT action, entity, entity_id FROM audit_log", url=db_url)
    assert audit.to_dict("records") == [{"action": "create", "entity": "review", "entity_id": rid}]


def test_only_the_pmo_or_a_portfolio_manager_starts_a_review(db_url):
    org = make_org(db_url)
    for key, role in (("pm", "project_manager"), ("viewer", "viewer")):
        with session_scope(db_url) as session, pytest.raises(PermissionDenied):
            reviews.create_review(
                {"title": "Mine", "held_on": HELD}, session=session, actor=_actor(org, key, role)
            )
    with session_scope(db_url) as session:
        reviews.create_review(
            {"title": "Program review", "held_on": HELD},
            session=session,
            actor=_actor(org, "portfolio_manager", "portfolio_manager"),
        )
    assert reviews.reviews(db_url).title.tolist() == ["Program review"]
    refused = read_df("SELECT action FROM audit_log WHERE action = 'refused'", url=db_url)
    assert len(refused) == 2


def test_a_decision_is_a_closed_raid_item_of_the_review(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    rid = _review(db_url, org)
    with session_scope(db_url) as session:
        did = reviews.record_decision(
            {"project_id": pid, "title": "Stop phase 2", "description": "<b>not bold</b>"},
            review_id=rid,
            session=session,
            actor=_actor(org, "admin", "admin"),
        )
    row = read_df(
        "SELECT kind, status, review_id, decided_on, raised_on, closed_on, description "
        "FROM raid_item WHERE id = :id",
        {"id": did},
        db_url,
    ).iloc[0]
    assert (row.kind, row.status, row.review_id) == ("decision", "closed", rid)
    assert {str(row.decided_on)[:10], str(row.raised_on)[:10], str(row.closed_on)[:10]} == {
        "2026-11-25"
    }
    assert row.description == "<b>not bold</b>"  # stored verbatim, shown as text
    decided = reviews.review_decisions(rid, db_url)
    assert decided[["code", "title", "decided_on"]].to_dict("records") == [
        {"code": "P-1", "title": "Stop phase 2", "decided_on": HELD}
    ]


def test_a_decision_without_project_or_title_reports_both(db_url):
    org = make_org(db_url)
    rid = _review(db_url, org)
    with session_scope(db_url) as session, pytest.raises(ValidationFailed) as err:
        reviews.record_decision(
            {"project_id": None, "title": "  "},
            review_id=rid,
            session=session,
            actor=_actor(org, "admin", "admin"),
        )
    assert set(err.value.errors) == {"project_id", "title"}
    assert read_df("SELECT COUNT(*) AS n FROM raid_item", url=db_url).n.item() == 0


def test_a_project_manager_records_against_their_own_project_only(db_url):
    org = make_org(db_url)
    own = make_project(db_url, org, "OWN", manager_id=org["pm"])
    other = make_project(db_url, org, "OTHER", manager_id=org["other_pm"])
    rid = _review(db_url, org)
    pm = _actor(org, "pm", "project_manager")
    with session_scope(db_url) as session:
        reviews.record_decision(
            {"project_id": own, "title": "Ours"}, review_id=rid, session=session, actor=pm
        )
    with session_scope(db_url) as session, pytest.raises(PermissionDenied):
        reviews.record_decision(
            {"project_id": other, "title": "Theirs"}, review_id=rid, session=session, actor=pm
        )
    assert reviews.review_decisions(rid, db_url).title.tolist() == ["Ours"]


def test_an_action_needs_an_owner_and_a_due_date_not_before_the_review(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    rid = _review(db_url, org)
    admin = _actor(org, "admin", "admin")
    with session_scope(db_url) as session, pytest.raises(ValidationFailed) as err:
        reviews.create_action(
            {"project_id": pid, "title": "", "owner_id": None, "due_date": None},
            review_id=rid,
            session=session,
            actor=admin,
        )
    assert set(err.value.errors) == {"title", "owner_id", "due_date"}
    with session_scope(db_url) as session, pytest.raises(ValidationFailed) as err:
        reviews.create_action(
            {"project_id": pid, "title": "Late", "owner_id": 999_999, "due_date": D(2026, 11, 1)},
            review_id=rid,
            session=session,
            actor=admin,
        )
    assert err.value.errors == {
        "owner_id": "choose who owns the action",
        "due_date": "the due date cannot be before the review",
    }
    assert read_df("SELECT COUNT(*) AS n FROM action", url=db_url).n.item() == 0


def test_open_actions_stay_on_later_reviews_until_closed(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    admin = _actor(org, "admin", "admin")
    october = _review(db_url, org, D(2026, 10, 23), "October review")
    with session_scope(db_url) as session:
        open_id = reviews.create_action(
            {"project_id": pid, "title": "Re-plan", "owner_id": org["pm"], "due_date": HELD},
            review_id=october,
            session=session,
            actor=admin,
        )
    with session_scope(db_url) as session:
        done_id = reviews.create_action(
            {
                "project_id": None,
                "title": "Book room",
                "owner_id": org["admin"],
                "due_date": D(2026, 10, 30),
            },
            review_id=october,
            session=session,
            actor=admin,
        )
    with session_scope(db_url) as session:
        reviews.close_action(
            done_id, closed_on=D(2026, 10, 28), expected_version=1, session=session, actor=admin
        )
    november = _review(db_url, org)
    shown = reviews.review_actions(november, db_url)
    assert shown[["title", "owner", "status", "review"]].to_dict("records") == [
        {"title": "Re-plan", "owner": "Pm", "status": "open", "review": "October review"}
    ]
    # In its own review a closed action still shows, as done.
    assert set(reviews.review_actions(october, db_url).title) == {"Re-plan", "Book room"}
    # The action's owner may close it.
    with session_scope(db_url) as session:
        row = reviews.close_action(
            open_id,
            closed_on=HELD,
            expected_version=1,
            session=session,
            actor=_actor(org, "pm", "project_manager"),
        )
    assert (row["status"], row["closed_on"]) == ("done", HELD)
    assert reviews.review_actions(november, db_url).empty


def test_closing_an_action_twice_or_from_an_old_version(db_url):
    org = make_org(db_url)
    rid = _review(db_url, org)
    admin = _actor(org, "admin", "admin")
    with session_scope(db_url) as session:
        aid = reviews.create_action(
            {"title": "Decide", "owner_id": org["pm"], "due_date": HELD},
            review_id=rid,
            session=session,
            actor=admin,
        )
    with session_scope(db_url) as session, pytest.raises(ConflictError):
        reviews.close_action(aid, closed_on=HELD, expected_version=0, session=session, actor=admin)
    with session_scope(db_url) as session:
        reviews.close_action(aid, closed_on=HELD, expected_version=1, session=session, actor=admin)
    with session_scope(db_url) as session, pytest.raises(WriteError, match="already closed"):
        reviews.close_action(aid, closed_on=HELD, expected_version=2, session=session, actor=admin)
    with session_scope(db_url) as session, pytest.raises(PermissionDenied):
        reviews.create_action(
            {"title": "Viewer", "owner_id": org["pm"], "due_date": HELD},
            review_id=rid,
            session=session,
            actor=_actor(org, "viewer", "viewer"),
        )
