"""The worker's jobs: plan what is due (reports, reminders, notifications) and send it, and
record each week's process compliance once the week has ended.

Every job takes the moment it runs for (`now`, aware) and the database URL, so tests and a
re-run after a crash compute the same period keys. Planning stores each message once under its
unique key (`data_access.stakeholders.deliveries.plan`); sending takes each due message under a
row lock. Together: any number of workers, restarted at any point, deliver each message once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from urllib.parse import urlencode

import pandas as pd

from data_access.core import clock
from data_access.core.db import session_scope
from data_access.core.settings import get_settings
from data_access.gates import history as gate_history
from data_access.gates import reads as gate_reads
from data_access.stakeholders import deliveries, reads
from data_access.stakeholders.commands import UNSUBSCRIBE_PATH
from data_access.stakeholders.deliveries import Planned
from data_access.training import reads as training_reads
from deck.report import View, base_url, email_html, email_text, load_report, pdf_of
from domain import gates
from domain.formatting import fmt_date
from domain.stakeholders import (
    fill,
    is_due,
    latest_occurrence,
    period_key,
    reminder_stage,
    update_deadline,
)
from worker import mail

log = logging.getLogger("pmo.worker")
ACTION_DUE_SOON_DAYS = 2
CERTIFICATE_NOTICE_DAYS = 30


def _aware(moment) -> dt.datetime:
    moment = pd.Timestamp(moment).to_pydatetime()
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def pmo_today(now: dt.datetime) -> dt.date:
    return now.astimezone(clock.time_zone()).date()


def _pack(attachments: list[mail.Attachment]) -> tuple[list[dict], bytes]:
    parts = [
        {"filename": a.filename, "mime": a.mime, "cid": a.cid, "size": len(a.content)}
        for a in attachments
    ]
    return parts, b"".join(a.content for a in attachments)


def _unpack(parts: list[dict] | str | None, blobs: bytes | None) -> list[mail.Attachment]:
    parts = json.loads(parts) if isinstance(parts, str) else parts or []
    found, offset = [], 0
    for part in parts:
        content = bytes(blobs[offset : offset + part["size"]])
        offset += part["size"]
        found.append(mail.Attachment(part["filename"], part["mime"], content, part["cid"]))
    return found


def unsubscribe_link(token: str) -> str:
    return f"{base_url()}{UNSUBSCRIBE_PATH}?{urlencode({'token': token})}"


# --- subscriptions ------------------------------------------------------------------------


def due_reports(now: dt.datetime, url: str | None = None) -> list[tuple[dict, str]]:
    """(subscription, period key) for every subscription whose current period is due."""
    today = pmo_today(now)
    due = []
    for sub in reads.subscriptions(url=url).to_dict("records"):
        subscribed = _aware(sub["created_at"])
        if sub["cadence"] == "after_review":
            # Reviews held from the day of subscribing on (a date: the review's own day).
            held = reads.reviews_held(subscribed.astimezone(clock.time_zone()).date(), today, url)
            if len(held):
                due.append((sub, period_key(sub["id"], None, int(held.id.iloc[-1]))))
            continue
        occurrence = latest_occurrence(
            now,
            sub["cadence"],
            weekday=sub["weekday"],
            day_of_month=sub["day_of_month"],
            hour=sub["hour"],
            time_zone=sub["time_zone"],
        )
        if is_due(occurrence, subscribed):
            due.append((sub, period_key(sub["id"], occurrence)))
    return due


def plan_reports(now: dt.datetime, url: str | None = None) -> int:
    """Build and store the report of every due subscription not planned yet; returns how many."""
    email_on = mail.smtp_config() is not None
    done = deliveries.planned_keys("report:", url=url)
    built: dict[str, tuple] = {}  # one build per view, shared by its subscribers
    stored = 0
    for sub, key in due_reports(now, url):
        if key in done:
            continue
        view = View(sub["scope"], sub["project_id"], _json(sub["filters"]))
        view_key = json.dumps([view.scope, view.project_id, view.filters], sort_keys=True)
        if view_key not in built:
            report = load_report(view, pmo_today(now), url=url)
            built[view_key] = (report, pdf_of(report))
        report, pdf = built[view_key]
        stop = unsubscribe_link(sub["unsubscribe_token"])
        body, images = email_html(report, unsubscribe=stop, greeting=f"Hello {sub['person']},")
        attachments = [
            mail.Attachment(f"{cid.split('@')[0]}.png", "image/png", png, cid)
            for cid, _, png in images
        ]
        attachments.append(
            mail.Attachment(f"pmo-report-{report.today}.pdf", "application/pdf", pdf)
        )
        parts, blobs = _pack(attachments)
        stored += deliveries.plan(
            Planned(
                key=key,
                kind="report",
                person_id=sub["person_id"],
                email=sub["email"],
                subject=f"{report.title} · {fmt_date(report.today)}",
                body_text=email_text(report, unsubscribe=stop),
                body_html=body,
                parts=parts,
                blobs=blobs,
                link=report.link,
                unsubscribe=stop,
            ),
            email_on=email_on,
            now=now,
            url=url,
        )
    return stored


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


# --- reminders ----------------------------------------------------------------------------


def plan_reminders(now: dt.datetime, url: str | None = None) -> int:
    """Weekly status update reminders (before and after the deadline, to PMs who have not
    reported this week) and reminders of actions due soon or overdue."""
    settings = get_settings(url)
    email_on = mail.smtp_config() is not None
    today = pmo_today(now)
    stored = 0
    if settings["reminders_on"]:
        deadline = update_deadline(
            today, settings["reminder_weekday"], settings["reminder_hour"], clock.time_zone()
        )
        stage = reminder_stage(
            now, deadline, settings["reminder_hours_before"], settings["reminder_hours_after"]
        )
        if stage:
            stored += _update_reminders(stage, deadline, settings, now, email_on, url)
    stored += _action_reminders(today, now, email_on, url)
    stored += _certificate_reminders(today, now, email_on, url)
    return stored


def _update_reminders(stage, deadline, settings, now, email_on, url) -> int:
    week = deadline.date().isocalendar()
    week_name = f"{week.year}-W{week.week:02d}"
    missing = reads.missing_updates(deadline.date() - dt.timedelta(days=deadline.weekday()), url)
    template = settings[f"reminder_{stage}_text"]
    stored = 0
    for person_id, rows in missing.groupby("person_id"):
        links = [
            f"{base_url()}/updates?{urlencode({'project': c, 'section': 'Status update'})}"
            for c in rows.code
        ]
        projects = "\n".join(
            f"- {c} {n}: {link}" for c, n, link in zip(rows.code, rows.project, links, strict=True)
        )
        text = fill(
            template,
            name=rows.manager.iloc[0],
            projects=projects,
            deadline=f"{deadline:%A %d %b %Y, %H:%M}",
            link=links[0],
        )
        when = "due" if stage == "before" else "overdue"
        stored += deliveries.plan(
            Planned(
                key=f"remind:{stage}:{week_name}:{int(person_id)}",
                kind="reminder",
                person_id=int(person_id),
                email=rows.email.iloc[0],
                subject=f"Weekly status update {when}: {', '.join(rows.code)}",
                body_text=text,
                link=links[0],
            ),
            email_on=email_on,
            now=now,
            url=url,
        )
    return stored


def _action_reminders(today, now, email_on, url) -> int:
    week = today.isocalendar()
    stored = 0
    for a in reads.actions_due(today + dt.timedelta(days=ACTION_DUE_SOON_DAYS), url).itertuples():
        due = pd.Timestamp(a.due_date).date()
        # Once when it comes due, then once a week while it is overdue.
        key = (
            f"action:{a.id}:overdue:{week.year}-W{week.week:02d}"
            if due < today
            else f"action:{a.id}:due"
        )
        state = "overdue since" if due < today else "due on"
        stored += _remind(
            key,
            a,
            f"Action {state} {fmt_date(due)}: {a.title}",
            f'Hello {a.owner},\n\nThe action "{a.title}"'
            f"{' (' + a.code + ')' if isinstance(a.code, str) else ''} is "
            f"{state} {fmt_date(due)}.\nClose it in Meeting mode once done: "
            f"{base_url()}/meeting",
            f"{base_url()}/meeting",
            now=now,
            email_on=email_on,
            url=url,
        )
    return stored


def _remind(key: str, to, subject: str, text: str, link: str, *, now, email_on, url) -> int:
    """Plan one reminder to `to` (a row with person_id and email) under its unique key."""
    return deliveries.plan(
        Planned(
            key=key,
            kind="reminder",
            person_id=int(to.person_id),
            email=to.email,
            subject=subject,
            body_text=text,
            link=link,
        ),
        email_on=email_on,
        now=now,
        url=url,
    )


def _certificate_reminders(today, now, email_on, url) -> int:
    """Once per certification and expiry day, within 30 days of it: a renewal (new dates on the
    record) is reminded again when it nears its own expiry."""
    until = today + dt.timedelta(days=CERTIFICATE_NOTICE_DAYS)
    link = f"{base_url()}/lessons?tab=Competence"
    stored = 0
    for c in training_reads.expiring(today, until, url=url).itertuples():
        stored += _remind(
            f"certificate:{c.record_id}:{c.expires_on.isoformat()}",
            c,
            f"Your {c.course} expires on {fmt_date(c.expires_on)}",
            f"Hello {c.person},\n\nYour {c.course} expires on {fmt_date(c.expires_on)}. "
            f"Once renewed, record the new dates on the Competence tab: {link}",
            link,
            now=now,
            email_on=email_on,
            url=url,
        )
    return stored


# --- notifications --------------------------------------------------------------------------

LOOKBACK = dt.timedelta(days=2)


def plan_notifications(now: dt.datetime, url: str | None = None) -> int:
    """Things someone must act on: an action or a risk given to them, their project turned
    Red, an escalation put to them, a gate awaiting their decision. Always in their inbox;
    by e-mail for the kinds they chose."""
    email_on = mail.smtp_config() is not None
    wants_email = reads.email_choices(url)
    people = reads.people_by_id(url)
    since = pmo_today(now) - LOOKBACK

    def notify(key, kind, person_id, subject, text, link):
        person = people.get(person_id)
        if person is None or not person["active"]:
            return 0
        return deliveries.plan(
            Planned(
                key=key,
                kind="notification",
                person_id=person_id,
                email=person["email"],
                subject=subject,
                body_text=text,
                link=link,
                by_email=(person_id, kind) in wants_email,
            ),
            email_on=email_on,
            now=now,
            url=url,
        )

    def pmo() -> set[int]:
        return {pid for pid, p in people.items() if p["role"] == "admin"}

    stored = 0
    for e in reads.audit_events(now - LOOKBACK, url).itertuples():
        after = _json(e.after) or {}
        owner = after.get("owner_id")
        if e.entity not in ("action", "risk") or not owner or owner == e.actor_id:
            continue
        kind = f"{e.entity}_assigned"
        title = after.get("title") or f"{e.entity} {e.entity_id}"
        where = f" on {e.code} {e.project}" if isinstance(e.code, str) else ""
        page = "meeting" if e.entity == "action" else "risks"
        stored += notify(
            f"notify:{e.id}:{owner}",
            kind,
            int(owner),
            f"A{'n' if e.entity == 'action' else ''} {e.entity} was given to you: {title}",
            f'The {e.entity} "{title}"{where} is now yours.',
            f"{base_url()}/{page}",
        )
    for r in reads.turned_red(since, url).itertuples():
        link = f"{base_url()}/project?{urlencode({'project': r.code})}"
        for person_id in _ids({r.manager_id, r.sponsor_id} - {r.author_id}):
            stored += notify(
                f"notify:red:{r.report_id}:{person_id}",
                "project_red",
                person_id,
                f"{r.code} {r.project} turned Red",
                f"The status update of {fmt_date(r.report_date)} made {r.code} {r.project} Red.",
                link,
            )
    for x in reads.escalations_raised(since, url).itertuples():
        # Put to the steering group: the PMO, who puts it on the review's agenda.
        asked = {x.asked_person_id} if pd.notna(x.asked_person_id) else pmo()
        for person_id in _ids(asked - {x.raised_by_id}):
            stored += notify(
                f"notify:escalation:{x.id}:{person_id}",
                "escalation",
                person_id,
                f"{x.code} {x.project} asks you by {fmt_date(x.needed_by)}: {x.ask}",
                f'{x.code} {x.project} escalated "{x.ask}", needed by {fmt_date(x.needed_by)}. '
                "It is listed for the next review, where it is answered with a decision.",
                f"{base_url()}/recovery",
            )
    pending = gate_reads.pending_gates(url)
    for g in pending[pending.submitted_on >= since].to_dict("records"):
        for person_id in gates.approver_ids(g, pmo()) - _ids({g["submitted_by_id"]}):
            stored += notify(
                f"notify:gate:{g['id']}:{person_id}",
                "gate_decision",
                person_id,
                f"{g['code']} {g['name']} awaits your decision at the {g['gate']}",
                f"{g['code']} {g['name']} submitted the {g['gate']} (end of {g['phase']}) on "
                f"{fmt_date(g['submitted_on'])}; it awaits a decision.",
                f"{base_url()}/gates?tab=Gates",
            )
    return stored


def _ids(values) -> set[int]:
    """The people among `values` (ids as numbers, NaN or None for nobody)."""
    return {int(v) for v in values if v is not None and pd.notna(v)}


# --- sending --------------------------------------------------------------------------------


def send_pending(now: dt.datetime, url: str | None = None) -> dict[str, int]:
    config = mail.smtp_config()
    if config is None:
        return {}

    def send(row: dict) -> None:
        msg = mail.build_message(
            config,
            to=row["email"],
            subject=row["subject"],
            text=row["body_text"],
            html=row["body_html"],
            attachments=_unpack(row["parts"], row["blobs"]),
            unsubscribe=row["unsubscribe"],
            message_key=row["key"].replace(":", "."),
            kind=row["kind"],
        )
        mail.send(config, msg)

    return deliveries.send_due(send, now=now, permanent=(mail.PermanentFailure,), url=url)


# --- compliance over time -------------------------------------------------------------------


def record_compliance(now: dt.datetime, url: str | None = None) -> int:
    """Record every project's compliance at the end of each past week that compliance over
    time shows and that is not recorded yet (after an install or a stop: worked out from the
    history). Returns the rows written."""
    past = gates.ended_weeks(pmo_today(now))
    todo = gates.weeks_to_work_out(past, gate_history.recorded_weeks(past, url))
    if not todo:
        return 0
    config = get_settings(url)
    weekly = gate_reads.weekly_facts(todo, review_days=config["risk_review_days"], url=url)
    with session_scope(url) as session:
        return gate_history.record_weeks(gates.weekly_states(weekly, config), session=session)


JOBS = {
    "reports": plan_reports,
    "reminders": plan_reminders,
    "notifications": plan_notifications,
    "send": send_pending,
    "compliance": record_compliance,
}
