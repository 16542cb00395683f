"""Lessons on the pages (Streamlit AppTest on the demo portfolio): the register and its search,
the lessons offered on a project page and marking one useful, recording a lesson with every
problem under its field, and the lesson form under a gate awaiting a decision."""

from __future__ import annotations

from components.lessons import data as lessons_data
from data_access.core.db import read_df
from data_access.lessons import reads
from tests.auth_helpers import open_app

PROJECT = "PRJ-0001"


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _count(url, sql):
    return int(read_df(sql, url=url).iloc[0, 0])


def test_register_lists_the_demo_lessons_and_search_narrows_them(demo_db_url, monkeypatch):
    at = open_app(demo_db_url, monkeypatch, "pages/lessons.py")
    assert not at.error, [e.value for e in at.error]
    total = _count(demo_db_url, "SELECT COUNT(*) FROM lesson")
    assert total >= 150 and any(f"{total} lesson(s)." == c.value for c in at.caption)
    at.text_input(key="lesson_q").set_value('"test environment"').run()
    expected = _count(
        demo_db_url, "SELECT COUNT(*) FROM lesson WHERE title = 'Test environment booked too late'"
    )
    assert any(c.value == f"{expected} lesson(s) match." for c in at.caption)
    assert set(at.dataframe[0].value.title) == {"Test environment booked too late"}


def test_a_long_register_shows_the_newest_lessons_and_counts_them_all(demo_db_url, monkeypatch):
    monkeypatch.setattr(lessons_data, "REGISTER_ROWS", 20)
    at = open_app(demo_db_url, monkeypatch, "pages/lessons.py")
    total = _count(demo_db_url, "SELECT COUNT(*) FROM lesson")
    caption = f"{total:,} lesson(s), the newest 20 shown (search finds the others)."
    assert any(c.value == caption for c in at.caption), [c.value for c in at.caption]
    newest = read_df(
        "SELECT title FROM lesson ORDER BY recorded_on DESC, id DESC LIMIT 20", url=demo_db_url
    )
    assert at.dataframe[0].value.title.tolist() == newest.title.tolist()


def test_a_project_page_offers_lessons_and_a_pm_marks_one_useful(demo_db_url, monkeypatch):
    at = _lessons_as_pm(demo_db_url, monkeypatch)
    assert not at.error, [e.value for e in at.error]
    assert any("lessons from similar projects" in m.value for m in at.markdown)
    assert any(c.value.startswith("Why: ") for c in at.caption)
    before = _count(demo_db_url, "SELECT COUNT(*) FROM lesson_mark")
    _button(at, "Useful").click().run()
    assert not at.exception and not at.error
    assert _count(demo_db_url, "SELECT COUNT(*) FROM lesson_mark") == before + 1


def test_recording_a_lesson_shows_each_problem_under_its_field(demo_db_url, monkeypatch):
    at = _lessons_as_pm(demo_db_url, monkeypatch)
    before = _count(demo_db_url, "SELECT COUNT(*) FROM lesson")
    key = next(t.key for t in at.text_input if t.label == "Lesson in one line")
    at.text_input(key=key).set_value("x")
    _button(at, "Record the lesson").click().run()
    problems = [m.value for m in at.markdown if ":material/error:" in m.value]
    # Title too short; what happened, recommendation and category missing: all at once.
    assert len(problems) == 4 and "at least 3 characters" in problems[0], problems
    assert _count(demo_db_url, "SELECT COUNT(*) FROM lesson") == before
    assert at.text_input(key=key).value == "x"  # what was typed is kept
    prefix = key.rsplit(".", 1)[0]
    at.text_input(key=key).set_value("Sign the data-sharing agreement first")
    at.text_area(key=f"{prefix}.what_happened").set_value(
        "Legal review of the data-sharing agreement held up the pilot for three weeks."
    )
    at.text_area(key=f"{prefix}.recommendation").set_value(
        "Start the agreement in initiation, with legal as a named stakeholder."
    )
    at.selectbox(key=f"{prefix}.category").set_value("governance")
    _button(at, "Record the lesson").click().run()
    assert not at.error, [e.value for e in at.error]
    row = read_df(
        "SELECT l.phase, l.status, p.phase AS project_phase FROM lesson l "
        "JOIN project p ON p.id = l.project_id "
        "WHERE l.title = 'Sign the data-sharing agreement first'",
        url=demo_db_url,
    ).iloc[0]
    assert row.status == "draft" and row.phase == row.project_phase


def test_a_gate_awaiting_decision_offers_the_lesson_form(demo_db_url, monkeypatch):
    at = open_app(demo_db_url, monkeypatch, "pages/gates.py", tab="Gates")
    assert not at.error, [e.value for e in at.error]
    assert any("Record a lesson" in e.label for e in at.expander)


def test_the_pmo_turns_a_lesson_into_a_phases_guidance(demo_db_url, monkeypatch):
    """ "Turn into guidance": the guidance proposed is the phase's own plus the lesson's
    recommendation; saved, the template has a new revision and the lesson says where it went."""
    at = open_app(demo_db_url, monkeypatch, "pages/lessons.py")
    shown = at.dataframe[0].value
    row = next(i for i, s in enumerate(shown.status) if s in ("draft", "accepted"))
    at.session_state["lesson_table"] = {"selection": {"rows": [row], "columns": []}}
    at.run()
    guidance = next(t for t in at.text_area if t.label == "The phase's guidance")
    lesson = reads.lessons(url=demo_db_url).iloc[row]  # the register's order
    assert guidance.value.endswith(lesson.recommendation)
    revisions = _count(demo_db_url, "SELECT COUNT(*) FROM lifecycle_template")
    guidance.set_value("")
    _button(at, "Save as a new revision").click().run()
    assert at.text_area(key=guidance.key).value == ""
    assert _count(demo_db_url, "SELECT COUNT(*) FROM lifecycle_template") == revisions
    at.text_area(key=guidance.key).set_value("Book the test lab at the planning gate.")
    _button(at, "Save as a new revision").click().run()
    assert not at.error, [e.value for e in at.error]
    assert _count(demo_db_url, "SELECT COUNT(*) FROM lifecycle_template") == revisions + 1
    merged = read_df(
        f"SELECT status, guidance_phase FROM lesson WHERE id = {int(lesson.id)}", url=demo_db_url
    ).iloc[0]
    assert merged.status == "merged" and merged.guidance_phase


def _lessons_as_pm(url, monkeypatch):
    """The project page of PROJECT on its Lessons tab, as its project manager."""
    return open_app(
        url, monkeypatch, "pages/project.py", role="project_manager", project=PROJECT, tab="Lessons"
    )
