"""The stakeholder pages through the real app (AppTest): inbox and subscriptions, the register,
read-only links (opened without signing in, refused once revoked or expired), unsubscribe by
link, and the Admin delivery log saying whether e-mail is on."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from data_access.core import clock
from data_access.core.db import read_scalar, session_scope
from data_access.core.writes import Actor
from data_access.stakeholders import commands, reads
from tests.auth_helpers import APP, keep_navigation_mode, open_app

ADMIN = Actor(person_id=1, name="Ada Admin", role="admin")


def _texts(at) -> str:
    return " ".join(
        str(e.value)
        for kind in ("title", "markdown", "caption", "error", "info", "success", "warning")
        for e in getattr(at, kind)
    )


def _anonymous(url: str, monkeypatch, **query) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    keep_navigation_mode(monkeypatch)
    at = AppTest.from_file(str(APP), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _link(url: str, scope="project", days=14, **extra) -> tuple[int, str]:
    with session_scope(url) as session:
        token = commands.create_share_link(
            scope=scope,
            project_id=extra.get("project_id", 1),
            filters=extra.get("filters"),
            recipient="Board",
            days=days,
            now=clock.now(),
            session=session,
            actor=ADMIN,
            url=url,
        )
    return int(token.split(".")[0]), token


def test_a_read_only_link_shows_that_report_alone_and_is_recorded(demo_db_url, monkeypatch):
    link_id, token = _link(demo_db_url, project_id=3)
    code = read_scalar("SELECT code FROM project WHERE id = 3", url=demo_db_url)
    at = _anonymous(demo_db_url, monkeypatch, token=token)
    assert at.title[0].value.startswith(code)
    assert "Read-only report" in at.caption[0].value
    # Nothing of the app around it: no sign-in form, no menu, no filters.
    assert not at.sidebar.text_input and not at.sidebar.multiselect and not at.button
    opened = reads.share_links(url=demo_db_url).set_index("id").loc[link_id, "openings"]
    assert opened == 1


def test_a_revoked_forged_or_expired_link_shows_only_a_message(demo_db_url, monkeypatch):
    link_id, token = _link(demo_db_url)
    with session_scope(demo_db_url) as session:
        commands.revoke_share_link(link_id, now=clock.now(), session=session, actor=ADMIN)
    at = _anonymous(demo_db_url, monkeypatch, token=token)
    assert [e.value for e in at.error] == ["This link was withdrawn by the PMO."]
    assert len(at.title) == 1 and at.title[0].value == "Read-only report"
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    at = _anonymous(demo_db_url, monkeypatch, token=forged)
    assert "not valid" in at.error[0].value
    # Expired: a link made 10 days ago for 1 day (the app's clock decides).
    with session_scope(demo_db_url) as session:
        old = commands.create_share_link(
            scope="portfolio",
            project_id=None,
            filters={"health": ["Red"]},
            recipient="",
            days=1,
            now=clock.now() - dt.timedelta(days=10),
            session=session,
            actor=ADMIN,
            url=demo_db_url,
        )
    at = _anonymous(demo_db_url, monkeypatch, token=old)
    assert "expired" in at.error[0].value
    outcomes = read_scalar(
        "SELECT COUNT(*) FROM share_link_opening WHERE outcome <> 'opened'", url=demo_db_url
    )
    assert outcomes == 3


def test_only_admins_create_links(demo_db_url):
    pm = Actor(person_id=3, name="Petra Projects", role="project_manager")
    with session_scope(demo_db_url) as session:
        try:
            commands.create_share_link(
                scope="project",
                project_id=1,
                filters=None,
                recipient="",
                days=3,
                now=clock.now(),
                session=session,
                actor=pm,
                url=demo_db_url,
            )
        except Exception as exc:  # noqa: BLE001
            assert "may not" in str(exc)
        else:
            raise AssertionError("a project manager created a read-only link")


def test_unsubscribe_link_works_without_signing_in(demo_db_url, monkeypatch):
    with session_scope(demo_db_url) as session:
        commands.subscribe(
            {"person_id": 4, "scope": "portfolio", "filters": {}},
            session=session,
            actor=Actor(person_id=4, name="Vic Viewer", role="viewer"),
        )
    before = reads.subscriptions(4, url=demo_db_url)
    token = before.unsubscribe_token.iloc[-1]  # the one just made (the demo has one too)
    at = _anonymous(demo_db_url, monkeypatch, unsubscribe=token)
    assert "You are unsubscribed" in at.success[0].value
    after = reads.subscriptions(4, url=demo_db_url)
    assert len(after) == len(before) - 1 and token not in after.unsubscribe_token.tolist()
    at = _anonymous(demo_db_url, monkeypatch, unsubscribe=token)
    assert "already ended" in at.info[0].value


def test_inbox_page_subscribes_to_the_filtered_view(demo_db_url, monkeypatch):
    at = open_app(demo_db_url, monkeypatch, "pages/inbox.py", role="viewer", health=["Red"])
    assert "Inbox" in _texts(at)
    form = {w.key: w for w in at.selectbox if w.key and w.key.startswith("subscribe.")}
    form["subscribe.weekday"].set_value(2)
    at.button(key="FormSubmitter:subscribe-Subscribe").click().run()
    assert not at.exception, [e.value for e in at.exception]
    sub = reads.subscriptions(4, url=demo_db_url).to_dict("records")[-1]
    assert sub["weekday"] == 2 and sub["scope"] == "portfolio" and sub["cadence"] == "weekly"
    saved = (
        sub["filters"]
        if isinstance(sub["filters"], dict)
        else __import__("json").loads(sub["filters"])
    )
    assert saved == {"health": ["Red"]}
    assert "every Wednesday" in _texts(at)


def test_admin_sees_that_email_is_off_and_the_delivery_log(demo_db_url, monkeypatch):
    monkeypatch.delenv("PMO_SMTP_URL", raising=False)
    at = open_app(demo_db_url, monkeypatch, "pages/admin.py", tab="E-mail and deliveries")
    assert "E-mail is off" in " ".join(w.value for w in at.warning)
    # The demo's inbox messages are in the log, and every subscription is listed.
    tables = [e.value for e in at.dataframe]
    log = next(t for t in tables if "Status" in t.columns)
    assert set(log.Status) == {"inbox"} and len(log) == 3
    subs = next(t for t in tables if "Report" in t.columns)
    assert "Whole portfolio, every Monday at 08:00 (Europe/Paris)" in subs.Report.tolist()


def test_stakeholder_register_and_grid(demo_db_url, monkeypatch):
    at = open_app(demo_db_url, monkeypatch, "pages/stakeholders.py")
    assert not at.exception
    assert "Stakeholders" in at.title[0].value


def test_a_link_emailed_to_a_stakeholder_opens_the_report(demo_db_url, monkeypatch):
    from tests.smtp_server import SmtpServer
    from worker import jobs

    with SmtpServer() as smtp:
        monkeypatch.setenv("PMO_SMTP_URL", smtp.url)
        at = open_app(demo_db_url, monkeypatch, "pages/stakeholders.py")
        fields = {w.label: w for w in at.text_input}
        fields["E-mail it to (optional)"].input("dana@partner.example.org")
        fields["For whom (name, for the record)"].input("Dana")
        at.button(key="FormSubmitter:share_link-Create link").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert "by e-mail within a minute" in at.success[0].value
        jobs.send_pending(clock.now(), demo_db_url)
        [msg] = smtp.mailbox.to("dana@partner.example.org")
    text = msg.get_body(("plain",)).get_content()
    token = text.split("?token=")[1].split()[0]
    shared = _anonymous(demo_db_url, monkeypatch, token=token)
    assert "Read-only report" in shared.caption[0].value


def test_register_adds_changes_and_removes_a_stakeholder(demo_db_url, monkeypatch):
    at = open_app(demo_db_url, monkeypatch, "pages/stakeholders.py", project="PRJ-0002")
    before = reads.stakeholders(2, url=demo_db_url)
    at.text_input(key="stakeholder_new_2.name").input("Zoe Steering")
    at.number_input(key="stakeholder_new_2.influence").set_value(5)
    at.button(key="FormSubmitter:stakeholder_new_2-Add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = reads.stakeholders(2, url=demo_db_url)
    assert len(after) == len(before) + 1
    zoe = after[after.name == "Zoe Steering"].iloc[0]
    assert zoe.influence == 5
    key = f"stakeholder_{zoe.id}"
    at.number_input(key=f"{key}.interest").set_value(5)
    at.button(key=f"FormSubmitter:{key}-Save").click().run()
    assert reads.stakeholders(2, url=demo_db_url).set_index("id").loc[zoe.id, "interest"] == 5
    at.button(key=f"remove_stakeholder_{zoe.id}").click().run()
    assert "Zoe Steering" not in reads.stakeholders(2, url=demo_db_url).name.tolist()
