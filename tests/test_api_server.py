"""The API and the OData feed served by the real `streamlit run app.py` process (the same one
that serves the pages), read with a real HTTP client and a generic OData client library, on
SQLite and on PostgreSQL: every entity set paged to the end, $metadata against the rows, a
status update sent and seen, a token's life (use, revoke)."""

from __future__ import annotations

import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import httpx2
import pytest
from odata import ODataService
from requests.auth import HTTPBasicAuth

from data_access.api_tokens.commands import revoke_token
from data_access.api_tokens.reads import tokens
from data_access.core.db import dispose_engines, read_df, read_scalar, session_scope
from data_access.demo.loader import prepare_database
from data_access.stakeholders.commands import UNSUBSCRIBE_PATH
from tests.api_helpers import bearer, own_project, person, token
from tests.conftest import DEMO_TODAY
from tests.e2e.harness import scratch_pg_database, streamlit_servers

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
pytestmark = pytest.mark.xdist_group("api_server")


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "postgresql":
        with scratch_pg_database("pmo_api") as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/pmo.db"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request) -> Iterator[tuple[str, str]]:
    """(server address, database URL): one app process on a demo portfolio."""
    with database(request.param) as url:
        prepare_database(url)  # as the app's first start does: the tier S demo, today
        with (
            tempfile.TemporaryDirectory() as logs,
            streamlit_servers(url, Path(logs)) as (server,),
        ):
            yield server.url, url
        dispose_engines()


def test_pages_and_api_share_one_process(served):
    base, _ = served
    assert httpx2.get(f"{base}/_stcore/health").text == "ok"
    assert "<html" in httpx2.get(f"{base}/").text.lower()
    refused = httpx2.get(f"{base}/odata/")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "Unauthorized"


def test_every_entity_set_pages_to_the_end_with_every_declared_property(served):
    base, url = served
    headers = bearer(token(url, person(url, "admin"), DEMO_TODAY))
    with httpx2.Client(base_url=base, headers=headers, timeout=60) as client:
        root = ET.fromstring(client.get("/odata/$metadata").content)
        declared = {
            t.get("Name"): [p.get("Name") for p in t.iter(f"{EDM}Property")]
            for t in root.iter(f"{EDM}EntityType")
        }
        sets = {
            s.get("Name"): s.get("EntityType").split(".")[1] for s in root.iter(f"{EDM}EntitySet")
        }
        listed = [s["name"] for s in client.get("/odata/").json()["value"]]
        assert listed == list(sets)
        for name, type_name in sets.items():
            count = int(client.get(f"/odata/{name}/$count").text)
            rows, link = [], f"/odata/{name}"
            while link:
                body = client.get(link, headers={"Prefer": "odata.maxpagesize=1000"}).json()
                rows += body["value"]
                link = body.get("@odata.nextLink")
            assert len(rows) == count > 0, name
            assert all(list(r) == declared[type_name] for r in rows), name


def test_a_value_of_the_wrong_type_is_a_bad_request_not_a_server_error(served):
    base, url = served
    headers = bearer(token(url, person(url, "viewer"), DEMO_TODAY))
    response = httpx2.get(
        f"{base}/odata/Tasks", params={"$filter": "TaskId eq 'seven'"}, headers=headers
    )
    if url.startswith("postgresql"):  # PostgreSQL refuses to compare a number with text
        assert response.status_code == 400 and response.json()["error"]["target"] == "$filter"
    else:  # SQLite compares them and finds nothing
        assert response.status_code == 200 and response.json()["value"] == []


def test_a_generic_odata_client_reads_the_feed(served):
    base, url = served
    secret = token(url, person(url, "viewer"), DEMO_TODAY)
    service = ODataService(
        f"{base}/odata/", auth=HTTPBasicAuth("powerbi", secret), reflect_entities=True
    )
    Project = service.entities["Projects"]
    red = service.query(Project).filter(Project.HealthOverall == "Red").all()
    assert red and all(p.HealthOverall == "Red" and p.HealthOverallWhy for p in red)


def test_status_update_sent_with_the_api_is_seen_and_the_token_revoked(served):
    base, url = served
    pm = person(url, "project_manager")
    project_id, code = own_project(url, pm)
    secret = token(url, pm, DEMO_TODAY, scope="read-write")
    with httpx2.Client(base_url=base, headers=bearer(secret), timeout=60) as client:
        sent = client.post(
            "/api/v1/status-reports", json={"project": code, "summary": "Sent with httpx"}
        )
        assert sent.status_code == 201, sent.text
        whole = client.get("/odata/Projects")  # compressed like the pages' answers
        assert whole.headers["content-encoding"] == "gzip" and len(whole.json()["value"]) == 50
        project = client.get(f"/api/v1/projects/{project_id}").json()
        assert project["last_status_summary"] == "Sent with httpx"
        with session_scope(url) as session:
            mine = tokens(pm.person_id, url=url)
            revoke_token(int(mine.id.iloc[0]), session=session, actor=pm)
        assert client.get("/api/v1/projects?limit=1").status_code == 401


def test_a_stale_milestone_move_is_refused_and_changes_nothing(served):
    base, url = served
    pm = person(url, "project_manager")
    project_id, _ = own_project(url, pm)
    headers = bearer(token(url, pm, DEMO_TODAY, scope="read-write"))
    with httpx2.Client(base_url=base, headers=headers, timeout=60) as client:
        query = f"ProjectId eq {project_id} and TaskActualFinishDate eq null"
        task = client.get("/odata/Tasks", params={"$filter": query, "$top": 1}).json()["value"][0]
        path, version = f"/api/v1/milestones/{task['TaskId']}", str(task["Version"])
        moved = client.patch(
            path,
            headers={"If-Match": version},
            json={"forecast_date": "2027-05-03", "reason": "API"},
        )
        assert moved.status_code == 200, moved.text
        stale = client.patch(
            path, headers={"If-Match": version}, json={"forecast_date": "2027-06-07"}
        )
        assert stale.status_code == 409
        now = client.get(f"/odata/Tasks({task['TaskId']})").json()
        assert now["TaskFinishDate"] == "2027-05-03" and now["Version"] == task["Version"] + 1


def test_a_mail_clients_one_click_unsubscribe_ends_the_subscription(served):
    """RFC 8058: the mail client POSTs to the List-Unsubscribe address; a browser opening it
    is sent to the unsubscribe page (a link scanner's GET ends nothing)."""
    base, url = served
    count = "SELECT COUNT(*) FROM subscription WHERE unsubscribe_token = :t"
    [stop] = read_df("SELECT unsubscribe_token FROM subscription LIMIT 1", url=url).iloc[0]
    opened = httpx2.get(f"{base}{UNSUBSCRIBE_PATH}", params={"token": stop})
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/?{urlencode({'unsubscribe': stop})}"
    assert read_scalar(count, {"t": stop}, url=url) == 1
    one_click = {"List-Unsubscribe": "One-Click"}
    done = httpx2.post(f"{base}{UNSUBSCRIBE_PATH}", params={"token": stop}, data=one_click)
    assert done.status_code == 200 and done.text.startswith("Unsubscribed")
    assert read_scalar(count, {"t": stop}, url=url) == 0
    again = httpx2.post(f"{base}{UNSUBSCRIBE_PATH}", params={"token": stop}, data=one_click)
    assert again.status_code == 200 and "already ended" in again.text
