"""Time the API and the OData feed in-process (the server's routes over Starlette's test client,
no network): the whole Projects set with health, a page of 500 status reports, a filtered list."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

from starlette.applications import Starlette
from starlette.testclient import TestClient

from api.access import Limits
from api.routes import api_routes
from data_access.api_tokens.commands import create_token
from data_access.core.auth import actor_for_person
from data_access.core.db import read_scalar, session_scope

TARGETS_MS = {"projects_cold_ms": 1000, "projects_warm_ms": 1000, "status_page_ms": 300}


def _timed(client: TestClient, path: str, headers: dict, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append(time.perf_counter() - started)
        response.raise_for_status()
    return round(statistics.median(samples) * 1000, 1)


def _token(url: str, today: dt.date, admin) -> str:
    with session_scope(url) as session:
        _, secret = create_token(
            {"name": "benchmark", "scope": "read", "expires_on": today},
            today=today,
            session=session,
            actor=admin,
        )
    return secret


def measure_api(url: str, today: dt.date, repeats: int = 5) -> dict[str, float]:
    """Median ms per request; `projects_cold_ms` is the first Projects read after a save (health
    computed for every project at the new data version)."""
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    try:
        admin = actor_for_person(
            read_scalar("SELECT MIN(id) FROM person WHERE role = 'admin'", url=url), url
        )
        client = TestClient(Starlette(routes=api_routes(Limits(10**9, 10**9))))
        headers = {"Authorization": f"Bearer {_token(url, today, admin)}"}
        client.get("/odata/", headers=headers).raise_for_status()  # the process's first request
        _token(url, today, admin)  # a save: the data version moves, the next Projects is cold
        reports = read_scalar("SELECT COUNT(*) FROM status_report", url=url)
        middle = max(0, reports // 2 - 250)
        return {
            "projects_cold_ms": _timed(client, "/odata/Projects", headers, 1),
            "projects_warm_ms": _timed(client, "/odata/Projects", headers, repeats),
            "status_page_ms": _timed(
                client, f"/odata/StatusReports?$top=500&$skip={middle}", headers, repeats
            ),
            "rest_filtered_ms": _timed(
                client, "/api/v1/projects?health=Red&health=Amber&limit=500", headers, repeats
            ),
        }
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous
