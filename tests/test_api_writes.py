"""Writes through the API go through the forms' write functions: every problem in one 400
naming the fields, the role rules (403, audited), the conflict rule (If-Match; a stale version
gets 409 and changes nothing), the audit rows; a read-only token writes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.testclient import TestClient

from api.access import Limits
from api.routes import api_routes
from data_access.core.db import get_engine
from tests.api_helpers import bearer, own_project, person, token
from tests.conftest import DEMO_TODAY


@pytest.fixture
def url(demo_db_url, monkeypatch) -> str:
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    return demo_db_url


@pytest.fixture
def client(url) -> TestClient:
    return TestClient(Starlette(routes=api_routes(Limits(100_000, 100_000))))


@pytest.fixture
def pm(url):
    return person(url, "project_manager")


@pytest.fixture
def pm_headers(url, pm) -> dict[str, str]:
    return bearer(token(url, pm, DEMO_TODAY, scope="read-write"))


def _count(url: str, sql: str, **params) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def test_status_update_is_saved_audited_and_shown_on_the_portfolio(client, url, pm, pm_headers):
    project_id, code = own_project(url, pm)
    before = _count(url, "SELECT COUNT(*) FROM status_report WHERE project_id = :p", p=project_id)
    response = client.post(
        "/api/v1/status-reports",
        headers=pm_headers,
        json={"project": code, "summary": "Sent from the CI pipeline", "percent_complete": 55},
    )
    assert response.status_code == 201, response.text
    new_id = response.json()["id"]
    assert response.headers["Location"].endswith(f"/api/v1/status-reports/{new_id}")
    assert (
        _count(url, "SELECT COUNT(*) FROM status_report WHERE project_id = :p", p=project_id)
        == before + 1
    )
    assert (
        _count(
            url,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'status_report' AND "
            "entity_id = :i AND actor_name = :n",
            i=new_id,
            n=pm.name,
        )
        == 1
    )
    project = client.get(f"/odata/Projects({project_id})", headers=pm_headers).json()
    assert project["LastStatusSummary"] == "Sent from the CI pipeline"
    assert project["LastStatusDate"] == DEMO_TODAY.isoformat()
    assert project["ProjectPercentCompleted"] == 55


def test_every_problem_in_one_400_and_nothing_written(client, url, pm, pm_headers):
    _, code = own_project(url, pm)
    before = _count(url, "SELECT COUNT(*) FROM audit_log")
    response = client.post(
        "/api/v1/status-reports",
        headers=pm_headers,
        json={
            "project": code,
            "report_date": "next friday",
            "percent_complete": 140,
            "scope_rag": "purple",
            "colour": "red",
        },
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["report_date"] == "must be a date such as 2026-11-25"
    assert fields["percent_complete"] == "must be at most 100"
    assert "scope_rag" in fields and fields["colour"] == "is not a field that can be set here"
    assert _count(url, "SELECT COUNT(*) FROM audit_log") == before


def test_a_rating_that_differs_from_the_computed_health_needs_a_reason(client, url, pm, pm_headers):
    project_id, code = own_project(url, pm)
    computed = client.get(
        f"/odata/Projects({project_id})?$select=HealthCost", headers=pm_headers
    ).json()["HealthCost"][0]
    other = "R" if computed != "R" else "G"
    refused = client.post(
        "/api/v1/status-reports", headers=pm_headers, json={"project": code, "cost_rag": other}
    )
    assert refused.status_code == 400
    assert "override_reason" in refused.json()["error"]["fields"]
    saved = client.post(
        "/api/v1/status-reports",
        headers=pm_headers,
        json={"project": code, "cost_rag": other, "override_reason": "audit"},
    )
    assert saved.status_code == 201 and saved.json()["override_rag"] is not None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[1, 2]", 400),
        (b"", 400),
        (b'{"title": "' + b"x" * 2_000_000 + b'"}', 413),
    ],
)
def test_a_body_that_is_not_a_json_object(client, pm_headers, body, status):
    response = client.post("/api/v1/risks", headers=pm_headers, content=body)
    assert response.status_code == status
    assert any(w in response.json()["error"]["message"] for w in ("JSON", "bytes"))


def test_someone_elses_project_is_refused_and_the_refusal_audited(client, url, pm, pm_headers):
    with get_engine(url).connect() as conn:
        other = conn.execute(
            sa.text("SELECT code FROM project WHERE manager_id <> :p OR manager_id IS NULL"),
            {"p": pm.person_id},
        ).scalar()
    response = client.post(
        "/api/v1/risks",
        headers=pm_headers,
        json={"project": other, "title": "Not mine", "probability": 2, "impact": 2},
    )
    assert response.status_code == 403
    assert (
        _count(
            url,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'refused' AND actor_name = :n",
            n=pm.name,
        )
        == 1
    )
    assert _count(url, "SELECT COUNT(*) FROM risk WHERE title = 'Not mine'") == 0


def test_a_read_only_token_writes_nothing(client, url, pm):
    _, code = own_project(url, pm)
    headers = bearer(token(url, pm, DEMO_TODAY, scope="read"))
    response = client.post(
        "/api/v1/raid-items", headers=headers, json={"project": code, "kind": "issue", "title": "x"}
    )
    assert response.status_code == 403 and "read-only" in response.json()["error"]["message"]
    assert _count(url, "SELECT COUNT(*) FROM raid_item WHERE title = 'x'") == 0


def test_a_viewer_token_cannot_write_even_if_read_write(client, url):
    viewer = person(url, "viewer")
    headers = bearer(token(url, viewer, DEMO_TODAY, scope="read-write"))
    response = client.post(
        "/api/v1/status-reports", headers=headers, json={"project": "PRJ-0001", "summary": "no"}
    )
    assert response.status_code == 403


def test_milestone_move_needs_the_version_read_and_a_stale_one_changes_nothing(
    client, url, pm, pm_headers
):
    _, code = own_project(url, pm)
    milestone = client.get(f"/api/v1/milestones?project={code}&limit=1", headers=pm_headers).json()[
        "data"
    ][0]
    path = f"/api/v1/milestones/{milestone['task_id']}"
    read = client.get(path, headers=pm_headers)
    assert read.headers["ETag"] == f'"{milestone["version"]}"'
    assert (
        client.patch(path, headers=pm_headers, json={"forecast_date": "2027-03-01"}).status_code
        == 428
    )
    bad = client.patch(
        path,
        headers={**pm_headers, "If-Match": read.headers["ETag"]},
        json={"forecast_date": "31/02/2027", "colour": 1},
    )
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"forecast_date", "colour"}
    moved = client.patch(
        path,
        headers={**pm_headers, "If-Match": read.headers["ETag"]},
        json={"forecast_date": "2027-03-01", "reason": "supplier late"},
    )
    assert moved.status_code == 200 and moved.json()["forecast_date"] == "2027-03-01"
    assert moved.headers["ETag"] == f'"{milestone["version"] + 1}"'
    stale = client.patch(
        path,
        headers={**pm_headers, "If-Match": read.headers["ETag"]},
        json={"forecast_date": "2027-04-01"},
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["details"]["current"]["forecast_date"] == "2027-03-01"
    history = client.get(
        f"/api/v1/milestone-history?project={code}&sort=-milestone_history_id&limit=1",
        headers=pm_headers,
    ).json()["data"][0]
    assert history["forecast_date"] == "2027-03-01" and history["reason"] == "supplier late"


def test_risk_raise_and_reassess(client, url, pm, pm_headers):
    _, code = own_project(url, pm)
    created = client.post(
        "/api/v1/risks",
        headers=pm_headers,
        json={"project": code, "title": "Key supplier insolvent", "probability": 2, "impact": 5},
    )
    assert created.status_code == 201
    risk_id = created.json()["id"]
    changed = client.patch(
        f"/api/v1/risks/{risk_id}",
        headers={**pm_headers, "If-Match": "1"},
        json={"probability": 4, "note": "credit rating cut"},
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    row = client.get(f"/api/v1/risks/{risk_id}", headers=pm_headers).json()
    assert row["exposure"] == 20
    assessments = client.get(
        f"/odata/RiskAssessments?$filter=RiskId eq {risk_id}", headers=pm_headers
    ).json()["value"]
    assert [a["Note"] for a in assessments] == ["raised", "credit rating cut"]


def test_raid_item_raise_and_close(client, url, pm, pm_headers):
    _, code = own_project(url, pm)
    bad = client.post(
        "/api/v1/raid-items",
        headers=pm_headers,
        json={"project": code, "kind": "rumour", "title": ""},
    )
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) >= {"kind", "title"}
    created = client.post(
        "/api/v1/raid-items",
        headers=pm_headers,
        json={
            "project": code,
            "kind": "issue",
            "title": "Test rig broken",
            "due_date": DEMO_TODAY.isoformat(),
        },
    )
    assert created.status_code == 201
    item = created.json()["id"]
    closed = client.patch(
        f"/api/v1/raid-items/{item}",
        headers={**pm_headers, "If-Match": "1"},
        json={"status": "closed"},
    )
    assert closed.status_code == 200 and closed.json()["closed_on"] == DEMO_TODAY.isoformat()
    issue = client.get(f"/odata/Issues({item})", headers=pm_headers).json()
    assert issue["Status"] == "closed" and issue["Title"] == "Test rig broken"
