"""Alerts: who wants to hear about what, what happened, and what was sent to whom.

The delivery log is what makes "each change reaches each person at most once" hold across restarts and
retries: an event has a unique key, a (user, event) pair is delivered at most once, and an email is the
unit that is retried, never the changes inside it.
"""

import datetime as dt
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.models.base import json_field, text_field, utcnow


class AlertProfile(SQLModel, table=True):
    """Per-user alert settings and the hash of the secret in their feed URLs (unsubscribe links:
    UnsubscribeLink)."""

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    # Only the feed secret's SHA-256 (tracker.sessions.token_hash): a copy of the database opens nobody's feeds.
    # None: no secret made yet.
    feed_token_hash: str | None = Field(default=None, unique=True, max_length=64)
    email_enabled: bool = True  # False once the person used the unsubscribe link
    defaults_applied: bool = False  # role defaults are given once; removing them afterwards sticks
    unsubscribed_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)


class AlertSubscription(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "kind", "target", name="uq_alertsubscription_target"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)  # topic | position | watchlist | bill | jurisdiction
    target: str = Field(max_length=255)  # topic slug, stance name, watchlist id, bill id, jurisdiction id
    cadence: str = Field(default="daily", max_length=16)  # instant | daily | weekly
    events: list[str] = json_field()  # event kinds wanted; empty: all of them
    active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)


class AlertEvent(SQLModel, table=True):
    """Something worth telling people about, derived once from BillChange, BillMatch, PositionHistory or a
    hearing; ``key`` names its origin so collecting twice never makes two events."""

    __table_args__ = (Index("ix_alertevent_bill", "bill_id"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=128)  # "change:42", "flag:7:3", "position:9", "hearing:5"
    bill_id: int = Field(foreign_key="bill.id", ondelete="CASCADE")
    kind: str = Field(max_length=32)  # flagged | stage_change | new_action | new_version | hearing | position ...
    topic_id: int | None = None  # for "flagged": the topic the bill was newly flagged for
    actor_id: int | None = None  # for "position": who changed it (not told about their own change)
    payload: dict[str, Any] = json_field(default_factory=dict)
    occurred_at: dt.datetime = Field(default_factory=utcnow)
    created_at: dt.datetime = Field(default_factory=utcnow)


class AlertDigest(SQLModel, table=True):
    """One email to one person; the unit that is sent, retried with backoff, and shown in the log."""

    __table_args__ = (Index("ix_alertdigest_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    # pending | sending | retrying | sent | failed | uncertain | cancelled | skipped (nothing in it was news to
    # its reader: not sent, and last_error says why)
    status: str = Field(default="pending", max_length=16)
    subject: str | None = None
    item_count: int = 0
    bill_count: int = 0
    attempts: int = 0
    next_attempt_at: dt.datetime | None = Field(default_factory=utcnow)
    last_error: str | None = text_field()
    message_id: str | None = Field(default=None, max_length=255)
    created_at: dt.datetime = Field(default_factory=utcnow)
    claimed_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None


class AlertDelivery(SQLModel, table=True):
    """An event owed to a person: created once per (user, event), then put into exactly one digest."""

    __table_args__ = (UniqueConstraint("user_id", "event_id", name="uq_alertdelivery_user_event"),
                      Index("ix_alertdelivery_pending", "user_id", "digest_id"))

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    event_id: int = Field(foreign_key="alertevent.id", index=True, ondelete="CASCADE")
    cadence: str = Field(max_length=16)  # the fastest cadence among the subscriptions that matched
    digest_id: int | None = Field(default=None, foreign_key="alertdigest.id", index=True, ondelete="SET NULL")
    created_at: dt.datetime = Field(default_factory=utcnow)
    # What the digest told its reader of a hearing, where that is not the event's own news: a deferral they never
    # read of, told as the meeting held in its place ({"hearing_id", "date", "time"}; ``tracker.alerts.told``).
    told: dict[str, Any] | None = json_field(default_factory=lambda: None, nullable=True)


class AlertCursor(SQLModel, table=True):
    """How far event collection has read each source (a row id or a timestamp), so each run reads only what
    is new."""

    name: str = Field(primary_key=True, max_length=64)
    last_id: int = 0
    last_at: dt.datetime | None = None


class UnsubscribeLink(SQLModel, table=True):
    """The secret of one unsubscribe link, as its SHA-256 (tracker.sessions.token_hash): a copy of the database or
    of a backup can unsubscribe nobody. Each email sent carries a link of its own, made as it goes out (the secret
    cannot be read back to put in the next one), and every link sent keeps working; the link a person had before
    migration 0027 is kept here too (``digest_id`` None). An automatic retry of a digest whose send the server
    failed gives that attempt's row a new secret (its link reached nobody) rather than adding a row per attempt."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(unique=True, max_length=64)
    digest_id: int | None = Field(default=None, foreign_key="alertdigest.id", ondelete="SET NULL")
    created_at: dt.datetime = Field(default_factory=utcnow)
