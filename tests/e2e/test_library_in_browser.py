"""The templates library in a real browser (issue 25): a PMO admin uploads a new version of a
template, a refused file is explained under the field, and the new version downloads (counted),
from the library and from the guidance of a project in the template's phase."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from data_access.core.db import read_scalar
from tests.e2e.harness import open_expander, screenshot, settle, settle_after_action, sign_in_as

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-library")]

NEW = "# Project charter\n\nVersion uploaded in the browser test.\n"


def _download(page, button: str, url: str, *, downloads: int) -> None:
    """The button downloads the uploaded version, and the library counts it."""
    with page.expect_download() as download:
        page.get_by_role("button", name=button).click()
    assert Path(download.value.path()).read_text() == NEW
    settle(page)
    assert (
        read_scalar(
            "SELECT downloads FROM library_file WHERE filename = 'charter-browser.md'", url=url
        )
        == downloads
    )


def test_upload_a_new_version_and_download_it(server, demo_url, new_page, tmp_path):
    page = new_page()
    sign_in_as(page, server.url, "PMO admin")
    page.goto(f"{server.url}/lessons?tab=Templates")
    settle(page)
    card = (
        page.get_by_test_id("stVerticalBlock")
        .filter(has_text="Project charter ·")
        .filter(has=page.get_by_text("Earlier versions and upload"))
        .last
    )
    open_expander(card, "Earlier versions and upload")
    before = read_scalar(
        "SELECT MAX(f.number) FROM library_file f JOIN library_document d "
        "ON d.id = f.document_id WHERE d.name = 'Project charter'",
        url=demo_url,
    )
    good = tmp_path / "charter-browser.md"
    good.write_text(NEW)
    # An unreadable file (a .docx that is not one) is refused under the field.
    fake = tmp_path / "charter.docx"
    fake.write_bytes(b"%PDF-1.4 not a word file")
    card.locator("input[type=file]").set_input_files(str(fake))
    settle(page)
    card.get_by_role("button", name="Upload", exact=True).click()
    settle_after_action(page)
    expect(card.get_by_text("cannot be read as .docx", exact=False)).to_have_count(1)
    card.locator("input[type=file]").set_input_files(str(good))
    settle(page)
    card.get_by_role("textbox", name="What changed").fill("Browser test version")
    card.get_by_role("button", name="Upload", exact=True).click()
    settle_after_action(page)
    expect(page.get_by_text("New version uploaded.")).to_have_count(1)
    _download(page, f"charter-browser.md (version {before + 1})", demo_url, downloads=1)
    screenshot(page, "library-uploaded")

    # The guidance of a project in its Initiation phase offers the charter's new version.
    code = read_scalar(
        "SELECT MIN(code) FROM project WHERE phase = 'Initiation' AND status = 'active'",
        url=demo_url,
    )
    page.goto(f"{server.url}/project?project={code}&tab=Lifecycle%20and%20gates")
    settle(page)
    expect(page.get_by_text("Templates for this phase")).to_have_count(1)
    _download(page, f"Project charter (version {before + 1})", demo_url, downloads=2)
    screenshot(page, "library-phase-guidance")
