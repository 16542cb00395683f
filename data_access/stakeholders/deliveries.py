"""Deliveries: planned once (a unique key), sent once (a row lock held while sending), retried
with back-off, and read back as the inbox and the Admin delivery log.

Exactly once, across processes: `plan` inserts with ON CONFLICT DO NOTHING on the unique key, so
any number of workers planning the same report for the same period store one row. `send_due`
takes one due row at a time with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite has one
writer at a time), hands it to the SMTP server and records the outcome in the same transaction.
A worker killed before the commit leaves the row pending, and the next run sends it; the only
window for a repeat is between the server's "250 accepted" and the commit, a few milliseconds.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from data_access.core.db import bump_data_version, get_engine, read_df, read_scalar
from data_access.stakeholders.models import Delivery

log = logging.getLogger("pmo.delivery")

# Minutes to wait before attempt 2, 3, ...; after the last one the delivery is marked failed.
BACKOFF_MINUTES = (1, 5, 30, 120, 720)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Planned:
    """One message to plan; `blobs` holds the bytes of `parts` one after the other."""

    key: str
    kind: str
    subject: str
    body_text: str
    person_id: int | None = None
    email: str = ""
    body_html: str = ""
    parts: list[dict] | None = None
    blobs: bytes | None = None
    link: str = ""
    unsubscribe: str = ""
    by_email: bool = True


def plan(item: Planned, *, email_on: bool, now: dt.datetime, url: str | None = None) -> bool:
    """Store the delivery unless one with the same key exists; True when this call stored it."""
    emailed = email_on and item.by_email and bool(item.email)
    values = {
        **item.__dict__,
        "by_email": emailed,
        "status": "pending" if emailed else "inbox",
        "next_attempt_at": now if emailed else None,
        "created_at": now,
    }
    engine = get_engine(url)
    insert = (postgresql if engine.dialect.name == "postgresql" else sqlite).insert(
        Delivery.__table__
    )
    statement = (
        insert.values(**values)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Delivery.__table__.c.id)
    )
    with engine.begin() as conn:
        # rowcount is not reliable here across drivers; a returned id is.
        stored = conn.execute(statement).first() is not None
        if stored:
            bump_data_version(conn)
    return stored


def planned_keys(prefix: str, url: str | None = None) -> set[str]:
    """Keys already planned that start with `prefix` (to skip building what exists)."""
    query = sa.select(Delivery.key).where(Delivery.key.startswith(prefix, autoescape=True))
    with get_engine(url).connect() as conn:
        return set(conn.execute(query).scalars())


Sender = Callable[[dict], None]  # raises PermanentFailure-like or TemporaryFailure-like errors


def send_due(
    send: Sender,
    *,
    now: dt.datetime,
    permanent: tuple[type[Exception], ...],
    limit: int = 500,
    url: str | None = None,
) -> dict[str, int]:
    """Send due e-mails one by one; returns how many were sent, retried, bounced, failed."""
    counts = {"sent": 0, "retry": 0, "bounced": 0, "failed": 0, "skipped": 0}
    for _ in range(limit):
        outcome = _send_one(send, now=now, permanent=permanent, url=url)
        if outcome is None:
            break
        counts[outcome] += 1
    return counts


def _send_one(send, *, now, permanent, url) -> str | None:
    table = Delivery.__table__
    engine = get_engine(url)
    due = (
        sa.select(table)
        .where(table.c.status == "pending", table.c.next_attempt_at <= now)
        .order_by(table.c.next_attempt_at, table.c.id)
        .limit(1)
    )
    if engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    with engine.begin() as conn:
        row = conn.execute(due).mappings().first()
        if row is None:
            return None
        # On SQLite this write takes the database's write lock for the rest of the transaction,
        # which keeps a second worker from taking the same row.
        claimed = conn.execute(
            sa.update(table)
            .where(
                table.c.id == row["id"],
                table.c.status == "pending",
                table.c.attempts == row["attempts"],
            )
            .values(attempts=table.c.attempts + 1)
        )
        if claimed.rowcount != 1:  # another worker took it meanwhile
            return "skipped"
        attempt = row["attempts"] + 1
        # Once sent, the pictures and the PDF are not kept (a report is megabytes).
        sent = {"sent_at": now, "status": "sent", "last_error": "", "blobs": None, "parts": None}
        changes, outcome = sent, "sent"
        if not EMAIL_RE.match(row["email"] or ""):
            changes, outcome = _refused(f"not an e-mail address: {row['email']!r}"), "bounced"
        else:
            try:
                send(dict(row))
            except permanent as exc:
                changes, outcome = _refused(str(exc)), "bounced"
            except Exception as exc:  # the server is away or said "try later": back off
                changes, outcome = _later(str(exc), attempt, now)
        conn.execute(sa.update(table).where(table.c.id == row["id"]).values(**changes))
        bump_data_version(conn)
    log.info("delivery %s: %s", row["key"], outcome)
    return outcome


def _refused(reason: str) -> dict:
    return {"status": "bounced", "last_error": reason[:4000], "next_attempt_at": None}


def _later(reason: str, attempt: int, now: dt.datetime) -> tuple[dict, str]:
    if attempt >= MAX_ATTEMPTS:
        return {"status": "failed", "last_error": reason[:4000], "next_attempt_at": None}, "failed"
    wait = dt.timedelta(minutes=BACKOFF_MINUTES[attempt - 1])
    return {"last_error": reason[:4000], "next_attempt_at": now + wait}, "retry"


def retry_now(delivery_id: int, *, now: dt.datetime, url: str | None = None) -> bool:
    """An admin sends a failed or bounced delivery again (e.g. after fixing the address)."""
    table = Delivery.__table__
    with get_engine(url).begin() as conn:
        done = conn.execute(
            sa.update(table)
            .where(table.c.id == delivery_id, table.c.status.in_(("failed", "bounced")))
            .values(status="pending", attempts=0, next_attempt_at=now, last_error="")
        )
        bump_data_version(conn)
    return bool(done.rowcount)


# --- reads ------------------------------------------------------------------------------


def delivery_log(limit: int = 500, url: str | None = None) -> pd.DataFrame:
    """The newest deliveries first, with the recipient's name (the Admin delivery log)."""
    return read_df(
        """
        SELECT d.id, d.created_at, d.kind, d.subject, COALESCE(p.name, '') AS person, d.email,
               d.status, d.attempts, d.next_attempt_at, d.sent_at, d.last_error
        FROM delivery d LEFT JOIN person p ON p.id = d.person_id
        ORDER BY d.id DESC LIMIT :limit
        """,
        {"limit": limit},
        url=url,
    )


def delivery_counts(url: str | None = None) -> dict[str, int]:
    df = read_df("SELECT status, COUNT(*) AS n FROM delivery GROUP BY status", url=url)
    return dict(zip(df.status, df.n.astype(int), strict=True))


def inbox(person_id: int, limit: int = 200, url: str | None = None) -> pd.DataFrame:
    return read_df(
        """
        SELECT id, created_at, kind, subject, body_text, link, read_at
        FROM delivery WHERE person_id = :person ORDER BY id DESC LIMIT :limit
        """,
        {"person": person_id, "limit": limit},
        url=url,
    )


def unread_count(person_id: int, url: str | None = None) -> int:
    return int(
        read_scalar(
            "SELECT COUNT(*) FROM delivery WHERE person_id = :person AND read_at IS NULL",
            {"person": person_id},
            url=url,
        )
        or 0
    )


def mark_read(person_id: int, delivery_ids: list[int], *, now: dt.datetime, url=None) -> int:
    """Mark the person's own messages read (someone else's ids are ignored)."""
    table = Delivery.__table__
    with get_engine(url).begin() as conn:
        done = conn.execute(
            sa.update(table)
            .where(
                table.c.person_id == person_id,
                table.c.id.in_(delivery_ids),
                table.c.read_at.is_(None),
            )
            .values(read_at=now)
        )
        bump_data_version(conn)
    return done.rowcount
