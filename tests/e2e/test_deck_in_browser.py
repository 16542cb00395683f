"""The organisation's template in a real browser, as a PMO admin does it: upload a .potx on the
Slide deck tab, download the deck, and find it built on the template with editable charts."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation

from tests.e2e.harness import open_app, open_expander, screenshot, settle, settle_after_action
from tests.test_deck_template import ORG, as_potx, corporate_template

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-deck")]


def test_upload_a_template_and_download_the_deck_built_on_it(server, page, tmp_path):
    open_app(page, f"{server.url}/meeting?tab=Slide+deck")  # the tab is kept in the URL
    open_expander(page, "Your organisation's PowerPoint template")

    # A file that is not a template is refused with the reason, and nothing changes.
    bad = tmp_path / "notes.pptx"
    bad.write_text("minutes of the last review")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    settle(page)
    page.get_by_role("button", name="Use this template").click()
    settle_after_action(page)
    page.get_by_text("notes.pptx cannot be used: this is not a PowerPoint").wait_for()

    good = tmp_path / "acme.potx"
    good.write_bytes(as_potx(corporate_template()))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(good))
    settle(page)
    page.get_by_role("button", name="Use this template").click()
    settle_after_action(page)
    page.get_by_text("Decks are built on acme.potx").wait_for()
    screenshot(page, "meeting-deck-template")

    with page.expect_download(timeout=180_000) as download:
        page.get_by_role("button", name="PowerPoint (.pptx)").click()
    deck = Presentation(io.BytesIO(download.value.path().read_bytes()))
    assert ORG in [s.text_frame.text for s in deck.slide_master.shapes if s.has_text_frame]
    assert {s.slide_layout.name for s in deck.slides} == {"Title Only"}
    assert any(shape.has_chart for slide in deck.slides for shape in slide.shapes)
