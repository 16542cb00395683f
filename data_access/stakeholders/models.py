"""Tables of the push side: what is delivered to whom, who subscribed to what, the stakeholder
register and the read-only links.

A delivery is one message to one person (or address). Its `key` is unique: the same report
for the same subscription and period, or the same reminder for the same week, can be planned
by any number of worker processes and is stored once, so it is sent once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from data_access.core.models import NAME_MAX, TEXT_MAX, Versioned, _check_choice, _in, utcnow

DELIVERY_KINDS = ("report", "reminder", "notification")
DELIVERY_STATUSES = ("pending", "sent", "failed", "bounced", "inbox")
CADENCES = ("weekly", "monthly", "after_review")
SCOPES = ("portfolio", "project")
NOTIFICATION_KINDS = (
    "action_assigned",
    "risk_assigned",
    "project_red",
    "escalation",
    "gate_decision",
)
ROLES_IN_PROJECT = ("sponsor", "steering group", "user", "supplier", "team", "other")


class Delivery(SQLModel, table=True):
    """One message to one recipient: an e-mail to send (with retries) and an inbox entry."""

    __table_args__ = (
        sa.CheckConstraint(_in("kind", DELIVERY_KINDS), name="ck_delivery_kind"),
        sa.CheckConstraint(_in("status", DELIVERY_STATUSES), name="ck_delivery_status"),
        sa.Index("ix_delivery_due", "status", "next_attempt_at"),
        sa.Index("ix_delivery_person", "person_id", "read_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, sa_column_kwargs={"unique": True})
    kind: str = Field(max_length=20)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    email: str = Field(default="", max_length=254)
    subject: str = Field(max_length=300)
    body_text: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    body_html: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    # Inline images and the PDF: [{"name", "mime", "cid"?}, ...] with the bytes in `blobs`.
    parts: Any = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    blobs: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True))
    link: str = Field(default="", max_length=1000)
    unsubscribe: str = Field(default="", max_length=1000)
    # Whether this message goes out by e-mail at all (else only to the inbox).
    by_email: bool = True
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    next_attempt_at: dt.datetime | None = None
    last_error: str = Field(default="", max_length=TEXT_MAX)
    created_at: dt.datetime = Field(default_factory=utcnow)
    sent_at: dt.datetime | None = None
    read_at: dt.datetime | None = None


class SubscriptionBase(SQLModel):
    person_id: int = Field(foreign_key="person.id", index=True)
    scope: str = "portfolio"
    project_id: int | None = Field(default=None, foreign_key="project.id")
    # The saved view: the shared portfolio filters as {field: [values], "text": "..."}.
    filters: Any = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    cadence: str = "weekly"
    weekday: int = Field(default=0, ge=0, le=6)  # Monday = 0
    day_of_month: int = Field(default=1, ge=1, le=28)
    hour: int = Field(default=8, ge=0, le=23)
    time_zone: str = Field(default="UTC", max_length=60)

    @field_validator("scope")
    @classmethod
    def _scope(cls, v: Any) -> Any:
        return _check_choice(v, SCOPES, "scope")

    @field_validator("cadence")
    @classmethod
    def _cadence(cls, v: Any) -> Any:
        return _check_choice(v, CADENCES, "cadence")

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, v: Any) -> Any:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError("must be a time zone name such as Europe/Paris") from exc
        return v

    @model_validator(mode="after")
    def _project_scope(self):
        if self.scope == "project" and self.project_id is None:
            raise ValueError("choose the project this report is about")
        return self


class SubscriptionCreate(SubscriptionBase):
    pass


class Subscription(SubscriptionBase, Versioned, table=True):
    __table_args__ = (
        sa.CheckConstraint(_in("scope", SCOPES), name="ck_subscription_scope"),
        sa.CheckConstraint(_in("cadence", CADENCES), name="ck_subscription_cadence"),
    )
    id: int | None = Field(default=None, primary_key=True)
    active: bool = True
    # The secret of the one-click unsubscribe link in every message.
    unsubscribe_token: str = Field(max_length=64, sa_column_kwargs={"unique": True})


class NotificationPref(SQLModel, table=True):
    """A person's choice per kind of notification: always in the inbox, by e-mail if chosen."""

    __tablename__ = "notification_pref"
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    kind: str = Field(max_length=40, primary_key=True)
    by_email: bool = False


class StakeholderBase(SQLModel):
    project_id: int = Field(foreign_key="project.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    name: str = Field(min_length=1, max_length=NAME_MAX)
    email: str = Field(default="", max_length=254)
    role: str = "other"
    interest: int = Field(default=3, ge=1, le=5)
    influence: int = Field(default=3, ge=1, le=5)
    receives: str = Field(default="", max_length=TEXT_MAX)

    @field_validator("role")
    @classmethod
    def _role(cls, v: Any) -> Any:
        return _check_choice(v, ROLES_IN_PROJECT, "role")


class StakeholderCreate(StakeholderBase):
    pass


class StakeholderUpdate(SQLModel):
    name: str | None = None
    email: str | None = None
    role: str | None = None
    interest: int | None = None
    influence: int | None = None
    receives: str | None = None


class Stakeholder(StakeholderBase, Versioned, table=True):
    __table_args__ = (
        sa.CheckConstraint(_in("role", ROLES_IN_PROJECT), name="ck_stakeholder_role"),
    )
    id: int | None = Field(default=None, primary_key=True)


class ShareLink(SQLModel, table=True):
    """A read-only link for someone without an account: one project's report or one filtered
    portfolio view, until `expires_at`, unless revoked. The token is signed (see links.py)."""

    __tablename__ = "share_link"
    __table_args__ = (sa.CheckConstraint(_in("scope", SCOPES), name="ck_share_link_scope"),)
    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=20)
    project_id: int | None = Field(default=None, foreign_key="project.id")
    filters: Any = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    recipient: str = Field(default="", max_length=NAME_MAX)
    expires_at: dt.datetime
    revoked_at: dt.datetime | None = None
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class ShareLinkOpening(SQLModel, table=True):
    """Every opening of a read-only link, refused ones included."""

    __tablename__ = "share_link_opening"
    id: int | None = Field(default=None, primary_key=True)
    link_id: int | None = Field(default=None, foreign_key="share_link.id", index=True)
    at: dt.datetime = Field(default_factory=utcnow)
    outcome: str = Field(max_length=40)
