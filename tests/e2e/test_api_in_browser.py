"""As a new user would: create a token on the API tokens page in a real browser, read the
feed with it (curl's request, from httpx), send a status update and see it on the portfolio."""

from __future__ import annotations

import httpx2
import pytest
from playwright.sync_api import expect

from tests.e2e.harness import go_to, open_app, screenshot, settle_after_action

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-api")]


def test_token_from_the_page_reads_the_feed_and_sends_an_update(page, server):
    open_app(page, server.url)
    go_to(page, "API tokens")
    page.get_by_label("Name").fill("Weekly pipeline")
    page.get_by_text("Read and write", exact=False).click()
    page.get_by_role("button", name="Create token").click()
    settle_after_action(page)
    expect(page.get_by_text("shown only once")).to_be_visible()
    secret = page.locator('[data-testid="stCode"] code').last.inner_text().strip()
    assert secret.startswith("pmo_")
    screenshot(page, "api_tokens")

    headers = {"Authorization": f"Bearer {secret}"}
    red = httpx2.get(
        f"{server.url}/odata/Projects",
        params={"$filter": "HealthOverall eq 'Red'", "$select": "ProjectCode,ProjectName"},
        headers=headers,
    ).json()["value"]
    assert red
    sent = httpx2.post(
        f"{server.url}/api/v1/status-reports",
        json={"project": red[0]["ProjectCode"], "summary": "Recovery plan approved by sponsor"},
        headers=headers,
    )
    assert sent.status_code == 201, sent.text

    page.goto(f"{server.url}/project?project={red[0]['ProjectCode']}")
    settle_after_action(page)
    expect(page.get_by_text("Recovery plan approved by sponsor").first).to_be_visible()
    screenshot(page, "api_status_update_on_project")
