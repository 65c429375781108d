"""The organisation's own data. A crawl never writes these tables; they reference bills by id only."""

import datetime as dt
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from tracker.models.base import json_field, text_field, utcnow


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=255)
    name: str | None = None
    role: str = Field(default="staff", max_length=16)  # Role
    password_hash: str | None = None
    active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_login_at: dt.datetime | None = None



class UserSession(SQLModel, table=True):
    """A dashboard sign-in that outlives a page load: the browser holds a random token in an HttpOnly cookie,
    this table only its SHA-256, so a copy of the database signs nobody in (tracker.sessions)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(unique=True, max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_seen_at: dt.datetime = Field(default_factory=utcnow)  # the idle limit counts from here
    expires_at: dt.datetime  # the absolute limit, however active the person is
    revoked_at: dt.datetime | None = None
    revoked_reason: str | None = Field(default=None, max_length=32)  # signed out, password set, deactivated...


class SignInFailure(SQLModel, table=True):
    """Wrong passwords given for one email lately (tracker.sessions: too many in a row pause its sign-ins). Keyed
    by the email's SHA-256, for emails with no account too, so the pause tells nobody which emails have one."""

    email_key: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    last_failed_at: dt.datetime = Field(default_factory=utcnow)

class Topic(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=64)
    name: str
    description: str | None = text_field()  # also the text semantic relevance compares bills with
    threshold: float = 1.0
    enabled: bool = True
    rule_version: int = 1  # bumped on every rule edit; a BillMatch remembers the version it was scored with
    updated_at: dt.datetime = Field(default_factory=utcnow)


class TopicRule(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", index=True, ondelete="CASCADE")
    expression: str = text_field(nullable=False)  # the rule language of tracker.matching
    weight: float = 1.0
    exclude: bool = False  # a hit on an exclusion rule vetoes the topic for that bill
    enabled: bool = True
    note: str | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: dt.datetime = Field(default_factory=utcnow)


class BillMatch(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("bill_id", "topic_id"),
        Index("ix_billmatch_topic_flagged", "topic_id", "flagged"),
    )

    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", index=True, ondelete="CASCADE")
    topic_id: int = Field(foreign_key="topic.id", ondelete="CASCADE")
    score: float
    keyword_score: float | None = None
    semantic_score: float | None = None
    learned_score: float | None = None  # probability from the classifier learned from triage, when one exists
    flagged: bool = False
    matched_terms: list[str] = json_field()
    evidence: list[dict[str, Any]] = json_field()  # [{"field": "title", "snippet": "... [[term]] ..."}]
    rule_version: int
    matched_at: dt.datetime = Field(default_factory=utcnow)
    # The ceremonial form of a resolution this topic flagged on its title (tracker.matching.ceremonial: "designates
    # or observes a day, week or month"...); None for a bill, another resolution, or a topic its text is about.
    ceremonial: str | None = Field(default=None, max_length=64)


class FirstFlag(SQLModel, table=True):
    """When a topic first flagged a bill: what the triage inbox's "new since yesterday" counts from (0038).

    Written once, by the flagging's one writer (tracker.matching.store.write_matches), and never moved: a re-score
    restamps every ``BillMatch.matched_at`` and drops the matches a rule no longer makes, so neither says when a
    bill first reached the inbox. A merge of duplicates keeps the earliest (tracker.duplicates)."""

    bill_id: int = Field(foreign_key="bill.id", primary_key=True, ondelete="CASCADE")
    first_flagged_at: dt.datetime = Field(default_factory=utcnow, index=True)


class InboxVisit(SQLModel, table=True):
    """When a reader looked at the triage inbox, one row each (0039): what "new since your last visit" counts from
    (tracker.visits). ``cut_off`` is the last look of the reader's working session before the one they are in,
    fixed while they work in this one; None until they have had one (the working-day rule then applies)."""

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    started_at: dt.datetime = Field(default_factory=utcnow)  # the first look of the current working session
    last_seen_at: dt.datetime = Field(default_factory=utcnow)  # the latest look
    cut_off: dt.datetime | None = None


class Stance(SQLModel, table=True):
    """The configurable position vocabulary (defaults in tracker.models.enums.DEFAULT_STANCES)."""

    name: str = Field(primary_key=True, max_length=64)
    sort_order: int = 0
    color: str | None = None
    active: bool = True
    # The scorecard's rule for this stance (tracker.scorecard): the member vote that is "with us" on a bill holding
    # it, "yes" (Support, Support if amended) or "no" (Oppose, Oppose unless amended); None leaves its bills out.
    scorecard_vote: str | None = Field(default=None, max_length=8)


class Position(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", unique=True, ondelete="CASCADE")
    stance: str = Field(foreign_key="stance.name")
    priority: str = Field(default="Medium", max_length=16)  # Priority
    rationale: str | None = text_field()
    author_id: int | None = Field(default=None, foreign_key="user.id")
    version: int = 1  # optimistic concurrency: a save must name the version it started from
    updated_at: dt.datetime = Field(default_factory=utcnow)


class PositionHistory(SQLModel, table=True):
    """Append-only: one row per saved version of a position, and one per withdrawal, never deleted.

    The history belongs to the bill, not to one Position row: withdrawing a position deletes its row (so every
    count, filter, packet and alert sees no position) and keeps these rows, which is why ``position_id`` is
    cleared rather than cascaded (SET NULL; the service clears it itself too). Versions run on per bill across
    withdrawals: a position set again after one continues the numbering."""

    id: int | None = Field(default=None, primary_key=True)
    # The Position row this version was saved on while it exists; None once that position was withdrawn.
    position_id: int | None = Field(default=None, foreign_key="position.id", index=True, ondelete="SET NULL")
    bill_id: int = Field(foreign_key="bill.id", index=True, ondelete="CASCADE")
    version: int
    withdrawn: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    stance: str | None = None  # None on a withdrawal: the bill has no position from then on
    priority: str | None = None
    rationale: str | None = text_field()  # the rationale of a saved version; the reason given for a withdrawal
    previous_stance: str | None = None
    previous_priority: str | None = None
    author_id: int | None = Field(default=None, foreign_key="user.id")
    changed_at: dt.datetime = Field(default_factory=utcnow)


class Note(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="user.id")
    body: str = text_field(nullable=False)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime | None = None


class TriageState(SQLModel, table=True):
    bill_id: int = Field(foreign_key="bill.id", primary_key=True, ondelete="CASCADE")
    status: str = Field(default="new", max_length=16, index=True)  # TriageStatus
    relevance: str | None = Field(default=None, max_length=16)  # Relevance: the label flagging learns from
    # Why a dismissed bill is not the council's business, as staff wrote it (migration 0029); a dismissal's only.
    reason: str | None = text_field()
    user_id: int | None = Field(default=None, foreign_key="user.id")
    changed_at: dt.datetime = Field(default_factory=utcnow)


class Assignment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", index=True, ondelete="CASCADE")
    assignee_id: int = Field(foreign_key="user.id", index=True)
    assigned_by_id: int | None = Field(default=None, foreign_key="user.id")
    task: str | None = text_field()
    due_date: dt.date | None = None
    done: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)
    done_at: dt.datetime | None = None


class Watchlist(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str
    owner_id: int | None = Field(default=None, foreign_key="user.id")
    shared: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)


class WatchlistItem(SQLModel, table=True):
    watchlist_id: int = Field(foreign_key="watchlist.id", primary_key=True, ondelete="CASCADE")
    bill_id: int = Field(foreign_key="bill.id", primary_key=True, ondelete="CASCADE")
    added_by_id: int | None = Field(default=None, foreign_key="user.id")
    added_at: dt.datetime = Field(default_factory=utcnow)


class SavedFilter(SQLModel, table=True):
    """A named set of filters on a dashboard page (the triage inbox or search), private or shared."""

    __table_args__ = (UniqueConstraint("owner_id", "page", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    page: str = Field(max_length=32)  # triage | search
    owner_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    params: dict[str, Any] = json_field(default_factory=dict)
    shared: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)


class KeyVoteMark(SQLModel, table=True):
    """Staff's say on whether a roll call is a key vote of the scorecard (tracker.scorecard): "include" one the
    default rule leaves out, "exclude" one it takes, "default" to go back to the rule. Append-only: the latest row
    for a roll call is the one in force, the earlier ones are its history (who, when, why).

    The roll call is named by its feed identity (``VoteEvent``'s source name + key), not its row id: ingest keeps
    that identity when it rewrites a bill's roll calls, so a mark survives re-imports."""

    # One row per version of a roll call's mark: two staff saving on the same version cannot both write (0028).
    __table_args__ = (Index("uq_keyvotemark_version", "source_name", "source_key", "version", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", index=True, ondelete="CASCADE")
    source_name: str = Field(max_length=64)
    source_key: str = Field(max_length=255)
    decision: str = Field(max_length=16)  # include | exclude | default
    reason: str | None = text_field()
    author_id: int | None = Field(default=None, foreign_key="user.id")
    marked_at: dt.datetime = Field(default_factory=utcnow)
    version: int = 1  # 1 for a roll call's first mark, then one more per mark: optimistic concurrency, as Position
