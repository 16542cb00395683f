"""The API and the OData feed in-process (Starlette's TestClient over the real routes, a real
tier S demo database): every query option, the error statuses and bodies, tokens, the rate
limit. The same routes run in the real server in tests/test_api_server.py."""

from __future__ import annotations

import base64
import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.testclient import TestClient

from api.access import Limits
from api.entities import ENTITY_SETS
from api.routes import api_routes
from data_access.api_tokens.commands import revoke_token
from data_access.api_tokens.reads import tokens
from data_access.core.db import get_engine, session_scope
from data_access.core.models import AuditLog
from tests.api_helpers import bearer, own_project, person, token
from tests.conftest import DEMO_TODAY

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
SOON = (DEMO_TODAY + dt.timedelta(days=120)).isoformat()  # some demo projects finish by then


@pytest.fixture
def url(demo_db_url, monkeypatch) -> str:
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    return demo_db_url


@pytest.fixture
def client(url) -> TestClient:
    return TestClient(Starlette(routes=api_routes(Limits(100_000, 100_000))))


@pytest.fixture
def admin_headers(url) -> dict[str, str]:
    return bearer(token(url, person(url, "admin"), DEMO_TODAY))


def test_metadata_declares_every_set_and_each_row_has_every_declared_property(
    client, admin_headers
):
    response = client.get("/odata/$metadata", headers=admin_headers)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    declared = {
        t.get("Name"): [p.get("Name") for p in t.iter(f"{EDM}Property")]
        for t in root.iter(f"{EDM}EntityType")
    }
    sets = {s.get("Name"): s.get("EntityType") for s in root.iter(f"{EDM}EntitySet")}
    assert set(sets) == set(ENTITY_SETS)
    assert "ProjectName" in declared["Project"] and "HealthOverallWhy" in declared["Project"]
    for name, type_name in sets.items():
        rows = client.get(f"/odata/{name}?$top=3", headers=admin_headers).json()["value"]
        assert rows, f"{name} has no rows in the demo portfolio"
        assert all(list(r) == declared[type_name.split(".")[1]] for r in rows), name


def test_projects_carry_health_and_why(client, admin_headers):
    body = client.get(
        "/odata/Projects?$filter=HealthOverall eq 'Red'&$select=ProjectCode,HealthOverall,"
        "HealthOverallWhy&$count=true",
        headers=admin_headers,
    ).json()
    assert body["@odata.count"] == len(body["value"]) > 0
    assert all(r["HealthOverall"] == "Red" and r["HealthOverallWhy"] for r in body["value"])
    assert set(body["value"][0]) == {"ProjectCode", "HealthOverall", "HealthOverallWhy"}
    assert body["@odata.context"].endswith(
        "$metadata#Projects(ProjectCode,HealthOverall,HealthOverallWhy)"
    )


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("$filter=ProjectBudgetCost gt 500000", lambda r: r["ProjectBudgetCost"] > 500000),
        ("$filter=startswith(ProjectCode,'PRJ-000')", lambda r: r["ProjectCode"] < "PRJ-0010"),
        (f"$filter=ProjectFinishDate lt {SOON}", lambda r: r["ProjectFinishDate"] < SOON),
        ("$filter=HealthIsStale eq true", lambda r: r["HealthIsStale"] is True),
        (
            "$filter=PhaseName in ('Initiation','Closed')",  # phases the demo's lifecycles use
            lambda r: r["PhaseName"] in ("Initiation", "Closed"),
        ),
        (
            "$filter=not (ProjectStatus eq 'active') or ProjectActualFinishDate ne null",
            lambda r: r["ProjectStatus"] != "active" or r["ProjectActualFinishDate"],
        ),
    ],
)
def test_filter_matches_what_it_says(client, admin_headers, query, check):
    everything = client.get("/odata/Projects", headers=admin_headers).json()["value"]
    rows = client.get(f"/odata/Projects?{query}", headers=admin_headers).json()["value"]
    assert rows and all(check(r) for r in rows)
    assert len(rows) == sum(1 for r in everything if check(r))


def test_orderby_top_skip_and_count(client, admin_headers):
    q = "/odata/Risks?$orderby=Exposure desc,RiskId&$select=RiskId,Exposure"
    every = client.get(q, headers=admin_headers).json()["value"]
    assert [r["Exposure"] for r in every] == sorted((r["Exposure"] for r in every), reverse=True)
    page = client.get(f"{q}&$top=5&$skip=10&$count=true", headers=admin_headers).json()
    assert page["value"] == every[10:15]
    assert page["@odata.count"] == len(every)
    assert "@odata.nextLink" not in page  # $top reached: no further page
    count = client.get("/odata/Risks/$count?$filter=Exposure ge 15", headers=admin_headers)
    assert int(count.text) == sum(1 for r in every if r["Exposure"] >= 15)
    one = client.get(f"/odata/Risks({every[0]['RiskId']})", headers=admin_headers).json()
    assert one["RiskId"] == every[0]["RiskId"] and "Title" in one


def test_server_driven_paging_to_the_end(client, admin_headers):
    everything = client.get("/odata/StatusReports?$select=StatusReportId", headers=admin_headers)
    ids = [r["StatusReportId"] for r in everything.json()["value"]]
    seen, link, pages = [], "/odata/StatusReports?$select=StatusReportId", 0
    while link:
        response = client.get(link, headers={**admin_headers, "Prefer": "odata.maxpagesize=400"})
        assert response.headers["Preference-Applied"] == "odata.maxpagesize=400"
        body = response.json()
        seen += [r["StatusReportId"] for r in body["value"]]
        link, pages = body.get("@odata.nextLink"), pages + 1
    assert seen == ids and pages == -(-len(ids) // 400)


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("/odata/Nothing", 404, "no entity set"),
        ("/odata/Projects?$select=Colour", 400, "no property 'Colour'"),
        ("/odata/Projects?$orderby=Colour desc", 400, "no property 'Colour'"),
        ("/odata/Projects?$filter=Colour eq 1", 400, "names no property"),
        ("/odata/Projects?$filter=ProjectName eq", 400, "not a valid OData filter"),
        ("/odata/Projects?$filter=ProjectName eq 'x'; DROP TABLE project", 400, "not a valid"),
        ("/odata/Projects?$top=5001", 400, "largest page is 5,000"),
        ("/odata/Projects?$top=-1", 400, "$top must be a whole number"),
        ("/odata/Projects?$skip=ten", 400, "$skip must be a whole number"),
        ("/odata/Projects?$count=maybe", 400, "$count must be true or false"),
        ("/odata/Projects?$expand=Tasks", 400, "$expand is not supported"),
        ("/odata/Projects(999999)", 404, "does not exist"),
        ("/odata/Projects?$filter=ProjectFinishDate lt 2027-13-45", 400, "$filter"),
        ("/odata/Projects?$filter=length(ProjectName) gt 'x' and", 400, "not a valid"),
    ],
)
def test_bad_queries_get_the_odata_error_format(client, admin_headers, url, query, status, words):
    response = client.get(query, headers=admin_headers)
    assert response.status_code == status and response.headers["OData-Version"] == "4.0"
    error = response.json()["error"]
    assert words in error["message"] and error["code"]
    with get_engine(url).connect() as conn:  # the project table is still there
        assert conn.execute(sa.text("SELECT COUNT(*) FROM project")).scalar() == 50


def test_conditional_get_from_the_data_version(client, admin_headers, url):
    first = client.get("/api/v1/projects?limit=1", headers=admin_headers)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get("/api/v1/projects?limit=1", headers={**admin_headers, "If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    since = client.get(
        "/odata/Projects?$top=1", headers={**admin_headers, "If-Modified-Since": modified}
    )
    assert since.status_code == 304
    with session_scope(url) as session:  # any write moves the version
        session.execute(sa.text("UPDATE data_version SET version = version + 1"))
        session.commit()
    changed = client.get(
        "/api/v1/projects?limit=1", headers={**admin_headers, "If-None-Match": etag}
    )
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_rest_filters_mean_what_the_sidebar_filters_mean(client, admin_headers):
    every = client.get("/api/v1/projects?limit=5000", headers=admin_headers).json()["data"]
    program = every[0]["program_name"]
    chosen = client.get(
        "/api/v1/projects",
        params={"program": program, "health": ["Red", "Amber"]},
        headers=admin_headers,
    ).json()
    expected = [
        p["project_id"]
        for p in every
        if p["program_name"] == program and p["health_overall"] in ("Red", "Amber")
    ]
    assert sorted(p["project_id"] for p in chosen["data"]) == sorted(expected)
    reports = client.get(
        "/api/v1/status-reports",
        params={"program": program, "limit": 5000},
        headers=admin_headers,
    ).json()["data"]
    in_program = {p["project_id"] for p in every if p["program_name"] == program}
    assert reports and {r["project_id"] for r in reports} <= in_program


def test_rest_paging_follows_next_to_the_end(client, admin_headers):
    link, seen = "/api/v1/risks?limit=120&fields=risk_id&sort=-exposure", []
    while link:
        body = client.get(link, headers=admin_headers).json()
        seen += [r["risk_id"] for r in body["data"]]
        link = body["next"]
    assert len(seen) == len(set(seen)) == body["count"]


def test_openapi_document_lists_every_path(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for es in ENTITY_SETS.values():
        assert f"/api/v1/{es.path}" in doc["paths"]
    assert "post" in doc["paths"]["/api/v1/status-reports"]
    assert "patch" in doc["paths"]["/api/v1/milestones/{id}"]


# --- tokens ---------------------------------------------------------------------------


def test_no_token_bad_token_and_basic_auth(client, url):
    secret = token(url, person(url, "viewer"), DEMO_TODAY)
    missing = client.get("/odata/Projects")
    assert missing.status_code == 401 and "Basic" in missing.headers["WWW-Authenticate"]
    wrong = client.get("/odata/Projects", headers=bearer("pmo_" + "x" * 43))
    assert (
        wrong.status_code == 401 and wrong.json()["error"]["message"] == "The token is not valid."
    )
    basic = base64.b64encode(f"anyone:{secret}".encode()).decode()
    ok = client.get("/odata/Projects?$top=1", headers={"Authorization": f"Basic {basic}"})
    assert ok.status_code == 200
    used = tokens(person(url, "viewer").person_id, url=url)
    assert used.last_used_at.notna().all()


def test_expired_and_revoked_tokens_stop_working(client, url):
    viewer = person(url, "viewer")
    secret = token(url, viewer, DEMO_TODAY, days=0)  # valid through today
    assert client.get("/odata/Projects?$top=1", headers=bearer(secret)).status_code == 200
    with get_engine(url).begin() as conn:
        conn.execute(
            sa.text("UPDATE api_token SET expires_on = :d"),
            {"d": DEMO_TODAY - dt.timedelta(days=1)},
        )
    expired = client.get("/odata/Projects?$top=1", headers=bearer(secret))
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]
    other = token(url, viewer, DEMO_TODAY)
    with session_scope(url) as session:
        token_id = int(tokens(viewer.person_id, url=url).id.iloc[0])
        revoke_token(token_id, session=session, actor=person(url, "admin"))
    revoked = client.get("/api/v1/projects?limit=1", headers=bearer(other))
    assert revoked.status_code == 401 and "revoked" in revoked.json()["error"]["message"]
    with get_engine(url).connect() as conn:
        actions = (
            conn.execute(sa.select(AuditLog.action).where(AuditLog.entity == "api_token"))
            .scalars()
            .all()
        )
    assert sorted(actions) == ["create", "create", "revoke"]


def test_secret_is_stored_only_as_a_hash(url):
    secret = token(url, person(url, "viewer"), DEMO_TODAY)
    with get_engine(url).connect() as conn:
        dumped = " ".join(
            str(v) for row in conn.execute(sa.text("SELECT * FROM api_token")) for v in row
        )
        audit = " ".join(str(r) for r in conn.execute(sa.text("SELECT * FROM audit_log")))
    assert secret not in dumped and secret not in audit and secret[4:] not in dumped


def test_audit_log_only_for_admins(client, url, admin_headers):
    viewer = bearer(token(url, person(url, "viewer"), DEMO_TODAY))
    assert client.get("/odata/AuditLog", headers=viewer).status_code == 403
    assert client.get("/api/v1/audit-log", headers=admin_headers).status_code == 200


def test_people_carry_no_secrets(client, admin_headers):
    row = client.get("/api/v1/people?limit=1", headers=admin_headers).json()["data"][0]
    assert not any("password" in k or "hash" in k for k in row)


# --- rate limit -------------------------------------------------------------------------


def test_rate_limit_answers_429_with_retry_after(url):
    client = TestClient(Starlette(routes=api_routes(Limits(per_token=3, per_client=100))))
    headers = bearer(token(url, person(url, "viewer"), DEMO_TODAY))
    statuses = [client.get("/odata/", headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/odata/", headers=headers)
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["error"]["code"] == "TooManyRequests"
    # Another token from the same address still gets in (up to the address's own limit).
    other = bearer(token(url, person(url, "viewer"), DEMO_TODAY))
    assert client.get("/odata/", headers=other).status_code == 200


def test_project_manager_token_reads_everything_a_project_manager_sees(client, url):
    pm = person(url, "project_manager")
    _, code = own_project(url, pm)
    headers = bearer(token(url, pm, DEMO_TODAY))
    rows = client.get(f"/api/v1/projects?project={code}", headers=headers).json()["data"]
    assert [r["project_code"] for r in rows] == [code]


def test_bei_and_exposure_agree_with_the_milestones_and_risks(client, admin_headers):
    def rows(path):
        return client.get(path, headers=admin_headers).json()["value"]

    day = DEMO_TODAY.isoformat()
    tasks = rows("/odata/Tasks")
    risks = rows("/odata/Risks?$filter=Status eq 'open' and Kind eq 'threat'")
    for project in rows("/odata/Projects?$select=ProjectId,BEI,RiskExposure"):
        plan = [
            t
            for t in tasks
            if t["ProjectId"] == project["ProjectId"]
            and t["TaskAddedDate"] <= day
            and (t["TaskRemovedDate"] is None or t["TaskRemovedDate"] > day)
        ]
        passed = sum(t["TaskBaselineFinishDate"] <= day for t in plan)
        done = sum(
            bool(t["TaskActualFinishDate"]) and t["TaskActualFinishDate"] <= day for t in plan
        )
        assert project["BEI"] == (round(done / passed, 2) if passed else None)
        exposure = sum(r["Exposure"] for r in risks if r["ProjectId"] == project["ProjectId"])
        assert project["RiskExposure"] == exposure


def test_a_deactivated_owner_s_token_stops_working(client, url):
    viewer = person(url, "viewer")
    headers = bearer(token(url, viewer, DEMO_TODAY))
    assert client.get("/odata/", headers=headers).status_code == 200
    with get_engine(url).begin() as conn:
        conn.execute(
            sa.text("UPDATE person SET active = false WHERE id = :i"), {"i": viewer.person_id}
        )
    refused = client.get("/odata/", headers=headers)
    assert refused.status_code == 401 and "can no longer sign in" in refused.text


def test_capacity_has_every_active_person_for_each_week(client, admin_headers):
    people = client.get("/api/v1/people?limit=5000", headers=admin_headers).json()["data"]
    weekly = {p["resource_id"]: p["resource_weekly_capacity_hours"] for p in people}
    rows = client.get("/odata/Capacity", headers=admin_headers).json()["value"]
    weeks = sorted({r["WeekStartDate"] for r in rows})
    assert len(weeks) == 26 and dt.date.fromisoformat(weeks[0]).weekday() == 0
    assert {r["ResourceId"] for r in rows} <= set(weekly)
    for r in rows:
        assert r["CapacityHours"] <= weekly[r["ResourceId"]] + 1e-9
        assert r["IsOverAllocated"] == (r["AllocatedHours"] > r["CapacityHours"] + 0.05)
    assert any(r["IsOverAllocated"] for r in rows) and any(r["AllocatedHours"] for r in rows)
