"""The push side on the page: the inbox and its sidebar badge, subscriptions, notification
choices, the stakeholder register with its grid, read-only links and the delivery log."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from components.common.chart_cache import draw_chart
from components.common.data import Version
from components.common.record_form import FormField, flash, record_form
from components.common.safe_text import md_escape
from components.stakeholders import data
from data_access.core import clock
from data_access.core.db import session_scope
from data_access.core.writes import Actor, WriteError
from data_access.stakeholders import commands, deliveries
from data_access.stakeholders.deliveries import EMAIL_RE, Planned
from data_access.stakeholders.models import CADENCES, NOTIFICATION_KINDS, ROLES_IN_PROJECT
from deck.report import base_url
from domain.filters import PortfolioFilter, describe_filter, filter_from_dict, filter_to_dict
from domain.stakeholders import WEEKDAYS, quadrant
from worker.mail import MailSettingError, smtp_config

INBOX_PAGE = "pages/inbox.py"
KIND_LABELS = {
    "action_assigned": "An action is given to me",
    "risk_assigned": "A risk is given to me",
    "project_red": "A project of mine turns Red",
    "escalation": "An escalation is put to me",
    "gate_decision": "A gate awaits my decision",
}
CADENCE_LABELS = {
    "weekly": "Weekly",
    "monthly": "Monthly",
    "after_review": "After each portfolio review",
}
ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
)


def write(fn, *args, version: Version, actor: Actor, **kwargs):
    with session_scope(version[0]) as session:
        return fn(*args, session=session, actor=actor, **kwargs)


# --- inbox --------------------------------------------------------------------------------


def inbox_badge(version: Version, actor: Actor) -> None:
    """The sidebar badge: a link to the inbox saying how many messages are unread."""
    if actor.person_id is None:
        return
    count = data.unread(version, actor.person_id)
    if count:  # the menu links the inbox anyway; this says there is something new
        st.page_link(
            INBOX_PAGE, label=f"Inbox · {count} unread", icon=":material/mark_email_unread:"
        )


def inbox_section(version: Version, actor: Actor) -> None:
    box = data.inbox(version, actor.person_id)
    if box.empty:
        st.info("Nothing here yet. Reports, reminders and notifications for you land here.")
        return
    unread = box[box.read_at.isna()]
    if len(unread) and st.button(f"Mark all {len(unread)} as read"):
        deliveries.mark_read(actor.person_id, unread.id.tolist(), now=clock.now(), url=version[0])
        st.rerun()
    for row in box.itertuples():
        state = "" if pd.notna(row.read_at) else ":blue-badge[new] "
        when = pd.Timestamp(row.created_at).strftime("%d %b %Y %H:%M")
        with st.expander(f"{state}{md_escape(row.subject)} · {when}"):
            st.text(row.body_text[:4000])
            if row.link:
                st.link_button("Open in the app", row.link)


# --- subscriptions --------------------------------------------------------------------------


def subscription_words(row) -> str:
    if row.scope == "project":
        view = f"Project {row.project_code} {row.project_name}"
    else:
        view = describe_filter(filter_from_dict(_json(row.filters)))
    if row.cadence == "weekly":
        when = f"every {WEEKDAYS[row.weekday]} at {row.hour:02d}:00"
    elif row.cadence == "monthly":
        when = f"on day {row.day_of_month} of each month at {row.hour:02d}:00"
    else:
        when = "after each portfolio review"
    return f"{view}, {when} ({row.time_zone})"


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def subscriptions_section(
    version: Version, actor: Actor, current: PortfolioFilter, projects: pd.DataFrame
) -> None:
    mine = data.subscriptions(version, actor.person_id)
    for row in mine.itertuples():
        left, right = st.columns([5, 1])
        left.markdown(md_escape(subscription_words(row)))
        if right.button("Unsubscribe", key=f"end_sub_{row.id}"):
            try:
                write(commands.end_subscription, int(row.id), version=version, actor=actor)
            except WriteError as exc:
                st.error(md_escape(str(exc)))
            else:
                flash("Unsubscribed.")
                st.rerun()
    if mine.empty:
        st.caption("You receive no reports yet.")
    st.markdown("**Subscribe to a report**")
    st.caption(
        f"The portfolio view is the one the sidebar filters give now: "
        f"{md_escape(describe_filter(current))}."
    )
    codes = dict(zip(projects.id.astype(int), projects.code + " " + projects.name, strict=True))
    fields = [
        FormField(
            "scope",
            "Report on",
            "select",
            options=["portfolio", "project"],
            labels={"portfolio": "This portfolio view", "project": "One project"},
        ),
        FormField(
            "project_id",
            "Project (for a project report)",
            "select",
            options=[None, *codes],
            labels={None: "—", **codes},
        ),
        FormField("cadence", "How often", "select", options=list(CADENCES), labels=CADENCE_LABELS),
        FormField(
            "weekday",
            "Weekday (weekly)",
            "select",
            options=list(range(7)),
            labels=dict(enumerate(WEEKDAYS)),
        ),
        FormField(
            "day_of_month", "Day of the month (monthly)", "int", min_value=1, max_value=28, step=1
        ),
        FormField("hour", "Hour", "int", min_value=0, max_value=23, step=1),
        FormField("time_zone", "Your time zone", "select", options=list(ZONES)),
    ]
    defaults = {
        "scope": "portfolio",
        "project_id": None,
        "cadence": "weekly",
        "weekday": 0,
        "day_of_month": 1,
        "hour": 8,
        "time_zone": "Europe/Paris",
    }

    def save(values, _version):
        values = {**values, "person_id": actor.person_id, "filters": filter_to_dict(current)}
        write(commands.subscribe, values, version=version, actor=actor)

    record_form(
        "subscribe",
        fields,
        defaults,
        save,
        submit_label="Subscribe",
        saved_message="Subscribed: the first report comes at the next time you chose.",
        columns=2,
    )


def notification_section(version: Version, actor: Actor) -> None:
    prefs = data.notification_prefs(version, actor.person_id)
    st.caption("Every notification lands in your inbox; tick the kinds you also want by e-mail.")
    with st.form("notification_prefs"):
        chosen = {
            kind: st.checkbox(KIND_LABELS[kind], value=prefs.get(kind, False), key=f"n_{kind}")
            for kind in NOTIFICATION_KINDS
        }
        if st.form_submit_button("Save", type="primary"):
            write(
                commands.set_notification_prefs,
                actor.person_id,
                chosen,
                version=version,
                actor=actor,
            )
            flash("Saved your notification choices.")
            st.rerun()


# --- stakeholder register --------------------------------------------------------------------


STAKEHOLDER_FIELDS = [
    FormField("name", "Name", max_chars=200),
    FormField("email", "E-mail (optional)"),
    FormField("role", "Role", "select", options=list(ROLES_IN_PROJECT)),
    FormField("influence", "Influence (1-5)", "int", min_value=1, max_value=5, step=1),
    FormField("interest", "Interest (1-5)", "int", min_value=1, max_value=5, step=1),
    FormField("receives", "What they should receive", "textarea", max_chars=4000),
]


def _stakeholder_editor(version: Version, actor: Actor, row: dict) -> None:
    sid, at_version = int(row["id"]), int(row["version"])
    with st.expander(f"Change {md_escape(row['name'])}"):
        record_form(
            f"stakeholder_{sid}",
            STAKEHOLDER_FIELDS,
            {f.name: row[f.name] for f in STAKEHOLDER_FIELDS},
            lambda changes, v: write(
                commands.update_stakeholder,
                sid,
                changes,
                expected_version=v,
                version=version,
                actor=actor,
            ),
            version=at_version,
            saved_message=f"Saved {row['name']}.",
            columns=2,
        )
        if st.button("Remove from the register", key=f"remove_stakeholder_{sid}"):
            try:
                write(
                    commands.remove_stakeholder,
                    sid,
                    expected_version=at_version,
                    version=version,
                    actor=actor,
                )
            except WriteError as exc:
                st.error(md_escape(str(exc)))
            else:
                flash(f"Removed {row['name']}.")
                st.rerun()


def register_section(version: Version, actor: Actor, project: dict, may_edit: bool) -> None:
    people = data.stakeholders(version, project["id"])
    if people.empty:
        st.info("No stakeholder recorded for this project yet.")
    else:
        draw_chart("power_interest_grid", people, f"Power and interest, {project['code']}")
        table = people.assign(
            approach=[
                quadrant(i, n) for i, n in zip(people.influence, people.interest, strict=True)
            ]
        )[["name", "role", "email", "influence", "interest", "approach", "receives"]]
        st.dataframe(table, hide_index=True, width="stretch")
    if not may_edit:
        return
    for row in people.to_dict("records"):
        _stakeholder_editor(version, actor, row)
    st.markdown("**Add a stakeholder**")
    defaults = {
        "name": "",
        "email": "",
        "role": "other",
        "influence": 3,
        "interest": 3,
        "receives": "",
    }

    def save(values, _version):
        write(
            commands.add_stakeholder,
            {**values, "project_id": project["id"]},
            version=version,
            actor=actor,
        )

    record_form(
        f"stakeholder_new_{project['id']}",
        STAKEHOLDER_FIELDS,
        defaults,
        save,
        submit_label="Add",
        saved_message="Stakeholder added.",
        columns=2,
    )


# --- read-only links ---------------------------------------------------------------------------


def links_section(
    version: Version, actor: Actor, current: PortfolioFilter, projects: pd.DataFrame
) -> None:
    """PMO admins: create, list and revoke read-only links; every opening is counted."""
    made = st.session_state.pop("new_share_link", None)
    if made:
        address, mailed_to = made
        if mailed_to:
            st.success(f"The link goes to {md_escape(mailed_to)} by e-mail within a minute.")
        else:
            st.success("Send this link (it is shown once; e-mail is off or no address given):")
        st.code(address, language=None)
    codes = dict(zip(projects.id.astype(int), projects.code + " " + projects.name, strict=True))
    with st.form("share_link"):
        scope = st.radio(
            "Link to",
            ["project", "portfolio"],
            horizontal=True,
            format_func={
                "project": "One project's status report",
                "portfolio": "This filtered portfolio view",
            }.get,
        )
        project_id = st.selectbox("Project", list(codes), format_func=codes.get)
        recipient = st.text_input("For whom (name, for the record)")
        send_to = st.text_input(
            "E-mail it to (optional)", help="A stakeholder without an account, for example."
        ).strip()
        days = st.number_input("Valid for (days)", 1, 366, 14)
        st.caption(f"Portfolio view: {md_escape(describe_filter(current))}")
        submitted = st.form_submit_button("Create link", type="primary")
        if submitted and send_to and not EMAIL_RE.match(send_to):
            st.error("E-mail it to: must be an e-mail address such as jane@example.org")
        elif submitted:
            try:
                token = write(
                    commands.create_share_link,
                    scope=scope,
                    project_id=project_id,
                    filters=filter_to_dict(current),
                    recipient=recipient,
                    days=int(days),
                    now=clock.now(),
                    url=version[0],
                    version=version,
                    actor=actor,
                )
            except WriteError as exc:
                st.error(md_escape(str(exc)))
            else:
                address = f"{base_url()}/?token={token}"
                mailed = send_to and _send_link(version, token, address, send_to, recipient, days)
                st.session_state["new_share_link"] = (address, send_to if mailed else "")
                st.rerun()
    links = data.share_links(version)
    if links.empty:
        st.caption("No read-only link yet.")
        return
    now = clock.now()
    for row in links.itertuples():
        expires = pd.Timestamp(row.expires_at)
        expires = expires.tz_localize("UTC") if expires.tzinfo is None else expires
        state = (
            "revoked"
            if pd.notna(row.revoked_at)
            else "expired"
            if expires <= pd.Timestamp(now)
            else "active"
        )
        what = (
            f"project {row.project}"
            if row.scope == "project"
            else describe_filter(filter_from_dict(_json(row.filters)))
        )
        left, right = st.columns([5, 1])
        left.markdown(
            f"**{md_escape(what)}** for {md_escape(row.recipient or 'anyone')} · {state}, "
            f"until {expires:%d %b %Y} · opened {int(row.openings)} times"
        )
        if state == "active" and right.button("Revoke", key=f"revoke_{row.id}"):
            write(
                commands.revoke_share_link,
                int(row.id),
                now=clock.now(),
                version=version,
                actor=actor,
            )
            flash("The link no longer opens.")
            st.rerun()


def _send_link(version: Version, token: str, address: str, to: str, name: str, days: int) -> bool:
    """The link goes out like any message: by the worker, logged, retried, bounces shown."""
    email_on = smtp_config() is not None
    deliveries.plan(
        Planned(
            key=f"link:{token.split('.')[0]}:{to.lower()}",
            kind="report",
            email=to,
            subject="A read-only project report for you",
            body_text=(
                f"Hello{' ' + name if name else ''},\n\nThe PMO shares a read-only report with "
                f"you. It opens without an account for {days} days:\n{address}"
            ),
            link=address,
        ),
        email_on=email_on,
        now=clock.now(),
        url=version[0],
    )
    return email_on


# --- delivery log (Admin) ----------------------------------------------------------------------


def email_status() -> None:
    try:
        config = smtp_config()
    except MailSettingError as exc:
        st.error(md_escape(str(exc)), icon=":material/mail:")
        return
    if config is None:
        st.warning(
            "**E-mail is off.** Reports, reminders and notifications go to each person's "
            "in-app inbox only. Set `PMO_SMTP_URL` (environment or secrets) to send e-mail, "
            "e.g. `smtp+starttls://user:password@mail.example.org:587/?from=pmo@example.org`.",
            icon=":material/mail:",
        )
    else:
        st.success(f"E-mail is on: {md_escape(config.describe())}.", icon=":material/mail:")


LOG_COLUMNS = {
    "created_at": "Planned (UTC)",
    "status": "Status",
    "kind": "Kind",
    "person": "To",
    "email": "Address",
    "subject": "Subject",
    "attempts": "Attempts",
    "next_attempt_at": "Next attempt",
    "sent_at": "Sent",
    "last_error": "Reason",
}


def delivery_log_section(version: Version) -> None:
    email_status()
    counts = data.delivery_counts(version)
    cells = st.columns(5)
    for cell, status in zip(cells, ("sent", "pending", "inbox", "bounced", "failed"), strict=True):
        cell.metric(status.capitalize(), f"{counts.get(status, 0):,}", border=True)
    log = data.delivery_log(version)
    if log.empty:
        st.caption("Nothing delivered yet.")
        return
    shown = log[
        [
            "created_at",
            "status",
            "kind",
            "person",
            "email",
            "subject",
            "attempts",
            "next_attempt_at",
            "sent_at",
            "last_error",
        ]
    ]
    st.dataframe(
        shown.rename(columns=LOG_COLUMNS),
        hide_index=True,
        width="stretch",
        column_config={"Reason": st.column_config.TextColumn(width="large")},
    )
    subs = data.subscriptions(version, None)
    if len(subs):
        st.markdown("**Who receives which report**")
        st.dataframe(
            pd.DataFrame(
                {
                    "Person": subs.person,
                    "Address": subs.email,
                    "Report": [subscription_words(r) for r in subs.itertuples()],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    stuck = log[log.status.isin(("failed", "bounced"))]
    if len(stuck):
        labels = {int(r.id): f"{r.email}: {r.subject}" for r in stuck.itertuples()}
        chosen = st.selectbox(
            "Send again (after fixing the address or the server)",
            list(labels),
            format_func=labels.get,
        )
        if st.button("Send again"):
            deliveries.retry_now(chosen, now=clock.now(), url=version[0])
            flash("Queued again; the worker sends it within a minute.")
            st.rerun()
