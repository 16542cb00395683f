"""The entry forms through Streamlit's AppTest on the demo portfolio: good values are stored,
bad ones are refused with the message right under their field and the typed values kept,
two sessions editing one record end in a conflict the second can re-apply, and a save is
seen by every other session on its next rerun."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from data_access.core.db import read_df
from data_access.core.writes import Actor
from tests.auth_helpers import open_app
from tests.conftest import DEMO_TODAY

PID, CODE = 1, "PRJ-0001"  # demo project managed by Petra Projects (person 3)
TODAY = DEMO_TODAY


def open_page(url, monkeypatch, section, page="pages/updates.py", actor=None, **params):
    query = {"project": CODE, "section": section, **params}
    return open_app(url, monkeypatch, page, actor=actor, **query)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def field(at: AppTest, kind: str, form: str, name: str):
    """The widget of `form`'s field `name` (keys are form-record-version-generation-field)."""
    found = [
        w
        for w in getattr(at, kind)
        if (w.key or "").startswith(f"{form}-") and w.key.endswith(f"-{name}")
    ]
    assert len(found) == 1, [w.key for w in getattr(at, kind)]
    return found[0]


def message_under(at: AppTest, widget) -> str | None:
    """The error drawn right under a widget, if any."""
    nodes = list(at.main)
    position = next(i for i, n in enumerate(nodes) if getattr(n, "key", None) == widget.key)
    after = nodes[position + 1] if position + 1 < len(nodes) else None
    return after.value if type(after).__name__ == "Error" else None


def submit(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return run(at)


def one(url, sql, **params):
    return read_df(sql, params, url=url).to_dict("records")


def count(url, table, where="1=1", **params) -> int:
    return one(url, f"SELECT COUNT(*) AS n FROM {table} WHERE {where}", **params)[0]["n"]


# --- weekly status update -----------------------------------------------------------------


def test_status_update_is_prefilled_and_good_values_are_stored(demo_db_url, monkeypatch):
    at = open_page(demo_db_url, monkeypatch, "Status update")
    summary = field(at, "text_area", "status", "summary")
    assert summary.value == "On track: work proceeding to plan."  # last week's words
    before = count(demo_db_url, "status_report", "project_id = :p", p=PID)
    summary.input("Go-live prepared; <b>no</b> blockers.")
    field(at, "number_input", "status", "percent_complete").set_value(85.0)
    field(at, "number_input", "status", "cost_to_date").set_value(151_000.0)
    at = submit(at, "Submit status update")
    assert at.success[0].value.startswith(f"Status update of {TODAY:%d %b %Y} saved for {CODE}")
    assert count(demo_db_url, "status_report", "project_id = :p", p=PID) == before + 1
    latest = one(
        demo_db_url,
        "SELECT summary, percent_complete, override_rag, author_id FROM status_report "
        "WHERE project_id = :p ORDER BY id DESC LIMIT 1",
        p=PID,
    )[0]
    assert latest == {
        "summary": "Go-live prepared; <b>no</b> blockers.",
        "percent_complete": 85.0,
        "override_rag": None,
        "author_id": 1,
    }
    project = one(demo_db_url, "SELECT percent_complete, actual_cost FROM project WHERE id = 1")
    assert project == [{"percent_complete": 85.0, "actual_cost": 151_000.0}]
    # The form now shows what was stored, ready for next week.
    assert field(at, "text_area", "status", "summary").value.startswith("Go-live prepared")


def test_status_update_bad_values_are_all_shown_under_their_fields(demo_db_url, monkeypatch):
    at = open_page(demo_db_url, monkeypatch, "Status update")
    before = count(demo_db_url, "status_report")
    field(at, "number_input", "status", "percent_complete").set_value(140.0)
    field(at, "number_input", "status", "cost_to_date").set_value(-5.0)
    field(at, "radio", "status", "schedule_rag").set_value("R")
    field(at, "text_area", "status", "summary").input("x" * 4001)
    field(at, "text_area", "status", "blockers").input("Vendor <script>late</script>")
    at = submit(at, "Submit status update")
    assert count(demo_db_url, "status_report") == before
    assert at.error[0].value.startswith(
        "Nothing was saved: 7 problems to fix, each also shown under its field."
    )
    # Red now: the path to green is asked for, each problem under its field.
    assert message_under(at, field(at, "selectbox", "status", "recovery_cause")) == (
        "**Cause** is required: a Red update needs a path to green. Choose the main cause."
    )
    assert message_under(at, field(at, "date_input", "status", "expected_green_date")) == (
        "**Expected back to Green** is required: a Red update needs a path to green. "
        "When will it be Green again?"
    )
    assert any(e.value.startswith("**Recovery actions** are required") for e in at.error[1:])
    assert message_under(at, field(at, "number_input", "status", "percent_complete")) == (
        "**Percent complete** must be at most 100"
    )
    assert message_under(at, field(at, "number_input", "status", "cost_to_date")) == (
        "**Cost to date** must be at least 0"
    )
    assert message_under(at, field(at, "text_area", "status", "summary")) == (
        "**Summary** must be at most 4,000 characters (this one has 4,001)"
    )
    reason = message_under(at, field(at, "text_area", "status", "override_reason"))
    assert "is required: your rating differs for schedule (you: R, computed: G)" in reason
    assert message_under(at, field(at, "text_area", "status", "blockers")) is None
    # What was typed is still there.
    assert field(at, "number_input", "status", "percent_complete").value == 140.0
    assert field(at, "radio", "status", "schedule_rag").value == "R"
    assert field(at, "text_area", "status", "blockers").value == "Vendor <script>late</script>"
    # Fixing them saves the override with its reason.
    field(at, "number_input", "status", "percent_complete").set_value(82.0)
    field(at, "number_input", "status", "cost_to_date").set_value(150_000.0)
    field(at, "text_area", "status", "summary").input("Supplier slipped two weeks.")
    field(at, "text_area", "status", "override_reason").input("Supplier slip not yet in plan")
    field(at, "selectbox", "status", "recovery_cause").set_value("supplier")
    green = TODAY + dt.timedelta(weeks=8)
    field(at, "date_input", "status", "expected_green_date").set_value(green)
    field(at, "text_input", "status", "new_action_1_title").input("Second supplier on board")
    field(at, "selectbox", "status", "new_action_1_owner").set_value(3)
    field(at, "date_input", "status", "new_action_1_due").set_value(TODAY + dt.timedelta(weeks=2))
    at = submit(at, "Submit status update")
    assert not at.error
    assert one(
        demo_db_url,
        "SELECT cause, expected_green_date, confidence FROM recovery_plan "
        "WHERE project_id = :p ORDER BY id DESC LIMIT 1",
        p=PID,
    ) == [{"cause": "supplier", "expected_green_date": green.isoformat(), "confidence": "medium"}]
    assert one(
        demo_db_url,
        "SELECT title, owner_id, origin, status FROM action WHERE project_id = :p "
        "AND origin = 'recovery'",
        p=PID,
    ) == [
        {"title": "Second supplier on board", "owner_id": 3, "origin": "recovery", "status": "open"}
    ]
    # The next update starts from this plan and lists the action, to confirm or tick done.
    assert field(at, "selectbox", "status", "recovery_cause").value == "supplier"
    assert field(at, "date_input", "status", "expected_green_date").value == green
    done = [c for c in at.checkbox if c.label.startswith("Done: Second supplier on board")]
    assert len(done) == 1
    latest = one(
        demo_db_url,
        "SELECT schedule_rag, overall_rag, override_rag, override_reason FROM status_report "
        "ORDER BY id DESC LIMIT 1",
    )
    assert latest == [
        {
            "schedule_rag": "R",
            "overall_rag": "R",
            "override_rag": "R",
            "override_reason": "Supplier slip not yet in plan",
        }
    ]


# --- milestones ------------------------------------------------------------------------------


def test_milestone_add_move_complete_rebaseline_remove(demo_db_url, monkeypatch):
    at = open_page(demo_db_url, monkeypatch, "Milestones")
    before = count(demo_db_url, "milestone", "project_id = 1")
    field(at, "date_input", "ms-new", "baseline_date").set_value(dt.date(2027, 3, 1))
    at = submit(at, "Add milestone")
    assert message_under(at, field(at, "text_input", "ms-new", "name")) == "**Name** is required"
    assert field(at, "date_input", "ms-new", "baseline_date").value == dt.date(2027, 3, 1)
    field(at, "text_input", "ms-new", "name").input("Data migration rehearsal")
    at = submit(at, "Add milestone")
    assert at.success[0].value == "Milestone “Data migration rehearsal” added."
    assert count(demo_db_url, "milestone", "project_id = 1") == before + 1
    assert field(at, "text_input", "ms-new", "name").value == ""  # ready for the next one

    ms = one(
        demo_db_url, "SELECT id FROM milestone WHERE name = 'Project closed' AND project_id = 1"
    )
    mid = ms[0]["id"]
    at.selectbox(key=f"ms-pick-{PID}").select(mid)
    at = run(at)
    field(at, "date_input", "ms-move", "forecast_date").set_value(dt.date(2027, 1, 20))
    field(at, "text_input", "ms-move", "reason").input("Cut-over window moved")
    at = submit(at, "Move forecast")
    history = one(
        demo_db_url,
        "SELECT change, forecast_date, reason, reported_on FROM "
        "milestone_history WHERE milestone_id = :m ORDER BY id DESC LIMIT 1",
        m=mid,
    )[0]
    assert (history["change"], str(history["forecast_date"])[:10], history["reason"]) == (
        "forecast",
        "2027-01-20",
        "Cut-over window moved",
    )
    assert str(history["reported_on"])[:10] == TODAY.isoformat()

    at.segmented_control(key=f"ms-action-{PID}").set_value("complete")
    at = run(at)
    field(at, "date_input", "ms-complete", "actual_date").set_value(TODAY + dt.timedelta(days=3))
    at = submit(at, "Complete")
    assert message_under(at, field(at, "date_input", "ms-complete", "actual_date")) == (
        "**Actual date** cannot be later than the reporting date"
    )

    at.segmented_control(key=f"ms-action-{PID}").set_value("rebaseline")
    at = run(at)
    field(at, "date_input", "ms-rebaseline", "baseline_date").set_value(dt.date(2027, 1, 20))
    at = submit(at, "Re-baseline")
    assert message_under(at, field(at, "text_input", "ms-rebaseline", "reason")) == (
        "**Reason** is required: say why the baseline changes"
    )
    field(at, "text_input", "ms-rebaseline", "reason").input("Steering committee 20 Nov")
    at = submit(at, "Re-baseline")
    assert one(demo_db_url, "SELECT baseline_date FROM milestone WHERE id = :m", m=mid)[0][
        "baseline_date"
    ].startswith("2027-01-20")

    at.segmented_control(key=f"ms-action-{PID}").set_value("remove")
    at = run(at)
    field(at, "text_input", "ms-remove", "reason").input("Merged into go-live")
    at = submit(at, "Remove")
    assert one(demo_db_url, "SELECT removed_on FROM milestone WHERE id = :m", m=mid)[0][
        "removed_on"
    ].startswith(TODAY.isoformat())


def _edit_table(at, rows: dict[int, dict]):
    at.session_state[f"bulk-{PID}-g0"] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}


def test_bulk_editor_saves_all_rows_or_none(demo_db_url, monkeypatch):
    at = open_page(demo_db_url, monkeypatch, "Milestones")
    table = at.data_editor[0].value
    assert table.name.tolist()[-1] == "Project closed"
    last = len(table) - 1
    history_before = count(demo_db_url, "milestone_history")
    audit_before = count(demo_db_url, "audit_log")
    _edit_table(at, {last - 1: {"name": ""}, last: {"forecast_date": "2027-02-05"}})
    at = run(at)
    at = submit(at, "Save all milestone changes")
    assert f"**Row {last} · Hypercare ended** — Name: is required" in at.error[0].value
    assert count(demo_db_url, "milestone_history") == history_before
    assert count(demo_db_url, "audit_log") == audit_before
    _edit_table(at, {last: {"forecast_date": "2027-02-05", "reason": "Holiday freeze"}})
    at = run(at)
    at = submit(at, "Save all milestone changes")
    assert at.success[0].value == f"Saved 1 milestone, reported on {TODAY:%d %b %Y}."
    history = one(
        demo_db_url,
        "SELECT change, reason, reported_on FROM milestone_history ORDER BY id DESC LIMIT 1",
    )
    assert history == [
        {"change": "forecast", "reason": "Holiday freeze", "reported_on": TODAY.isoformat()}
    ]
    assert count(demo_db_url, "milestone_history") == history_before + 1


# --- RAID -------------------------------------------------------------------------------------


def test_new_risk_problems_are_shown_together_then_it_is_raised(demo_db_url, monkeypatch):
    at = open_page(demo_db_url, monkeypatch, "RAID")
    before = count(demo_db_url, "risk")
    field(at, "selectbox", "risk", "kind").select("opportunity")
    field(at, "selectbox", "risk", "response").select("avoid")
    field(at, "selectbox", "risk", "residual_probability").select(2)
    at = submit(at, "Raise risk")
    assert count(demo_db_url, "risk") == before
    expected = {
        "title": "**Title** is required",
        "probability": "**Probability** is required",
        "impact": "**Impact** is required",
    }
    for name, message in expected.items():
        widget = field(at, "text_input" if name == "title" else "selectbox", "risk", name)
        assert message_under(at, widget) == message
    field(at, "text_input", "risk", "title").input("Key user leaves")
    field(at, "selectbox", "risk", "probability").select(3)
    field(at, "selectbox", "risk", "impact").select(4)
    at = submit(at, "Raise risk")
    # Now the record rules can be judged, each under the field it is about (one at a time:
    # the model checks the response before the residual pair).
    assert message_under(at, field(at, "selectbox", "risk", "response")).startswith(
        "**Response** for a opportunity must be one of: exploit"
    )
    assert field(at, "text_input", "risk", "title").value == "Key user leaves"
    field(at, "selectbox", "risk", "kind").select("threat")
    at = submit(at, "Raise risk")
    assert message_under(at, field(at, "selectbox", "risk", "residual_probability")) == (
        "**Residual probability** and impact are given together"
    )
    field(at, "selectbox", "risk", "residual_impact").select(2)
    field(at, "selectbox", "risk", "owner_id").select(3)
    at = submit(at, "Raise risk")
    assert at.success[0].value == "Risk “Key user leaves” raised."
    stored = one(
        demo_db_url,
        "SELECT probability, impact, residual_impact, owner_id, response "
        "FROM risk ORDER BY id DESC LIMIT 1",
    )
    assert stored == [
        {"probability": 3, "impact": 4, "residual_impact": 2, "owner_id": 3, "response": "avoid"}
    ]


def test_reassessing_and_closing_a_risk_keeps_the_history(demo_db_url, monkeypatch):
    at = open_page(demo_db_url, monkeypatch, "RAID")
    at.selectbox(key=f"raid-pick-risk-{PID}").select(10)
    at = run(at)
    assert field(at, "text_input", "risk", "title").value == "Test environment not ready"
    field(at, "selectbox", "risk", "probability").select(5)
    field(at, "selectbox", "risk", "status").select("closed")
    field(at, "text_input", "risk", "note").input("Environment delivered")
    at = submit(at, "Save risk")
    risk = one(
        demo_db_url, "SELECT probability, status, closed_on, version FROM risk WHERE id = 10"
    )
    assert risk == [
        {"probability": 5, "status": "closed", "closed_on": TODAY.isoformat(), "version": 2}
    ]
    last = one(
        demo_db_url,
        "SELECT probability, status, note FROM risk_assessment "
        "WHERE risk_id = 10 ORDER BY id DESC LIMIT 1",
    )
    assert last == [{"probability": 5, "status": "closed", "note": "Environment delivered"}]


def test_raid_items_are_raised_and_closed(demo_db_url, monkeypatch):
    at = open_page(demo_db_url, monkeypatch, "RAID")
    at.segmented_control(key="raid").set_value("dependency")
    at = run(at)
    field(at, "text_input", "dependency", "title").input("Needs the identity platform")
    at = submit(at, "Record dependency")
    assert message_under(at, field(at, "selectbox", "dependency", "provider_project_id")) == (
        "**Waits on project** a dependency names the project it waits on"
    )
    field(at, "selectbox", "dependency", "provider_project_id").select(2)
    field(at, "date_input", "dependency", "need_by").set_value(dt.date(2027, 2, 1))
    at = submit(at, "Record dependency")
    stored = one(
        demo_db_url,
        "SELECT id, provider_project_id, need_by, status FROM raid_item ORDER BY id DESC LIMIT 1",
    )[0]
    assert (stored["provider_project_id"], stored["need_by"], stored["status"]) == (
        2,
        "2027-02-01",
        "open",
    )

    at.segmented_control(key="raid").set_value("issue")
    at = run(at)
    issue = one(demo_db_url, "SELECT id FROM raid_item WHERE project_id = 1 AND kind = 'issue'")
    at.selectbox(key=f"raid-pick-issue-{PID}").select(issue[0]["id"])
    at = run(at)
    field(at, "selectbox", "issue", "status").select("open")
    field(at, "selectbox", "issue", "owner_id").select(2)
    at = submit(at, "Save issue")
    assert one(
        demo_db_url,
        "SELECT status, owner_id, closed_on FROM raid_item WHERE id = :i",
        i=issue[0]["id"],
    ) == [{"status": "open", "owner_id": 2, "closed_on": None}]


# --- projects ----------------------------------------------------------------------------------


def test_project_edit_and_create(demo_db_url, monkeypatch):
    at = open_page(demo_db_url, monkeypatch, "Project")
    start = dt.date.fromisoformat(
        one(demo_db_url, "SELECT baseline_start FROM project WHERE id = 1")[0]["baseline_start"]
    )
    too_early, finish = start - dt.timedelta(days=1), start + dt.timedelta(days=400)
    field(at, "text_input", "project", "name").input("")
    field(at, "date_input", "project", "baseline_finish").set_value(too_early)
    at = submit(at, "Save project")
    assert message_under(at, field(at, "text_input", "project", "name")) == "**Name** is required"
    assert message_under(at, field(at, "date_input", "project", "baseline_finish")) == (
        "**Baseline finish** must not be before baseline start"
    )
    assert field(at, "date_input", "project", "baseline_finish").value == too_early
    before = one(demo_db_url, "SELECT name, version FROM project WHERE id = 1")[0]
    assert before["version"] == 1 and before["name"]  # nothing was written
    field(at, "text_input", "project", "name").input("Billing Pilot (phase 2)")
    field(at, "date_input", "project", "baseline_finish").set_value(finish)
    at = submit(at, "Save project")
    assert one(demo_db_url, "SELECT name, baseline_finish, version FROM project WHERE id = 1") == [
        {"name": "Billing Pilot (phase 2)", "baseline_finish": finish.isoformat(), "version": 2}
    ]

    at.segmented_control(key="project-mode").set_value("new")
    at = run(at)
    field(at, "text_input", "project", "code").input("PRJ-0002")
    field(at, "text_input", "project", "name").input("Second billing")
    field(at, "selectbox", "project", "program_id").select(1)
    field(at, "selectbox", "project", "department_id").select(1)
    at = submit(at, "Create project")
    assert message_under(at, field(at, "text_input", "project", "code")) == (
        "**Code** is already used by another record"
    )
    field(at, "text_input", "project", "code").input("PRJ-9001")
    at = submit(at, "Create project")
    assert at.success[0].value.startswith("Project PRJ-9001 created.")
    assert one(demo_db_url, "SELECT name, status FROM project WHERE code = 'PRJ-9001'") == [
        {"name": "Second billing", "status": "proposed"}
    ]


def test_a_project_manager_of_another_project_gets_no_forms(demo_db_url, monkeypatch):
    other = one(
        demo_db_url,
        "SELECT id, name FROM person WHERE role = 'project_manager' AND id NOT IN "
        "(SELECT manager_id FROM project WHERE id = :p AND manager_id IS NOT NULL) "
        "ORDER BY id LIMIT 1",
        p=PID,
    )[0]
    outsider = Actor(other["id"], other["name"], "project_manager")
    at = open_page(demo_db_url, monkeypatch, "Status update", actor=outsider)
    assert "You can see PRJ-0001 but not change it" in at.info[0].value
    assert not [b for b in at.button if b.label == "Submit status update"]
    at.query_params["section"] = "Project"
    at = run(at)
    assert "You may not edit this project or create projects." in at.info[-1].value


def test_the_url_opens_project_section_and_register(demo_db_url, monkeypatch):
    """A refresh or a shared link lands on the same form: project code, section, register."""
    at = open_page(demo_db_url, monkeypatch, "RAID", project="PRJ-0002", raid="Dependencies")
    assert at.selectbox(key="updates-project").value == "PRJ-0002"
    assert at.segmented_control(key="raid").value == "dependency"
    assert [b.label for b in at.main.button] == ["Record dependency"]
    assert at.query_params["project"] == "PRJ-0002"


# --- two people, one record ----------------------------------------------------------------------


def test_closing_a_risk_records_what_we_learned_or_nothing(demo_db_url, monkeypatch):
    """ "What did we learn?" under an open risk: a problem with the lesson is said under it and
    leaves the risk open (all or nothing); fixed, the close and a draft lesson linked to the
    risk are saved together."""
    at = open_page(demo_db_url, monkeypatch, "RAID")
    at.selectbox(key=f"raid-pick-risk-{PID}").select(10)
    at = run(at)
    assert field(at, "selectbox", "risk", "lesson_category").value == "risk"
    field(at, "selectbox", "risk", "status").select("closed")
    field(at, "text_area", "risk", "lesson").input("Late")
    at = submit(at, "Save risk")
    lesson = field(at, "text_area", "risk", "lesson")
    assert lesson.value == "Late"
    assert "at least 10 characters" in message_under(at, lesson)
    assert one(demo_db_url, "SELECT status FROM risk WHERE id = 10") == [{"status": "open"}]
    lessons = count(demo_db_url, "lesson", "risk_id = 10")
    assert lessons == 0
    lesson.input("Book the test environment at the planning gate.")
    at = submit(at, "Save risk")
    assert "Lesson recorded (draft)." in at.success[0].value
    assert one(demo_db_url, "SELECT status FROM risk WHERE id = 10") == [{"status": "closed"}]
    assert one(
        demo_db_url,
        "SELECT project_id, category, status, recommendation FROM lesson WHERE risk_id = 10",
    ) == [
        {
            "project_id": PID,
            "category": "risk",
            "status": "draft",
            "recommendation": "Book the test environment at the planning gate.",
        }
    ]


def test_second_save_of_a_risk_is_a_conflict_that_can_be_reapplied(demo_db_url, monkeypatch):
    before = one(demo_db_url, "SELECT title, impact FROM risk WHERE id = 10")[0]
    impact = 5 if before["impact"] != 5 else 4
    alice = open_page(demo_db_url, monkeypatch, "RAID", actor=Actor(1, "Ada Admin", "admin"))
    bob = open_page(demo_db_url, monkeypatch, "RAID", actor=Actor(2, "Pat Portfolio", "admin"))
    for at in (alice, bob):
        at.selectbox(key=f"raid-pick-risk-{PID}").select(10)
        run(at)
    field(alice, "selectbox", "risk", "impact").select(impact)
    submit(alice, "Save risk")
    field(bob, "text_input", "risk", "title").input("Test environment late")
    bob = submit(bob, "Save risk")
    warning = bob.warning[0].value
    assert warning.startswith("**Not saved: Ada Admin changed this record while you were editing")
    compare = bob.dataframe[-1].value.set_index("Field").to_dict("index")
    assert compare == {
        "Title": {"Ada Admin changed": "", "Your edit": "“Test environment late”"},
        "Impact": {"Ada Admin changed": f"{before['impact']} → {impact}", "Your edit": ""},
    }
    assert field(bob, "text_input", "risk", "title").value == "Test environment late"
    assert one(demo_db_url, "SELECT title FROM risk WHERE id = 10")[0]["title"] == before["title"]
    bob = submit(bob, "Re-apply my edit")
    assert one(demo_db_url, "SELECT title, impact, version FROM risk WHERE id = 10") == [
        {"title": "Test environment late", "impact": impact, "version": 3}
    ]
    assert not bob.warning


def test_second_move_of_a_milestone_is_a_conflict(demo_db_url, monkeypatch):
    sessions = [open_page(demo_db_url, monkeypatch, "Milestones") for _ in range(2)]
    mid = one(demo_db_url, "SELECT id FROM milestone WHERE project_id = 1 AND name = 'Go-live'")
    for at in sessions:
        at.selectbox(key=f"ms-pick-{PID}").select(mid[0]["id"])
        run(at)
    first, second = sessions
    field(first, "date_input", "ms-move", "forecast_date").set_value(dt.date(2026, 12, 1))
    submit(first, "Move forecast")
    field(second, "date_input", "ms-move", "forecast_date").set_value(dt.date(2026, 12, 15))
    second = submit(second, "Move forecast")
    assert "changed this record while you were editing" in second.warning[0].value
    forecast = one(demo_db_url, "SELECT forecast_date FROM milestone WHERE id = :m", m=mid[0]["id"])
    assert forecast[0]["forecast_date"].startswith("2026-12-01")
    # The bulk editor of the second session is refused row by row too.
    second.query_params["section"] = "Milestones"
    rows = second.data_editor[0].value
    row = rows.index[rows.name == "Go-live"][0]
    _edit_table(second, {int(row): {"forecast_date": "2026-12-20"}})
    second = run(second)
    second = submit(second, "Save all milestone changes")
    assert f"**Row {row + 1} · Go-live** was changed by Ada Admin" in second.error[0].value
    second = submit(second, "Re-apply my edits to the new versions")
    forecast = one(demo_db_url, "SELECT forecast_date FROM milestone WHERE id = :m", m=mid[0]["id"])
    assert forecast[0]["forecast_date"].startswith("2026-12-20")


def test_a_save_is_seen_by_another_session_on_its_next_rerun(demo_db_url, monkeypatch):
    reader = open_page(demo_db_url, monkeypatch, "", page="pages/project.py")
    assert "**Summary:** Seen by everyone" not in [m.value for m in reader.markdown]
    writer = open_page(demo_db_url, monkeypatch, "Status update")
    field(writer, "text_area", "status", "summary").input("Seen by everyone")
    submit(writer, "Submit status update")
    reader = run(reader)
    assert "**Summary:** Seen by everyone" in [m.value for m in reader.markdown]
    reader.query_params["tab"] = "History"
    history = run(reader).dataframe[-1].value
    assert history.What.iloc[0] == f"Submitted status update of {TODAY:%d %b %Y}"
    assert history.Who.iloc[0] == "Ada Admin"


# --- spreadsheets ---------------------------------------------------------------------------


def test_import_through_the_page_names_bad_rows_then_imports_all(
    demo_db_url, monkeypatch, tmp_path
):
    header = "Project code,Title,Probability,Impact\n"
    good = "".join(f"{CODE},Imported risk {i},2,3\n" for i in range(12))
    bad_file = tmp_path / "risks.csv"
    bad_file.write_text(header + good + f"{CODE},Bad,9,3\n" + good)
    at = open_page(demo_db_url, monkeypatch, "Import & export")
    at.segmented_control(key="import-kind").set_value("risks")
    at = run(at)
    before = count(demo_db_url, "risk")
    at.file_uploader[0].upload("risks.csv", bad_file.read_bytes(), "text/csv")
    at = run(at)
    assert "1 of 25 rows have problems" in at.error[0].value
    assert "Row 14, Probability: must be at most 5" in at.error[0].value
    assert not [b for b in at.button if b.label.startswith("Import ")]
    good_file = tmp_path / "good.csv"
    good_file.write_text(header + good)
    at.file_uploader[0].set_value(("good.csv", good_file.read_bytes(), "text/csv"))
    at = run(at)
    at = submit(at, "Import 12 risks")
    assert at.success[0].value == "Imported 12 risks from good.csv."
    assert count(demo_db_url, "risk") == before + 12


@pytest.mark.parametrize("kind", ["projects", "milestones", "risks", "raid"])
def test_export_panel_lists_the_filtered_tables(demo_db_url, monkeypatch, kind):
    at = open_page(demo_db_url, monkeypatch, "Import & export")
    at.segmented_control(key="export-kind").set_value(kind)
    at = run(at)
    shown = at.dataframe[-1].value
    assert shown.columns[0] == ("Code" if kind == "projects" else "Project code")
    assert {b.label for b in at.download_button} >= {
        "CSV",
        "Excel",
        "CSV template",
        "Excel template",
    }
