"""Deliveries through a real SMTP server on 127.0.0.1: sent once, kept in the inbox when e-mail
is off, refused addresses shown as bounces, a server that is away retried with back-off."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.core import clock
from data_access.stakeholders import deliveries
from data_access.stakeholders.deliveries import BACKOFF_MINUTES, MAX_ATTEMPTS, Planned
from tests.factories import make_org
from tests.smtp_server import SmtpServer, free_port
from worker import jobs, mail


@pytest.fixture
def smtp(monkeypatch):
    with SmtpServer() as server:
        monkeypatch.setenv("PMO_SMTP_URL", server.url)
        yield server


NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


def _planned(key: str, person: int, email: str, **extra) -> Planned:
    return Planned(
        key=key,
        kind="reminder",
        subject=f"Subject {key}",
        body_text="Hello",
        person_id=person,
        email=email,
        **extra,
    )


def test_the_same_key_is_stored_once(db_url):
    org = make_org(db_url)
    item = _planned("remind:x", org["pm"], "pm@example.org")
    assert deliveries.plan(item, email_on=True, now=NOW, url=db_url) is True
    assert deliveries.plan(item, email_on=True, now=NOW, url=db_url) is False
    assert len(deliveries.delivery_log(url=db_url)) == 1


def test_sent_once_with_html_inline_image_and_pdf(db_url, smtp):
    org = make_org(db_url)
    png = b"\x89PNG\r\n\x1a\nfake-but-bytes"
    parts, blobs = jobs._pack(
        [
            mail.Attachment("chart1.png", "image/png", png, "chart1@pmo"),
            mail.Attachment("report.pdf", "application/pdf", b"%PDF-1.4 test"),
        ]
    )
    deliveries.plan(
        _planned(
            "report:1:2026-12-04",
            org["pm"],
            "pm@example.org",
            body_html='<p>Report <img src="cid:chart1@pmo"></p>',
            parts=parts,
            blobs=blobs,
            unsubscribe="http://app/?unsubscribe=abc",
        ),
        email_on=True,
        now=NOW,
        url=db_url,
    )
    assert jobs.send_pending(NOW, db_url)["sent"] == 1
    assert jobs.send_pending(NOW, db_url)["sent"] == 0  # nothing twice
    [msg] = smtp.mailbox.to("pm@example.org")
    assert msg["List-Unsubscribe"] == "<http://app/?unsubscribe=abc>"
    # Stable: sent again after a crash, the copy has the same Message-ID and is seen as such.
    assert msg["Message-ID"] == "<report.1.2026-12-04@127.0.0.1>"
    kinds = {p.get_content_type(): p for p in msg.walk()}
    assert 'src="cid:chart1@pmo"' in kinds["text/html"].get_content()
    assert kinds["image/png"]["Content-ID"] == "<chart1@pmo>"
    assert kinds["image/png"].get_content() == png
    assert kinds["application/pdf"].get_filename() == "report.pdf"
    log = deliveries.delivery_log(url=db_url)
    assert log.status.tolist() == ["sent"]


def test_without_email_the_message_is_in_the_inbox(db_url, monkeypatch):
    monkeypatch.delenv("PMO_SMTP_URL", raising=False)
    org = make_org(db_url)
    deliveries.plan(
        _planned("remind:y", org["pm"], "pm@example.org"),
        email_on=mail.smtp_config() is not None,
        now=NOW,
        url=db_url,
    )
    assert jobs.send_pending(NOW, db_url) == {}
    assert deliveries.delivery_log(url=db_url).status.tolist() == ["inbox"]
    assert deliveries.unread_count(org["pm"], url=db_url) == 1
    box = deliveries.inbox(org["pm"], url=db_url)
    assert box.subject.tolist() == ["Subject remind:y"]
    # Someone else cannot mark it read; its owner can.
    assert deliveries.mark_read(org["viewer"], box.id.tolist(), now=NOW, url=db_url) == 0
    assert deliveries.mark_read(org["pm"], box.id.tolist(), now=NOW, url=db_url) == 1
    assert deliveries.unread_count(org["pm"], url=db_url) == 0


def test_refused_and_invalid_addresses_are_bounces_not_retried(db_url, smtp):
    org = make_org(db_url)
    smtp.mailbox.refuse.add("gone@example.org")
    deliveries.plan(
        _planned("a", org["pm"], "gone@example.org"), email_on=True, now=NOW, url=db_url
    )
    deliveries.plan(
        _planned("b", org["other_pm"], "not-an-address"), email_on=True, now=NOW, url=db_url
    )
    assert jobs.send_pending(NOW, db_url)["bounced"] == 2
    log = deliveries.delivery_log(url=db_url).set_index("subject")
    assert log.loc["Subject a", "status"] == "bounced"
    assert "550" in log.loc["Subject a", "last_error"]
    assert "not an e-mail address" in log.loc["Subject b", "last_error"]
    later = NOW + dt.timedelta(days=2)
    assert jobs.send_pending(later, db_url)["bounced"] == 0  # not tried again
    assert smtp.mailbox.received == []
    # An admin who fixed the problem sends it again.
    smtp.mailbox.refuse.clear()
    assert deliveries.retry_now(int(log.loc["Subject a", "id"]), now=later, url=db_url)
    assert jobs.send_pending(later, db_url)["sent"] == 1


def test_a_server_away_is_retried_with_back_off_then_failed(db_url, monkeypatch):
    org = make_org(db_url)
    monkeypatch.setenv("PMO_SMTP_URL", f"smtp://127.0.0.1:{free_port()}/?from=pmo@example.org")
    deliveries.plan(_planned("c", org["pm"], "pm@example.org"), email_on=True, now=NOW, url=db_url)
    moment = NOW
    for attempt in range(1, MAX_ATTEMPTS):
        assert jobs.send_pending(moment, db_url)["retry"] == 1
        row = deliveries.delivery_log(url=db_url).iloc[0]
        assert row.attempts == attempt and row.status == "pending"
        wait = dt.timedelta(minutes=BACKOFF_MINUTES[attempt - 1])
        # Not before its time...
        assert jobs.send_pending(moment + wait - dt.timedelta(seconds=1), db_url)["retry"] == 0
        moment += wait
    assert jobs.send_pending(moment, db_url)["failed"] == 1
    row = deliveries.delivery_log(url=db_url).iloc[0]
    assert row.status == "failed" and "Connection" in row.last_error
    assert deliveries.delivery_counts(url=db_url) == {"failed": 1}


def test_smtp_setting_is_one_url():
    config = mail.parse_smtp_url("smtp+starttls://pmo%40ex.org:s%3Acret@mail.ex.org/?from=a@ex.org")
    assert (config.host, config.port, config.security) == ("mail.ex.org", 587, "starttls")
    assert (config.user, config.password, config.sender) == ("pmo@ex.org", "s:cret", "a@ex.org")
    assert mail.parse_smtp_url("smtps://mail.ex.org").port == 465
    with pytest.raises(mail.MailSettingError):
        mail.parse_smtp_url("http://mail.ex.org")
    assert clock.now()  # the worker's default moment is the app's clock
