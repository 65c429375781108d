"""Votes: roll calls on a bill (a floor or committee vote event) and, where the feed names them, each member's vote.

Crawled data, written only by ``tracker.ingest`` (``Ingestor`` replaces a bill's votes from the source that
delivered them). A vote event is keyed by its feed's own id (``source_name`` + ``source_key``: LegiScan
``roll_call_id``, Open States vote-event id, pubinfo's bill + place + time + motion), so re-ingesting the same
feed updates rows in place instead of adding copies.
"""

import datetime as dt

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.models.base import text_field


class VoteEvent(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("source_name", "source_key", name="uq_voteevent_source_key"),
        Index("ix_voteevent_bill_date", "bill_id", "date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", ondelete="CASCADE")
    source_name: str = Field(max_length=64)
    source_key: str = Field(max_length=255)
    date: dt.date | None = None
    chamber: str | None = Field(default=None, max_length=16)  # Chamber
    body: str | None = text_field()  # the committee or floor that voted, in the feed's words
    motion: str | None = text_field()
    result: str | None = Field(default=None, max_length=16)  # VoteResult; None when the feed does not say
    yes_count: int | None = None
    no_count: int | None = None
    other_count: int | None = None  # abstained, present, not voting: anything but yes/no/absent
    absent_count: int | None = None
    url: str | None = text_field()
    # The chamber's own roll-call number (BILLSTATUS <rollNumber>, migration 0034); None where the feed has none.
    roll_number: int | None = None


class PersonVote(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    vote_event_id: int = Field(foreign_key="voteevent.id", index=True, ondelete="CASCADE")
    name: str | None = text_field()  # None when the feed gives only an id (LegiScan roll calls)
    person_id: str | None = Field(default=None, max_length=64)  # the feed's person id
    option: str = Field(max_length=16)  # VoteOption
    party: str | None = Field(default=None, max_length=32)  # where the feed says (LegiScan's people files)
    district: str | None = Field(default=None, max_length=64)
