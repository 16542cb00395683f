"""The meeting page through Streamlit's AppTest: preparing, forms, and the presentation URL."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components.meeting.slides import md
from data_access.core.db import read_df
from data_access.meeting import reviews
from deck.sources import load_meeting
from domain.changes import counts
from tests.auth_helpers import open_app
from tests.conftest import DEMO_TODAY


@pytest.fixture
def meeting(demo_db_url, monkeypatch):
    """Open the meeting page in a new session with these query parameters."""

    def open_page(**params) -> AppTest:
        return open_app(demo_db_url, monkeypatch, "pages/meeting.py", **params)

    return open_page


def _by_label(widgets, label):
    return next(w for w in widgets if w.label == label)


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def test_prepare_view_shows_what_changed(meeting, demo_db_url):
    at = meeting()
    expected = counts(load_meeting(DEMO_TODAY, url=demo_db_url).changes)
    shown = {m.label: int(m.value.replace(",", "")) for m in at.metric}
    assert {k: shown[k] for k in expected} == expected
    assert any("What changed since" in h.value for h in at.subheader)
    assert not _errors(at)


def test_start_a_review_then_record_a_decision_with_all_errors_at_once(meeting, demo_db_url):
    at = meeting()
    _by_label(at.text_input, "Title").set_value("Board review")
    _by_label(at.button, "Start the review").click().run()
    listed = reviews.reviews(demo_db_url)
    review_id = int(listed[listed.title == "Board review"].id.item())
    assert at.query_params["review"] == str(review_id)

    # A fresh session on that URL (as after a refresh) is in the review.
    at = meeting(review=str(review_id), tab="Decisions and actions")
    assert _by_label(at.selectbox, "Review").value == review_id
    details = next(w for w in at.text_area if w.label == "Details")
    details.set_value("Typed before the mistake")
    next(b for b in at.button if b.label == "Record the decision").click().run()
    assert "choose the project it concerns" in _errors(at)
    assert "is required" in _errors(at)  # shown under the Decision field
    assert next(w for w in at.text_area if w.label == "Details").value == (
        "Typed before the mistake"
    )
    assert reviews.review_decisions(review_id, demo_db_url).empty

    pid = read_df("SELECT id FROM project WHERE code = 'PRJ-0049'", url=demo_db_url).id.item()
    next(w for w in at.selectbox if w.label == "Project").set_value(int(pid))
    next(w for w in at.text_input if w.label == "Decision").set_value("Pause phase 2")
    next(b for b in at.button if b.label == "Record the decision").click().run()
    assert not _errors(at)
    decided = reviews.review_decisions(review_id, demo_db_url)
    assert decided[["code", "title", "description"]].to_dict("records") == [
        {"code": "PRJ-0049", "title": "Pause phase 2", "description": "Typed before the mistake"}
    ]


def test_an_action_without_owner_is_refused_beside_the_field(meeting, demo_db_url):
    at = meeting(review="3", tab="Decisions and actions")
    _by_label(at.text_input, "Action").set_value("Call the supplier")
    _by_label(at.button, "Record the action").click().run()
    assert "choose who owns the action" in _errors(at)
    assert _by_label(at.text_input, "Action").value == "Call the supplier"
    assert (
        read_df(
            "SELECT COUNT(*) AS n FROM action WHERE title = 'Call the supplier'", url=demo_db_url
        ).n.item()
        == 0
    )


def test_presentation_opens_on_the_slide_in_the_url_and_moves(meeting, demo_db_url):
    slides = load_meeting(DEMO_TODAY, url=demo_db_url).slides
    at = meeting(present="1", slide="3")
    titles = [m.value for m in at.markdown if m.value.startswith("# ")]
    assert titles == [f"# {md(slides[2].title)}"]
    assert any(m.value == f"**3 / {len(slides)}**" for m in at.markdown)
    _by_label(at.button, "Next").click().run()
    assert at.query_params["slide"] == "4"
    _by_label(at.button, "Previous page").click().run()  # the clicker's PageUp twin
    assert at.query_params["slide"] == "3"


def test_presentation_clamps_a_slide_number_out_of_range(meeting, demo_db_url):
    total = len(load_meeting(DEMO_TODAY, url=demo_db_url).slides)
    at = meeting(present="1", slide="999")
    assert any(m.value == f"**{total} / {total}**" for m in at.markdown)
    assert _by_label(at.button, "Next").disabled
